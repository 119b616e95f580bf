// What the migration fixture holds (scripts/migrationFixture.ts writes it with the previous release) and
// what test/migration-previous-release.test.ts reads back from it with this one: documents written by two
// CUSTOM sync jobs and a write outside any job, in English, French and English with a Japanese run.
import {
  BatchDeleteDocumentCommand,
  BatchGetDocumentStatusCommand,
  BatchPutDocumentCommand,
  DescribeIndexCommand,
  ListDataSourceSyncJobsCommand,
  QueryCommand,
  RetrieveCommand,
  StartDataSourceSyncJobCommand,
  StopDataSourceSyncJobCommand,
  type Document,
  type KendraClient,
} from '@aws-sdk/client-kendra';
import { jobReaching } from './kendra.js';
import { waitFor } from './server.js';

export const FIXTURE_DIR = 'test/fixtures/migration-previous-release';

export function fixtureDoc(id: string, title: string, text: string, ds: string | undefined, job: string | undefined, attributes: Document['Attributes'] = []): Document {
  const Attributes = [...(attributes ?? [])];
  if (ds) Attributes.push({ Key: '_data_source_id', Value: { StringValue: ds } });
  if (job) Attributes.push({ Key: '_data_source_sync_job_execution_id', Value: { StringValue: job } });
  return { Id: id, Blob: Buffer.from(text), ContentType: 'PLAIN_TEXT', Title: title, Attributes };
}

/** Every document id the fixture ever wrote (some were deleted). */
export const FIXTURE_IDS = ['harbour', 'lighthouse', 'orchard', 'glacier', 'fromage', 'tokyo', 'ledger', 'meadow', 'quarry', 'lantern', 'compass', 'outside'];

const LONG = (topic: string, n: number) => Array.from({ length: n }, (_, i) => `Paragraph ${i} of the ${topic} notes keeps several sentences about the ${topic} and its keepers.`).join(' ');

/** Runs one CUSTOM sync job: puts and deletes, then stop; waits for its end. */
export async function customJob(k: KendraClient, indexId: string, ds: string, put: (job: string) => Document[], remove: string[]): Promise<string> {
  const { ExecutionId: job } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
  const docs = put(job!);
  if (docs.length) {
    const r = await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: docs }));
    if (r.FailedDocuments?.length) throw new Error(`BatchPutDocument failed: ${JSON.stringify(r.FailedDocuments)}`);
  }
  if (remove.length) await k.send(new BatchDeleteDocumentCommand({ IndexId: indexId, DocumentIdList: remove, DataSourceSyncJobMetricTarget: { DataSourceId: ds, DataSourceSyncJobId: job } }));
  await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
  await jobReaching(k, indexId, ds, job!, ['SUCCEEDED', 'INCOMPLETE', 'FAILED'], 60_000);
  return job!;
}

/** The previous release's writes (scripts/migrationFixture.ts). */
export async function writeFixture(k: KendraClient, indexId: string, ds: string): Promise<void> {
  await customJob(k, indexId, ds, (job) => [
    fixtureDoc('harbour', 'The harbour master', `The harbour master counts boats at dawn. ${LONG('harbour', 40)}`, ds, job, [{ Key: '_category', Value: { StringValue: 'coast' } }]),
    fixtureDoc('lighthouse', 'Lighthouse keeping', `A lighthouse keeper trims the lamp wick every evening. ${LONG('lighthouse', 25)}`, ds, job, [{ Key: '_category', Value: { StringValue: 'coast' } }]),
    fixtureDoc('orchard', 'Orchard in autumn', 'Apples and pears ripen in the orchard; the harvest begins in September.', ds, job, [{ Key: '_category', Value: { StringValue: 'land' } }]),
    fixtureDoc('glacier', 'Glacier survey', 'The glacier retreated forty metres; surveyors measured the moraine.', ds, job, [{ Key: '_created_at', Value: { DateValue: new Date('2024-03-01T00:00:00Z') } }]),
    fixtureDoc('fromage', 'Le fromage', 'Les fromages de Normandie mûrissent dans des caves humides.', ds, job, [{ Key: '_language_code', Value: { StringValue: 'fr' } }]),
    fixtureDoc('tokyo', 'Tokyo travel notes', 'The station at Tokyo: 東京駅は赤レンガの駅舎です。 Trains leave every minute.', ds, job),
    fixtureDoc('ledger', 'Ledger of the harbour', 'The ledger lists every boat that entered the harbour in 1890.', ds, job),
    fixtureDoc('meadow', 'Meadow flowers', 'Poppies and cornflowers grow in the meadow beside the quarry road.', ds, job),
    fixtureDoc('quarry', 'The old quarry', 'Granite blocks from the quarry built the harbour wall.', ds, job),
    fixtureDoc('lantern', 'Storm lantern', 'A storm lantern hangs in the lighthouse stairwell.', ds, job),
  ], ['lantern']);
  await customJob(k, indexId, ds, (job) => [
    fixtureDoc('orchard', 'Orchard in winter', 'Bare branches in the orchard; the cider press rests until spring.', ds, job, [{ Key: '_category', Value: { StringValue: 'land' } }]),
    fixtureDoc('ledger', 'Ledger of the harbour', 'The ledger lists every schooner that entered the harbour in 1891.', ds, job),
    fixtureDoc('compass', 'Compass rose', 'The compass rose on the chart points to magnetic north.', ds, job),
  ], ['meadow']);
  const r = await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: [fixtureDoc('outside', 'Written outside a job', 'This tide table was written outside any sync job.', undefined, undefined)] }));
  if (r.FailedDocuments?.length) throw new Error(`BatchPutDocument failed: ${JSON.stringify(r.FailedDocuments)}`);
  await waitFor('the document written outside a job indexed', async () => ((await statuses(k, indexId, ['outside'])).outside === 'INDEXED' ? true : undefined), 60_000);
}

