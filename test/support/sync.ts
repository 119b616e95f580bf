// Helpers for connector sync tests: data sources, whole syncs, the job report, and a direct look at
// the index tables (the Query API is not what these tests are about).
import path from 'node:path';
import { unpackText } from '../../src/store/packedText.js';
import assert from 'node:assert/strict';
import {
  BatchPutDocumentCommand,
  CreateDataSourceCommand,
  DescribeDataSourceCommand,
  StartDataSourceSyncJobCommand,
  StopDataSourceSyncJobCommand,
  type CreateDataSourceCommandInput,
  type DataSourceSyncJob,
  type Document,
  type KendraClient,
} from '@aws-sdk/client-kendra';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { jobReaching, ROLE } from './kendra.js';
import { REPO_ROOT, waitFor, type TestServer, type TestStore } from './server.js';

export const TERMINAL = ['SUCCEEDED', 'INCOMPLETE', 'FAILED', 'ABORTED'];

export async function activeDataSource(k: KendraClient, input: Omit<CreateDataSourceCommandInput, 'RoleArn'>): Promise<string> {
  const { Id } = await k.send(new CreateDataSourceCommand({ RoleArn: ROLE, ...input }));
  await waitFor(`data source ${Id} ACTIVE`, async () => ((await k.send(new DescribeDataSourceCommand({ IndexId: input.IndexId, Id }))).Status === 'ACTIVE' ? true : undefined));
  return Id!;
}

/** A FILESYSTEM template (kendrite's extension) for a folder. */
export function folderTemplate(dir: string, extra: { inclusionPatterns?: string[]; exclusionPatterns?: string[]; maxFileSizeInMegaBytes?: string; syncMode?: string } = {}) {
  return {
    TemplateConfiguration: {
      Template: {
        type: 'FILESYSTEM',
        syncMode: extra.syncMode ?? 'FULL_CRAWL',
        connectionConfiguration: { repositoryEndpointMetadata: { path: dir } },
        additionalProperties: {
          inclusionPatterns: extra.inclusionPatterns ?? [],
          exclusionPatterns: extra.exclusionPatterns ?? [],
          maxFileSizeInMegaBytes: extra.maxFileSizeInMegaBytes ?? '50',
        },
      },
    },
  };
}

/** Starts a sync and waits for its end. */
export async function syncToEnd(k: KendraClient, indexId: string, dataSourceId: string, ms = 60_000): Promise<DataSourceSyncJob> {
  const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: dataSourceId }));
  return jobReaching(k, indexId, dataSourceId, ExecutionId!, TERMINAL, ms);
}

/** Puts documents through a CUSTOM data source's sync job, as Kendra's custom connectors do; the job must succeed. */
export async function putInJob(k: KendraClient, indexId: string, ds: string, docs: Document[]): Promise<void> {
  const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
  const jobAttrs = [
    { Key: '_data_source_id', Value: { StringValue: ds } },
    { Key: '_data_source_sync_job_execution_id', Value: { StringValue: ExecutionId } },
  ];
  const r = await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: docs.map((d) => ({ ...d, Attributes: [...jobAttrs, ...(d.Attributes ?? [])] })) }));
  assert.deepEqual(r.FailedDocuments, []);
  await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
  assert.equal((await jobReaching(k, indexId, ds, ExecutionId!, ['SUCCEEDED', 'INCOMPLETE', 'FAILED'])).Status, 'SUCCEEDED');
}

export function metrics(j: DataSourceSyncJob) {
  const m = j.Metrics!;
  return { scanned: m.DocumentsScanned, added: m.DocumentsAdded, modified: m.DocumentsModified, deleted: m.DocumentsDeleted, failed: m.DocumentsFailed };
}

export interface ReportItem {
  DocumentId: string;
  Action: string;
  Reason?: string;
}

