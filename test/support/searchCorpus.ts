/**
 * The search corpus: 44 documents of a small company's wiki (24) and ticket queue (20), written so
 * that the judged queries of test/query.test.ts have unambiguous answers. Every document carries
 * attributes of every type: strings (_category, department, _source_uri), string lists (tags,
 * _authors), longs (priority, _view_count), dates (_created_at, _last_updated_at, reviewed_on), and
 * _file_type follows its content type (PLAIN_TEXT, HTML or MD).
 *
 * Ingested through the real path: a CUSTOM data source per source, a sync job each, BatchPutDocument
 * in batches of 10 naming the job, StopDataSourceSyncJob, and the job SUCCEEDED with every document
 * counted as added.
 */
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import {
  BatchPutDocumentCommand,
  StartDataSourceSyncJobCommand,
  StopDataSourceSyncJobCommand,
  type Document,
  type DocumentAttribute,
  type KendraClient,
} from '@aws-sdk/client-kendra';
import { activeCustomDataSource, jobReaching } from './kendra.js';
import type { TestStore } from './server.js';

export type Source = 'wiki' | 'tickets';
export type Format = 'PLAIN_TEXT' | 'HTML' | 'MD';

export interface CorpusDoc {
  id: string;
  source: Source;
  title: string;
  body: string;
  format: Format;
  category: string;
  department: string;
  tags?: string[];
  priority?: number;
  views?: number;
  authors?: string[];
  /** Days after 2024-01-01 (UTC) the document was created; last updated 10 days later. */
  createdDay: number;
  reviewedOn?: string;
}

const wiki = (d: Omit<CorpusDoc, 'source'>): CorpusDoc => ({ ...d, source: 'wiki' });
const ticket = (d: Omit<CorpusDoc, 'source'>): CorpusDoc => ({ ...d, source: 'tickets' });

/** A long style guide cut into several passages; "semicolon" occurs only in its third paragraph. */
const STYLE_GUIDE = [
  paragraph('Write for the reader who skims. Lead with the answer, then give the reasons. Prefer short words to long ones and active verbs to passive ones.', 11),
  paragraph('Headings say what the section does. Lists hold parallel items only. Tables compare things along the same columns and never hold prose.', 11),
  paragraph('Punctuation serves clarity: a semicolon joins two sentences that lean on each other, and a dash marks an aside the reader may skip.', 11),
].join('\n\n');

function paragraph(sentence: string, times: number): string {
  return Array.from({ length: times }, () => sentence).join(' ');
}

