/**
 * A DATABASE data source over a PostgreSQL table of generated articles (id, title, a ~300-byte body,
 * a date mapped to _created_at, a change-detecting revision), synced by a kendrite server process: the
 * full sync and a resync with no change, at 100,000 and 1,000,000 rows (`--rows` for other sizes).
 * Baseline, in the same run on the same rows: a plain server-side cursor read (FETCH 1,000 at a time)
 * inserting each row's text into the same SQLite full-text schema (kendrite's migrations: documents +
 * FTS5). Peak RSS is the server's VmHWM, one server per size.
 *
 * The source database: KENDRITE_BENCH_POSTGRES_URL, else KENDRITE_TEST_POSTGRES_URL, else
 * postgres://postgres@127.0.0.1:5432/postgres; a database of its own is created and dropped.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { KendraClient } from '@aws-sdk/client-kendra';
import pg from 'pg';
import { createDataSource, createIndex } from '../lib/kendraResources.js';
import { measuredSync, type Rate } from '../lib/measuredSync.js';
import { memoryMb, startKendrite } from '../lib/processes.js';
import type { ScenarioContext, ScenarioResult, Table, Target } from '../lib/scenario.js';
import { fmt } from '../lib/stats.js';
import { Store } from '../../src/store/store.js';

export const name = 'databaseSync';
export const description =
  'DATABASE sync of a PostgreSQL table (~300-byte rows) at 100,000 and 1,000,000 rows: full sync vs a plain cursor read inserting into the same FTS schema; no-change resync; peak RSS';

const DEFAULT_ROWS = [100_000, 1_000_000];
const FULL_TARGET = 0.5;
/** Peak RSS at the largest size may exceed the smallest's by this much and still count as "the same" (allocator noise). */
const RSS_NOISE = 0.1;
const CREDENTIALS = { accessKeyId: 'AKIDBENCHDATABASE', secretAccessKey: 'bench-database-secret' };
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:bench-database-AbCdEf';
const FETCH_ROWS = 1000;


interface SizeResult {
  rows: number;
  baseline: Rate;
  full: Rate;
  resync: Rate;
  peakRssMb: number;
  phaseRssMb: { full: number; resync: number };
}

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const errors: string[] = [];
  const sizes = ctx.options.rows ?? DEFAULT_ROWS;
  const admin = new URL(process.env.KENDRITE_BENCH_POSTGRES_URL ?? process.env.KENDRITE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const dbName = `kendrite_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const a = new pg.Client({ connectionString: admin.toString() });
  await a.connect();
  await a.query(`CREATE DATABASE ${dbName}`);
  const source = new URL(admin);
  source.pathname = `/${dbName}`;
  const results: SizeResult[] = [];
  try {
    for (const rows of sizes) {
      const r = await measure(ctx, source, rows, errors);
      // Each size's figures as soon as they are known: the largest size takes an hour on a small machine.
      ctx.log(`${rows} rows: kendrite ${fmt.rps(r.full.perSec)} rows/s (${fmt.rps(r.full.cpuUs)} µs CPU/row), baseline ${fmt.rps(r.baseline.perSec)} rows/s (${fmt.rps(r.baseline.cpuUs)} µs CPU/row), no-change resync ${fmt.rps(r.resync.perSec)} rows/s, peak RSS ${r.peakRssMb.toFixed(1)} MB`);
      results.push(r);
    }
  } finally {
    await a.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await a.end();
  }

  const ratio = (r: SizeResult) => r.full.perSec / r.baseline.perSec;
  const tables: Table[] = [
    {
      title: 'Full sync: kendrite vs a plain cursor read inserting every row into the same FTS schema',
      columns: ['rows', 'kendrite rows/s', 'baseline rows/s', 'ratio', 'kendrite CPU µs/row', 'baseline CPU µs/row', 'no-change resync rows/s', 'resync CPU µs/row'],
      rows: results.map((r) => [r.rows, fmt.rps(r.full.perSec), fmt.rps(r.baseline.perSec), fmt.ratio(ratio(r)), fmt.rps(r.full.cpuUs), fmt.rps(r.baseline.cpuUs), fmt.rps(r.resync.perSec), r.resync.cpuUs.toFixed(1)]),
      notes: [
        'kendrite: rows / (job EndTime − StartTime) as ListDataSourceSyncJobs reports it: secret, cursor, change and deletion detection, attributes, report, metrics; CPU of the server process.',
        "baseline: FETCH 1,000 rows at a time, one SQLite transaction per batch, raw text and the date (as _created_at) into documents (FTS5 and attributes by the schema's triggers); CPU of the bench process (PostgreSQL's own CPU is in neither).",
      ],
    },
    {
      title: 'Peak RSS of the kendrite server process (VmHWM), one server per size, over its start, both syncs and the API calls',
      columns: ['rows', 'peak RSS MB', 'highest sample: full sync', 'no-change resync'],
      rows: results.map((r) => [r.rows, r.peakRssMb.toFixed(1), r.phaseRssMb.full.toFixed(1), r.phaseRssMb.resync.toFixed(1)]),
    },
  ];
  const small = results[0]!;
  const large = results[results.length - 1]!;
  const targets: Target[] = [
    {
      name: `full sync of ${large.rows} rows ≥ ${FULL_TARGET * 100} % of the cursor baseline's rows/s`,
      pass: ratio(large) >= FULL_TARGET,
      detail: results.map((r) => `${fmt.percent(ratio(r))} at ${r.rows} rows`).join(', '),
    },
  ];
  if (results.length > 1)
    targets.push({
      name: `peak RSS at ${large.rows} rows the same as at ${small.rows} (within ${RSS_NOISE * 100} %)`,
      pass: large.peakRssMb <= small.peakRssMb * (1 + RSS_NOISE),
      detail: `${large.peakRssMb.toFixed(1)} MB vs ${small.peakRssMb.toFixed(1)} MB`,
    });
  return { tables, targets, errors };
}