/** The whole document-level report of a job, through kendrite's API extension (KendriteService.DescribeSyncJobReport). */
export async function report(server: TestServer, executionId: string): Promise<{ job: Record<string, unknown>; timeline: string[]; items: ReportItem[] }> {
  const { call } = (await import(path.join(REPO_ROOT, 'dist/src/cli/client.js'))) as { call: (e: string, t: string, b: unknown) => Promise<Record<string, unknown>> };
  const items: ReportItem[] = [];
  let NextToken: string | undefined;
  let first: Record<string, unknown> | undefined;
  do {
    const page = await call(server.url, 'KendriteService.DescribeSyncJobReport', { ExecutionId: executionId, MaxResults: 1000, NextToken });
    first ??= page;
    items.push(...(page.Items as ReportItem[]));
    NextToken = page.NextToken as string | undefined;
  } while (NextToken);
  return { job: first!.Job as Record<string, unknown>, timeline: (first!.Timeline as { Status: string }[]).map((t) => t.Status), items };
}

/** Report lines as "ACTION id", sorted, for exact comparison. */
export function actions(items: ReportItem[], strip = ''): string[] {
  return items.map((i) => `${i.Action} ${i.DocumentId.startsWith(strip) ? i.DocumentId.slice(strip.length) : i.DocumentId}`).sort();
}

/** Read-only access to the store's tables, SQLite or PostgreSQL. */
export class IndexTables {
  private constructor(
    private readonly sqlite: BetterSqlite3.Database | undefined,
    private readonly pgClient: pg.Client | undefined,
  ) {}

  static async open(store: TestStore): Promise<IndexTables> {
    if (!store.databaseUrl) return new IndexTables(new BetterSqlite3(path.join(store.dataDir, 'kendrite.db'), { readonly: true }), undefined);
    const c = new pg.Client({ connectionString: store.databaseUrl });
    await c.connect();
    return new IndexTables(undefined, c);
  }

  private async rows<T>(sqliteSql: string, pgSql: string, params: unknown[]): Promise<T[]> {
    if (this.sqlite) return this.sqlite.prepare(sqliteSql).all(...params) as T[];
    return (await this.pgClient!.query(pgSql, params)).rows as T[];
  }

  /** Every document of a data source: id, status and body (unpacked: SQLite stores it deflated, store/packedText.ts). */
  async documents(dataSourceId: string): Promise<{ document_id: string; status: string; title: string; body: string; failure_reason: string | null }[]> {
    const rows = await this.rows<{ document_id: string; status: string; title: string; body: string | Uint8Array; failure_reason: string | null }>(
      'SELECT document_id, status, title, body, failure_reason FROM documents WHERE source_key = (SELECT key FROM data_source_keys WHERE id = ?) ORDER BY document_id',
      'SELECT document_id, status, title, body, failure_reason FROM documents WHERE source_key = (SELECT key FROM data_source_keys WHERE id = $1) ORDER BY document_id',
      [dataSourceId],
    );
    return rows.map((r) => ({ ...r, body: unpackText(r.body) }));
  }

  /** URLs left in a data source's crawl queue (connectors/web/frontier.ts). */
  async webFrontier(dataSourceId: string): Promise<number> {
    const rows = await this.rows<{ n: number | string }>('SELECT count(*) AS n FROM web_frontier WHERE data_source_id = ?', 'SELECT count(*) AS n FROM web_frontier WHERE data_source_id = $1', [dataSourceId]);
    return Number(rows[0]!.n);
  }

  /** Every document of an index (CUSTOM puts with no data source too): id and status. */
  documentsOfIndex(indexId: string): Promise<{ document_id: string; status: string }[]> {
    return this.rows(
      'SELECT document_id, status FROM documents WHERE index_key = (SELECT key FROM index_keys WHERE id = ?) ORDER BY document_id',
      'SELECT document_id, status FROM documents WHERE index_key = (SELECT key FROM index_keys WHERE id = $1) ORDER BY document_id',
      [indexId],
    );
  }