export const CORPUS: CorpusDoc[] = [
  wiki({ id: 'w01', title: 'Kubernetes cluster upgrades', body: 'Upgrading the cluster happens every quarter. Drain each node before the upgrade, then watch the pods come back. The platform team owns the cluster.', format: 'HTML', category: 'guide', department: 'Platform', tags: ['kubernetes', 'operations'], priority: 3, views: 120, authors: ['ana', 'bruno'], createdDay: 1 }),
  wiki({ id: 'w02', title: 'Deploying services', body: 'Every service is deployed to kubernetes with a helm chart. Deployments roll out one replica at a time. Ask the platform team before your first deploy.', format: 'MD', category: 'guide', department: 'Platform', tags: ['kubernetes', 'deployment'], priority: 2, views: 300, authors: ['bruno'], createdDay: 2 }),
  wiki({ id: 'w03', title: 'Observability and dashboards', body: 'Metrics are scraped every fifteen seconds and dashboards show latency, errors and saturation. Alerts page the engineer on call.', format: 'PLAIN_TEXT', category: 'reference', department: 'Platform', tags: ['monitoring'], priority: 4, views: 80, createdDay: 3 }),
  wiki({ id: 'w04', title: 'On-call handbook', body: 'The engineer on call acknowledges a page within five minutes. Incidents are declared in the incident channel and a postmortem follows within a week.', format: 'PLAIN_TEXT', category: 'policy', department: 'Platform', tags: ['monitoring', 'incident'], priority: 1, views: 95, authors: ['carla'], createdDay: 4, reviewedOn: '2024-03-01T00:00:00.000Z' }),
  wiki({ id: 'w05', title: 'Zookeeper retirement', body: 'The last zookeeper ensemble was retired when the brokers moved to kraft mode. Nobody runs it any more.', format: 'PLAIN_TEXT', category: 'reference', department: 'Data', tags: ['migration'], priority: 5, views: 12, createdDay: 5 }),
  wiki({ id: 'w06', title: 'Kafka topic naming', body: 'Topic names join the team, the domain and the event with dots. Retention defaults to seven days.', format: 'MD', category: 'reference', department: 'Data', tags: ['kafka'], priority: 3, views: 40, authors: ['dario'], createdDay: 6 }),
  wiki({ id: 'w07', title: 'Disaster recovery plan', body: 'The disaster recovery plan restores every critical system in a second region. We rehearse disaster recovery twice a year.', format: 'HTML', category: 'policy', department: 'Security', tags: ['backup', 'continuity'], priority: 1, views: 60, authors: ['carla', 'ana'], createdDay: 7, reviewedOn: '2024-03-01T00:00:00.000Z' }),
  wiki({ id: 'w08', title: 'Replacing a failed disk', body: 'After a disk fails the array rebuilds itself and recovery takes a few hours. A disaster is declared only when two disks fail together.', format: 'PLAIN_TEXT', category: 'guide', department: 'Platform', tags: ['storage'], priority: 4, views: 33, createdDay: 8 }),
  wiki({ id: 'w09', title: 'Backup encryption', body: 'Every backup is encrypted at rest with a key that rotates monthly. Encryption keys live in the vault.', format: 'PLAIN_TEXT', category: 'reference', department: 'Security', tags: ['backup', 'encryption'], priority: 2, views: 70, authors: ['carla'], createdDay: 9 }),
  wiki({ id: 'w10', title: 'Nightly database backups', body: 'Postgres databases are dumped every night and the backup files are kept for thirty days.', format: 'MD', category: 'guide', department: 'Data', tags: ['backup', 'postgres'], priority: 3, views: 55, authors: ['dario'], createdDay: 10 }),
  wiki({ id: 'w11', title: 'Postgres connection pooling', body: 'Applications connect through a pooler so that the database keeps a small number of connections.', format: 'PLAIN_TEXT', category: 'reference', department: 'Data', tags: ['postgres'], priority: 2, views: 45, createdDay: 11 }),
  wiki({ id: 'w12', title: 'Vacation policy', body: 'Employees take up to twenty-five days of vacation each year. Tell your manager two weeks ahead.', format: 'HTML', category: 'policy', department: 'People', tags: ['leave'], priority: 3, views: 400, authors: ['eva'], createdDay: 12, reviewedOn: '2024-02-15T00:00:00.000Z' }),
  wiki({ id: 'w13', title: 'Public holiday calendar', body: 'The calendar lists the public holidays of each office. This policy is reviewed every December.', format: 'PLAIN_TEXT', category: 'policy', department: 'People', tags: ['leave'], priority: 5, views: 210, authors: ['eva'], createdDay: 13, reviewedOn: '2024-02-15T00:00:00.000Z' }),
  wiki({ id: 'w14', title: 'Expense reports', body: 'Submit expense reports within thirty days with the receipts attached. Travel expenses need approval from your manager.', format: 'PLAIN_TEXT', category: 'guide', department: 'Finance', tags: ['expenses', 'travel'], priority: 2, views: 150, authors: ['fred'], createdDay: 14 }),
  wiki({ id: 'w15', title: 'Corporate card', body: 'The corporate card covers travel and client dinners. Lost cards are blocked by calling the bank.', format: 'MD', category: 'faq', department: 'Finance', tags: ['expenses'], priority: 4, views: 90, createdDay: 15 }),
  wiki({ id: 'w16', title: 'Invoices and vendors', body: 'Vendors send invoices to the accounts payable mailbox and payment terms are thirty days.', format: 'PLAIN_TEXT', category: 'reference', department: 'Finance', tags: ['vendors'], priority: 3, views: 25, authors: ['fred'], createdDay: 16 }),
  wiki({ id: 'w17', title: 'Onboarding checklist', body: 'New hires get a laptop, a badge and a buddy on their first day. The handbook is the first thing to read.', format: 'HTML', category: 'guide', department: 'People', tags: ['onboarding'], priority: 1, views: 500, authors: ['eva', 'ana'], createdDay: 17 }),
  wiki({ id: 'w18', title: 'Laptop security', body: 'Laptops use full disk encryption and lock after five minutes. Report a lost laptop to the security team at once.', format: 'PLAIN_TEXT', category: 'policy', department: 'Security', tags: ['devices', 'encryption'], priority: 2, views: 130, authors: ['carla'], createdDay: 18, reviewedOn: '2024-03-01T00:00:00.000Z' }),
  wiki({ id: 'w19', title: 'Password manager', body: 'Store every password in the password manager and turn on two factor authentication.', format: 'PLAIN_TEXT', category: 'faq', department: 'Security', tags: ['passwords'], priority: 3, views: 260, createdDay: 19 }),
  wiki({ id: 'w20', title: 'Coffee machine', body: 'The coffee machine on the third floor is descaled every Friday.', format: 'PLAIN_TEXT', category: 'faq', department: 'Facilities', createdDay: 20 }),
  wiki({ id: 'w21', title: 'Meeting rooms', body: 'Meeting rooms are booked through the calendar. Release a room you do not need.', format: 'MD', category: 'faq', department: 'Facilities', tags: ['office'], priority: 4, views: 75, createdDay: 21 }),
  wiki({ id: 'w22', title: 'Writing style guide', body: STYLE_GUIDE, format: 'PLAIN_TEXT', category: 'reference', department: 'People', tags: ['writing'], priority: 2, views: 66, authors: ['eva'], createdDay: 22 }),
  wiki({ id: 'w23', title: 'Release process', body: 'Releases are cut every Tuesday from the main branch. A release manager signs off before the deployment starts.', format: 'PLAIN_TEXT', category: 'guide', department: 'Platform', tags: ['deployment', 'release'], priority: 2, views: 140, authors: ['bruno'], createdDay: 23 }),
  wiki({ id: 'w24', title: 'The kendrite search service', body: 'kendrite indexes documents and answers queries through the Kendra API. The search service is self hosted.', format: 'HTML', category: 'reference', department: 'Platform', tags: ['search'], priority: 1, views: 999, authors: ['ana'], createdDay: 24 }),

  ticket({ id: 't01', title: 'Cannot reset password', body: 'The password reset link expired before I could use it. Account recovery asked for a code I never received.', format: 'PLAIN_TEXT', category: 'request', department: 'Security', tags: ['passwords', 'access'], priority: 2, createdDay: 31 }),
  ticket({ id: 't02', title: 'VPN disconnects every hour', body: 'The VPN client drops the connection every hour and I have to sign in again.', format: 'PLAIN_TEXT', category: 'incident', department: 'Security', tags: ['network'], priority: 3, createdDay: 32 }),
  ticket({ id: 't03', title: 'Pod stuck in pending', body: 'A pod stays pending because the kubernetes scheduler finds no node with enough memory.', format: 'PLAIN_TEXT', category: 'incident', department: 'Platform', tags: ['kubernetes'], priority: 1, createdDay: 33 }),
  ticket({ id: 't04', title: 'Dashboard shows no data', body: 'The latency dashboard has been empty since this morning and metrics may not be scraped.', format: 'PLAIN_TEXT', category: 'incident', department: 'Platform', tags: ['monitoring'], priority: 3, createdDay: 34 }),
  ticket({ id: 't05', title: 'Restore test failed', body: 'The quarterly restore test failed, which blocks the disaster recovery rehearsal. The backup itself was fine.', format: 'PLAIN_TEXT', category: 'incident', department: 'Data', tags: ['backup', 'continuity'], priority: 1, createdDay: 35 }),
  ticket({ id: 't06', title: 'Rotate the backup key', body: 'Please rotate the encryption key used for the offsite backup bucket.', format: 'PLAIN_TEXT', category: 'request', department: 'Security', tags: ['backup', 'encryption'], priority: 2, createdDay: 36 }),
  ticket({ id: 't07', title: 'Backup job slow', body: 'The nightly backup job now takes six hours instead of two.', format: 'PLAIN_TEXT', category: 'incident', department: 'Data', tags: ['backup'], priority: 4, createdDay: 37 }),
  ticket({ id: 't08', title: 'Kafka consumer lag', body: 'Consumer lag on the orders topic keeps growing after the last release.', format: 'PLAIN_TEXT', category: 'incident', department: 'Data', tags: ['kafka'], priority: 2, createdDay: 38 }),
  ticket({ id: 't09', title: 'Expense report rejected', body: 'My expense report was rejected because a receipt was missing.', format: 'PLAIN_TEXT', category: 'question', department: 'Finance', tags: ['expenses'], priority: 3, createdDay: 39 }),
  ticket({ id: 't10', title: 'New laptop request', body: 'I would like a new laptop because the battery of mine lasts one hour.', format: 'PLAIN_TEXT', category: 'request', department: 'Facilities', tags: ['devices'], priority: 4, createdDay: 40 }),
  ticket({ id: 't11', title: 'Coffee machine broken', body: 'The coffee machine on the second floor shows an error and makes no coffee.', format: 'PLAIN_TEXT', category: 'incident', department: 'Facilities', priority: 5, createdDay: 41 }),
  ticket({ id: 't12', title: 'Holiday calendar for Lisbon', body: 'Which public holidays does the Lisbon office observe this year?', format: 'PLAIN_TEXT', category: 'question', department: 'People', tags: ['leave'], priority: 4, createdDay: 42 }),
  ticket({ id: 't13', title: 'Vacation days left', body: 'How many vacation days do I have left this year?', format: 'PLAIN_TEXT', category: 'question', department: 'People', tags: ['leave'], priority: 3, createdDay: 43 }),
  ticket({ id: 't14', title: 'Onboarding buddy missing', body: 'A new hire started on Monday and has no onboarding buddy yet.', format: 'PLAIN_TEXT', category: 'request', department: 'People', tags: ['onboarding'], priority: 2, createdDay: 44 }),
  ticket({ id: 't15', title: 'Invoice paid twice', body: 'A vendor invoice was paid twice and we need the second payment back.', format: 'PLAIN_TEXT', category: 'incident', department: 'Finance', tags: ['vendors'], priority: 1, createdDay: 45 }),
  ticket({ id: 't16', title: 'Deploy pipeline red', body: 'The deployment pipeline fails at the image build step since yesterday.', format: 'PLAIN_TEXT', category: 'incident', department: 'Platform', tags: ['deployment'], priority: 2, createdDay: 46 }),
  ticket({ id: 't17', title: 'Database connections exhausted', body: 'The postgres server refused connections with too many clients because the pooler was bypassed.', format: 'PLAIN_TEXT', category: 'incident', department: 'Data', tags: ['postgres'], priority: 1, createdDay: 47 }),
  ticket({ id: 't18', title: 'Meeting room projector', body: 'The projector in the big meeting room needs a new cable.', format: 'PLAIN_TEXT', category: 'request', department: 'Facilities', tags: ['office'], priority: 5, createdDay: 48 }),
  ticket({ id: 't19', title: 'Two factor codes not arriving', body: 'Two factor codes sent by text message arrive late or not at all.', format: 'PLAIN_TEXT', category: 'incident', department: 'Security', tags: ['passwords', 'access'], priority: 2, createdDay: 49 }),
  ticket({ id: 't20', title: 'Question about kendrite search', body: 'Does kendrite support phrase queries and prefix queries?', format: 'PLAIN_TEXT', category: 'question', department: 'Platform', tags: ['search'], priority: 3, createdDay: 50 }),
];