async function measure(ctx: ScenarioContext, source: URL, rows: number, errors: string[]): Promise<SizeResult> {
  const table = `articles_${rows}`;
  ctx.log(`generating a table of ${rows} rows`);
  await generate(source, table, rows);
  ctx.log('baseline: cursor read into the FTS schema directly');
  const dir = ctx.tempDir(`databaseSync-${rows}-rows`);
  const baseline = await baselineSync(source, table, path.join(dir, 'baseline-store'));

  const secretsFile = path.join(dir, 'secrets.json');
  writeFileSync(secretsFile, JSON.stringify({ [SECRET_ARN]: { username: decodeURIComponent(source.username) || 'postgres', password: decodeURIComponent(source.password) } }));
  const configFile = path.join(dir, 'kendrite.json');
  writeFileSync(configFile, JSON.stringify({ credentials: [{ ...CREDENTIALS, accountId: '000000000000' }], secrets: { file: secretsFile } }));
  const kendrite = await startKendrite({ repoRoot: ctx.repoRoot, dataDir: path.join(dir, 'kendrite'), configFile, env: { KENDRITE_TRANSITION_DELAY_MS: '20' }, nodeArgs: ctx.options.kendriteNodeArgs });
  try {
    const k = new KendraClient({ endpoint: kendrite.url, region: 'us-east-1', credentials: { ...CREDENTIALS }, maxAttempts: 1 }); // a copy: the SDK marks the object it is given ($source)
    const IndexId = await createIndex(k, 'bench');
    const Configuration = {
      DatabaseConfiguration: {
        DatabaseEngineType: 'RDS_POSTGRESQL' as const,
        ConnectionConfiguration: { DatabaseHost: source.hostname, DatabasePort: Number(source.port || 5432), DatabaseName: source.pathname.slice(1), TableName: table, SecretArn: SECRET_ARN },
        ColumnConfiguration: {
          DocumentIdColumnName: 'id', DocumentDataColumnName: 'body', DocumentTitleColumnName: 'title', ChangeDetectingColumns: ['rev'],
          FieldMappings: [{ DataSourceFieldName: 'published', IndexFieldName: '_created_at' }],
        },
      },
    };
    const Id = await createDataSource(k, IndexId, { Name: 'table', Type: 'DATABASE', RoleArn: 'arn:aws:iam::000000000000:role/kendra', Configuration });
    const target = { client: k, indexId: IndexId, dataSourceId: Id, pid: kendrite.pid, items: rows, unit: 'rows', sampleMs: 100 };
    const sync = (label: string, expected: Record<string, number>) => (ctx.log(`kendrite: ${label}`), measuredSync(target, label, expected, errors));
    const full = await sync('full sync', { DocumentsAdded: rows });
    const resync = await sync('no-change resync', {});
    k.destroy();
    return { rows, baseline, full, resync, peakRssMb: memoryMb(kendrite.pid, 'VmHWM'), phaseRssMb: { full: full.rssMb, resync: resync.rssMb } };
  } finally {
    await kendrite.stop();
  }
}