/** Each document's status, ten at a time (BatchGetDocumentStatus's limit). */
export async function statuses(k: KendraClient, indexId: string, ids: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (let i = 0; i < ids.length; i += 10) {
    const r = await k.send(new BatchGetDocumentStatusCommand({ IndexId: indexId, DocumentInfoList: ids.slice(i, i + 10).map((DocumentId) => ({ DocumentId })) }));
    for (const d of r.DocumentStatusList!) out[d.DocumentId!] = d.DocumentStatus!;
  }
  return out;
}

/** Queries whose answers the fixture records: words, phrases, titles, stems, another language, filters. */
export const FIXTURE_QUERIES: { QueryText: string; filter?: 'coast' | 'fr' }[] = [
  { QueryText: 'harbour' },
  { QueryText: 'boats' },
  { QueryText: '"harbour wall"' },
  { QueryText: 'lighthouse keeper' },
  { QueryText: 'cider press' },
  { QueryText: 'pears' },
  { QueryText: 'schooner' },
  { QueryText: 'poppies' },
  { QueryText: 'storm lantern' },
  { QueryText: 'glacier' },
  { QueryText: '東京' },
  { QueryText: 'fromages', filter: 'fr' },
  { QueryText: 'keepers', filter: 'coast' },
  { QueryText: 'tide table' },
];

/** Everything a user can see of the fixture, as plain JSON (the expected.json of each backend). */
export async function observeFixture(k: KendraClient, indexId: string, ds: string) {
  const queries = [];
  for (const q of FIXTURE_QUERIES) {
    const AttributeFilter = q.filter === 'coast' ? { EqualsTo: { Key: '_category', Value: { StringValue: 'coast' } } } : q.filter === 'fr' ? { EqualsTo: { Key: '_language_code', Value: { StringValue: 'fr' } } } : undefined;
    const r = await k.send(new QueryCommand({ IndexId: indexId, QueryText: q.QueryText, AttributeFilter, PageSize: 20 }));
    queries.push({
      query: q,
      total: r.TotalNumberOfResults,
      results: r.ResultItems!.map((i) => ({ type: i.Type, id: i.DocumentId, title: i.DocumentTitle?.Text, excerpt: i.DocumentExcerpt?.Text, highlights: i.DocumentExcerpt?.Highlights?.map((h) => [h.BeginOffset, h.EndOffset, h.TopAnswer ?? false]) })),
    });
  }
  const retrieve = [];
  for (const QueryText of ['harbour', 'lighthouse keeper', 'cider']) {
    const r = await k.send(new RetrieveCommand({ IndexId: indexId, QueryText, PageSize: 20 }));
    retrieve.push({ QueryText, passages: r.ResultItems!.map((i) => ({ id: i.DocumentId, content: i.Content })) });
  }
  const history = [];
  let NextToken: string | undefined;
  do {
    const page = await k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds, NextToken }));
    history.push(...page.History!.map((j) => ({ id: j.ExecutionId, status: j.Status, metrics: j.Metrics })));
    NextToken = page.NextToken;
  } while (NextToken);
  const ix = await k.send(new DescribeIndexCommand({ Id: indexId }));
  return {
    documents: await statuses(k, indexId, FIXTURE_IDS),
    indexed: ix.IndexStatistics!.TextDocumentStatistics!.IndexedTextDocumentsCount,
    queries,
    retrieve,
    history,
  };
}