export const DAY = 86_400_000;
const EPOCH_2024 = Date.UTC(2024, 0, 1);
export const createdAt = (d: CorpusDoc) => new Date(EPOCH_2024 + d.createdDay * DAY);
export const updatedAt = (d: CorpusDoc) => new Date(EPOCH_2024 + (d.createdDay + 10) * DAY);
export const sourceUri = (d: CorpusDoc) => `https://${d.source}.example.com/${d.id}`;

/** The bytes a document is sent as, in its format. */
function content(d: CorpusDoc): Uint8Array {
  if (d.format === 'HTML') return Buffer.from(`<html><head><title>${d.title}</title></head><body>${d.body.split('\n\n').map((p) => `<p>${p}</p>`).join('')}</body></html>`);
  return Buffer.from(d.body);
}

export function attributesOf(d: CorpusDoc): DocumentAttribute[] {
  const a: DocumentAttribute[] = [
    { Key: '_category', Value: { StringValue: d.category } },
    { Key: 'department', Value: { StringValue: d.department } },
    { Key: '_source_uri', Value: { StringValue: sourceUri(d) } },
    { Key: '_created_at', Value: { DateValue: createdAt(d) } },
    { Key: '_last_updated_at', Value: { DateValue: updatedAt(d) } },
  ];
  if (d.tags) a.push({ Key: 'tags', Value: { StringListValue: d.tags } });
  if (d.authors) a.push({ Key: '_authors', Value: { StringListValue: d.authors } });
  if (d.priority !== undefined) a.push({ Key: 'priority', Value: { LongValue: d.priority } });
  if (d.views !== undefined) a.push({ Key: '_view_count', Value: { LongValue: d.views } });
  if (d.reviewedOn) a.push({ Key: 'reviewed_on', Value: { DateValue: new Date(d.reviewedOn) } });
  return a;
}