  /** A job's status and added/modified/deleted/scanned counts, read straight from the store (faster than the API, for tests that act at a moment). */
  async job(executionId: string): Promise<{ status: string; added: number; modified: number; deleted: number; scanned: number } | undefined> {
    const rows = await this.rows<{ status: string; added: number; modified: number; deleted: number; scanned: number }>(
      'SELECT status, documents_added AS added, documents_modified AS modified, documents_deleted AS deleted, documents_scanned AS scanned FROM sync_jobs WHERE execution_id = ?',
      'SELECT status, documents_added AS added, documents_modified AS modified, documents_deleted AS deleted, documents_scanned AS scanned FROM sync_jobs WHERE execution_id = $1',
      [executionId],
    );
    const r = rows[0];
    return r && { status: r.status, added: Number(r.added), modified: Number(r.modified), deleted: Number(r.deleted), scanned: Number(r.scanned) };
  }

  /** Ids of the documents whose indexed text matches a word, by the store's own full-text index. */
  async search(indexId: string, word: string): Promise<string[]> {
    const rows = await this.rows<{ document_id: string }>(
      'SELECT d.document_id FROM documents_fts f JOIN documents d ON d.doc_key = f.rowid WHERE documents_fts MATCH ? AND d.index_key = (SELECT key FROM index_keys WHERE id = ?) ORDER BY d.document_id',
      "SELECT document_id FROM documents WHERE search_vector @@ plainto_tsquery('english', $1) AND index_key = (SELECT key FROM index_keys WHERE id = $2) ORDER BY document_id",
      [this.sqlite ? `"${word}"` : word, indexId],
    );
    return rows.map((r) => r.document_id);
  }

  async close(): Promise<void> {
    this.sqlite?.close();
    await this.pgClient?.end();
  }
}

/** One unique word per format, so each document's text can be found in the index by itself. */
export const FORMAT_WORDS: Record<string, string> = {
  'plain.txt': 'quokkaplain',
  'page.html': 'narwhalhtml',
  'notes.md': 'axolotlmarkdown',
  'report.pdf': 'pangolinpdf',
  'letter.docx': 'okapiword',
  'deck.pptx': 'tapirslides',
  'sheet.xlsx': 'wombatsheet',
  'table.csv': 'ibexcsv',
  'data.json': 'dingojson',
  'doc.rtf': 'lemurrtf',
  'feed.xml': 'marmotxml',
};

/** A document of every format kendrite extracts, each holding its unique word (FORMAT_WORDS). */
export async function formatCorpus(): Promise<Record<string, Uint8Array>> {
  const c = await import('./corpus.js');
  const w = FORMAT_WORDS;
  const enc = (s: string) => new TextEncoder().encode(s);
  return {
    'plain.txt': enc(`A plain text file about the ${w['plain.txt']}.\n`),
    'page.html': c.makeHtml('A web page', `The ${w['page.html']} lives in HTML.`),
    'notes.md': enc(`# Notes\n\nSome *markdown* about the ${w['notes.md']}.\n`),
    'report.pdf': c.makePdf(`A PDF report on the ${w['report.pdf']}.`, { title: 'The report' }),
    'letter.docx': c.makeDocx([`Dear reader, the ${w['letter.docx']} writes.`]),
    'deck.pptx': c.makePptx([[`Slide one shows the ${w['deck.pptx']}`]]),
    'sheet.xlsx': c.makeXlsx([[['animal', w['sheet.xlsx']!]]]),
    'table.csv': enc(`animal,count\n${w['table.csv']},3\n`),
    'data.json': enc(JSON.stringify({ animal: w['data.json'], count: 3 })),
    'doc.rtf': c.makeRtf(`An RTF document on the ${w['doc.rtf']}.`),
    'feed.xml': enc(`<?xml version="1.0"?><feed><entry>The ${w['feed.xml']} in XML</entry></feed>`),
  };
}