const WORDS = ['kalo', 'mine', 'rusa', 'tivo', 'zepa', 'qudi', 'foga', 'huje', 'wixo', 'byco', 'lamo', 'nera', 'situ', 'vaze', 'pequ', 'dofa', 'guhe', 'jiwa', 'xoby', 'coka'];

/** The table, generated inside PostgreSQL: ~300 bytes of words per row, a date, revision 1. */
async function generate(source: URL, table: string, rows: number): Promise<void> {
  const c = new pg.Client({ connectionString: source.toString() });
  await c.connect();
  try {
    await c.query(`CREATE TABLE ${table} (id BIGINT PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL, published DATE NOT NULL, rev INTEGER NOT NULL)`);
    const w = (k: number) => `(ARRAY[${WORDS.map((x) => `'${x}'`).join(',')}])[1 + ((g * ${k * 7 + 3} + ${k * 11}) % ${WORDS.length})]`;
    const phrase = Array.from({ length: 12 }, (_, k) => w(k)).join(` || ' ' || `);
    await c.query(`INSERT INTO ${table} SELECT g, 'Article ' || g, 'row ' || g || ' ' || repeat(${phrase} || '. ', 5), DATE '2024-01-01' + (g % 365)::int, 1 FROM generate_series(1, ${rows}) g`);
  } finally {
    await c.end();
  }
}

/**
 * The baseline: a server-side cursor read, each batch's rows inserted into the FTS schema in one
 * transaction: the id, title and body, and the row's date as the same field kendrite maps it to.
 */
async function baselineSync(source: URL, table: string, dataDir: string): Promise<Rate> {
  const store = await Store.open({ dataDir });
  // Documents name their index and data source by key (store/idKeys.ts).
  await store.db.transaction().execute((trx) => store.documents.ensureKeys(['bench'], ['table'], trx));
  const insert = store.conn.sqlite!.prepare(
    `INSERT INTO documents (index_key, document_id, source_key, title, body, content_type, attributes, source_uri, content_hash, status, failure_reason, text_bytes, applied_seq, created_at, updated_at)
     VALUES ((SELECT key FROM index_keys WHERE id = 'bench'), ?, (SELECT key FROM data_source_keys WHERE id = 'table'), ?, ?, 'PLAIN_TEXT', ?, NULL, NULL, 'INDEXED', NULL, ?, 0, ?, ?)`,
  );
  const c = new pg.Client({ connectionString: source.toString() });
  await c.connect();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let n = 0;
  await c.query('BEGIN READ ONLY');
  await c.query(`DECLARE baseline NO SCROLL CURSOR FOR SELECT id, title, body, published FROM ${table}`);
  const now = Date.now();
  for (;;) {
    const batch = await c.query<unknown[]>({ text: `FETCH ${FETCH_ROWS} FROM baseline`, rowMode: 'array' });
    // Kysely's transaction holds the same SQLite connection, so the prepared insert runs inside it.
    await store.db.transaction().execute(async () => {
      for (const [id, title, body, published] of batch.rows as [string, string, string, Date][]) {
        const attributes = JSON.stringify([{ Key: '_created_at', Value: { DateValue: published.toISOString() } }]);
        insert.run(String(id), title, body, attributes, Buffer.byteLength(body), now, now);
      }
    });
    n += batch.rows.length;
    if (batch.rows.length < FETCH_ROWS) break;
  }
  await c.query('COMMIT');
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await c.end();
  await store.close();
  return { perSec: n / seconds, cpuUs: (cpu.user + cpu.system) / n };
}