export interface IngestedCorpus {
  dataSources: Record<Source, string>;
}

/** Syncs the corpus into the index through two CUSTOM data sources; resolves when both jobs SUCCEEDED. */
export async function ingestCorpus(k: KendraClient, indexId: string, docs: CorpusDoc[] = CORPUS): Promise<IngestedCorpus> {
  const dataSources = { wiki: await activeCustomDataSource(k, indexId, 'wiki'), tickets: await activeCustomDataSource(k, indexId, 'tickets') };
  for (const source of ['wiki', 'tickets'] as const) {
    const ds = dataSources[source];
    const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
    const mine = docs.filter((d) => d.source === source);
    for (let i = 0; i < mine.length; i += 10) {
      const Documents: Document[] = mine.slice(i, i + 10).map((d) => ({
        Id: d.id, Title: d.title, Blob: content(d), ContentType: d.format,
        Attributes: [
          { Key: '_data_source_id', Value: { StringValue: ds } },
          { Key: '_data_source_sync_job_execution_id', Value: { StringValue: ExecutionId! } },
          ...attributesOf(d),
        ],
      }));
      const r = await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents }));
      if (r.FailedDocuments?.length) throw new Error(`corpus documents rejected: ${JSON.stringify(r.FailedDocuments)}`);
    }
    await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
    const job = await jobReaching(k, indexId, ds, ExecutionId!, ['SUCCEEDED', 'INCOMPLETE', 'FAILED'], 30_000);
    if (job.Status !== 'SUCCEEDED' || job.Metrics?.DocumentsAdded !== String(mine.length))
      throw new Error(`corpus sync of ${source} ended ${job.Status} with ${JSON.stringify(job.Metrics)}`);
  }
  return { dataSources };
}

/**
 * Direct access to a test store, from outside the server, for what no API shows: freezing a
 * resource in a transient status, reading stored feedback. SQLite is opened on its own connection
 * (WAL lets it read and write beside the server), PostgreSQL through its own client.
 */
export async function storeQuery<T = Record<string, unknown>>(store: TestStore, text: string, params: unknown[] = []): Promise<T[]> {
  if (store.databaseUrl) {
    const client = new pg.Client({ connectionString: store.databaseUrl });
    await client.connect();
    try {
      let n = 0;
      return (await client.query(text.replace(/\?/g, () => `$${++n}`), params)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const db = new BetterSqlite3(path.join(store.dataDir, 'kendrite.db'));
  try {
    db.pragma('busy_timeout = 5000');
    const stmt = db.prepare(text);
    return stmt.reader ? (stmt.all(...params) as T[]) : (stmt.run(...params), []);
  } finally {
    db.close();
  }
}
