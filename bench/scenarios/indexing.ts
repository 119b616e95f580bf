/**
 * Indexing against the engine itself. The same extracted text (1–20 KB documents of generated words) is
 * written by kendrite's sync write path — prepare() (fingerprint, analysis), then batches of BATCH_SIZE
 * through writeResults (DocumentIndexer.applyPut + synced_documents + report lines + metrics, one
 * transaction each), deletions through deleteUnseen — and by the plain engine: on SQLite an FTS5
 * table `fts5(title, body, tokenize='porter unicode61')`, on PostgreSQL a table with a GIN index over
 * a title-weighted tsvector; one transaction per 1,000 rows, one INSERT per row. Printed: full sync
 * documents/s and their ratio, what a modified and a deleted document cost next to an added one, and
 * the bytes on disk per byte of extracted text. Each figure is measured as wall time and as CPU time (this
 * process, where SQLite runs, plus the PostgreSQL backends serving the database, read from /proc): on a
 * machine shared with other work the CPU figures are the ones to compare, and the targets are judged on them.
 *
 * KENDRITE_BENCH_INDEXING_DOCS sets the corpus size (default 4,000; a tenth of them modified, a tenth deleted).
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { defaultConfig } from '../../src/config/config.js';
import { Store } from '../../src/store/store.js';
import { deleteUnseen } from '../../src/sync/deletionDetection.js';
import { DocKeySet } from '../../src/sync/docKeySet.js';
import { DocumentIndexer, prepare } from '../../src/sync/documentIndexer.js';
import { BATCH_SIZE } from '../../src/sync/jobRun.js';
import { writeResults, type JobRef } from '../../src/sync/pipeline.js';
import { rng, words } from '../lib/corpusText.js';
import { cpuClock, databaseUrl, measured, plainFts5, plainPostgres, postgresAdminUrl, postgresSize, ROWS_PER_TRANSACTION, type Cost, type CpuClock, type Doc } from '../lib/plainEngine.js';
import type { ScenarioContext, ScenarioResult, Table, Target } from '../lib/scenario.js';
import { fmt } from '../lib/stats.js';

export const name = 'indexing';
export const description =
  "kendrite's sync write path vs the plain engine (SQLite FTS5 porter table; PostgreSQL table + GIN tsvector) fed the same extracted text: full sync docs/s, modified/added and deleted/added cost, bytes on disk per byte of text";

const DOCS = Number(process.env.KENDRITE_BENCH_INDEXING_DOCS ?? 4000);
const CHANGED = Math.max(1, Math.floor(DOCS / 10));
const FULL_TARGET = 0.5;
const MODIFIED_TARGET = 1.2;
const DELETED_TARGET = 0.5;
const SIZE_TARGET = 2;

interface Figures {
  backend: string;
  textBytes: number;
  baseline: Cost;
  baselineBytes: number;
  full: Cost;
  modified: Cost;
  deleted: Cost;
  bytes: number;
}

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const docs = corpus(DOCS, 42);
  const changed = corpus(CHANGED, 7).map((d, i) => ({ ...d, id: docs[i * 10]!.id, title: docs[i * 10]!.title }));
  const deleted = new Set(docs.filter((_, i) => i % 10 === 5).map((d) => d.id));
  const textBytes = docs.reduce((n, d) => n + Buffer.byteLength(d.title) + Buffer.byteLength(d.body), 0);
  const results: Figures[] = [];
  const notes: string[] = [];

  ctx.log(`SQLite: plain FTS5 baseline, ${DOCS} documents`);
  const sqliteDir = ctx.tempDir('indexing-sqlite');
  const sqliteBaseline = await plainFts5(path.join(sqliteDir, 'baseline.db'), docs);
  ctx.log('SQLite: kendrite');
  const sqliteStore = await Store.open({ dataDir: path.join(sqliteDir, 'kendrite') });
  const sqliteFile = path.join(sqliteDir, 'kendrite', 'kendrite.db');
  const checkpoint = () => void sqliteStore.conn.sqlite!.pragma('wal_checkpoint(TRUNCATE)');
  const sqliteSize = () => (checkpoint(), statSync(sqliteFile).size);
  try {
    results.push({ backend: 'SQLite', textBytes, ...sqliteBaseline, ...(await kendrite(ctx, sqliteStore, cpuClock(), docs, changed, deleted, sqliteSize, checkpoint)) });
  } finally {
    await sqliteStore.close();
  }

  const admin = postgresAdminUrl();
  const a = new pg.Client({ connectionString: admin.toString() });
  try {
    await a.connect();
  } catch (e) {
    ctx.log(`PostgreSQL at ${admin.host} cannot be reached (${(e as Error).message}): measured on SQLite only`);
    notes.push(`PostgreSQL at ${admin.host} could not be reached: not measured.`);
  }
  if (!notes.length) {
    const databases = { baseline: `kendrite_bench_indexing_plain_${process.pid}`, kendrite: `kendrite_bench_indexing_${process.pid}` };
    const url = (db: string) => databaseUrl(admin, db);
    try {
      for (const db of Object.values(databases)) {
        await a.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        await a.query(`CREATE DATABASE ${db}`);
      }
      ctx.log(`PostgreSQL: plain GIN tsvector baseline, ${DOCS} documents`);
      const pgBaseline = await plainPostgres(url(databases.baseline), docs, cpuClock(a, databases.baseline));
      ctx.log('PostgreSQL: kendrite');
      const pgStore = await Store.open({ dataDir: ctx.tempDir('indexing-postgres'), databaseUrl: url(databases.kendrite) });
      try {
        results.push({ backend: 'PostgreSQL', textBytes, ...pgBaseline, ...(await kendrite(ctx, pgStore, cpuClock(a, databases.kendrite), docs, changed, deleted, () => postgresSize(url(databases.kendrite)))) });
      } finally {
        await pgStore.close();
      }
    } finally {
      for (const db of Object.values(databases)) await a.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
    }
  }
  await a.end().catch(() => undefined);

  const mb = (n: number) => (n / 1048576).toFixed(1);
  const perSec = (c: Cost, n: number, k: keyof Cost) => n / (c[k] / 1000);
  const tables: Table[] = [
    {
      title: `Indexing ${DOCS} documents (${mb(textBytes)} MB of extracted text); ${CHANGED} then modified, ${deleted.size} deleted`,
      columns: ['backend', 'time', 'kendrite docs/s', 'engine docs/s', 'ratio', 'added ms/doc', 'modified ms/doc', 'deleted ms/doc', 'modified/added', 'deleted/added'],
      rows: results.flatMap((r) => (['cpuMs', 'wallMs'] as const).map((k) => {
        const added = r.full[k] / DOCS;
        const modified = r.modified[k] / CHANGED;
        const removed = r.deleted[k] / deleted.size;
        return [r.backend, k === 'cpuMs' ? 'CPU' : 'wall', fmt.rps(perSec(r.full, DOCS, k)), fmt.rps(perSec(r.baseline, DOCS, k)), fmt.ratio(perSec(r.full, DOCS, k) / perSec(r.baseline, DOCS, k)), fmt.ms(added), fmt.ms(modified), fmt.ms(removed), fmt.ratio(modified / added), fmt.ratio(removed / added)];
      })),
      notes: [
        `kendrite: prepare() of each text, then its sync write path in batches of ${BATCH_SIZE} (writeResults: applyPut, synced_documents, report, metrics), under a running sync job; deletions by deleteUnseen.`,
        `engine: SQLite fts5(title, body, tokenize='porter unicode61'); PostgreSQL title, body and a stored tsvector (title A, body B, english) with a GIN index; one INSERT per row, ${ROWS_PER_TRANSACTION} rows per transaction.`,
        'CPU: this process (SQLite runs in it) and the PostgreSQL backends of the database (/proc), per document; wall: elapsed. Targets are judged on CPU (the machine is shared).',
        ...notes,
      ],
    },
    {
      title: 'Size on disk per byte of extracted text (title and body)',
      columns: ['backend', 'kendrite', 'engine'],
      rows: results.map((r) => [r.backend, fmt.ratio(r.bytes / r.textBytes), fmt.ratio(r.baselineBytes / r.textBytes)]),
      notes: ['what the database grew by: SQLite the file after a WAL checkpoint; PostgreSQL its tables with indexes and TOAST.'],
    },
  ];
  const targets: Target[] = results.flatMap((r): Target[] => {
    const full = perSec(r.full, DOCS, 'cpuMs') / perSec(r.baseline, DOCS, 'cpuMs');
    const added = r.full.cpuMs / DOCS;
    const modified = r.modified.cpuMs / CHANGED;
    const removed = r.deleted.cpuMs / deleted.size;
    const wall = perSec(r.full, DOCS, 'wallMs') / perSec(r.baseline, DOCS, 'wallMs');
    return [
      { name: `${r.backend}: full sync ≥ ${FULL_TARGET * 100} % of the engine's documents/s (CPU)`, pass: full >= FULL_TARGET, detail: `${fmt.percent(full)} (${fmt.rps(perSec(r.full, DOCS, 'cpuMs'))} vs ${fmt.rps(perSec(r.baseline, DOCS, 'cpuMs'))} docs per CPU second; wall ${fmt.percent(wall)})` },
      { name: `${r.backend}: a modified document ≤ ${MODIFIED_TARGET}× an added one (CPU)`, pass: modified / added <= MODIFIED_TARGET, detail: `${fmt.ratio(modified / added)}× (${fmt.ms(modified)} vs ${fmt.ms(added)} ms)` },
      { name: `${r.backend}: a deleted document ≤ ${DELETED_TARGET}× an added one (CPU)`, pass: removed / added <= DELETED_TARGET, detail: `${fmt.ratio(removed / added)}× (${fmt.ms(removed)} vs ${fmt.ms(added)} ms)` },
      { name: `${r.backend}: size on disk ≤ ${SIZE_TARGET}× the extracted text`, pass: r.bytes / r.textBytes <= SIZE_TARGET, detail: `${fmt.ratio(r.bytes / r.textBytes)}× (engine ${fmt.ratio(r.baselineBytes / r.textBytes)}×)` },
    ];
  });
  return { tables, targets, errors: [] };
}

function corpus(n: number, seed: number): Doc[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => ({ id: `doc-${String(i).padStart(7, '0')}`, title: `Document ${i} ${words(r, 30)}`, body: words(r, 1024 + Math.floor(r() * 19 * 1024)) }));
}

/** The full sync, a sync modifying CHANGED documents and one deleting as many, each a sync job of its own. */
async function kendrite(ctx: ScenarioContext, store: Store, cpu: CpuClock, docs: Doc[], changed: Doc[], deleted: Set<string>, size: () => number | Promise<number>, settle: () => void = () => undefined) {
  const config = defaultConfig();
  const clock = () => Date.now();
  const indexer = new DocumentIndexer(store, clock, config.limits, () => Promise.reject(new Error('no S3 here')));
  const indexId = 'bench-index';
  const dataSourceId = 'bench-source';
  // Documents name their index and data source by key (store/idKeys.ts): neither is made through the API here.
  await store.db.transaction().execute((trx) => store.documents.ensureKeys([indexId], [dataSourceId], trx));
  let jobs = 0;
  const job = async (): Promise<JobRef> => {
    const executionId = `bench-job-${++jobs}`;
    const now = clock();
    const started = await store.syncJobs.start({ execution_id: executionId, index_id: indexId, data_source_id: dataSourceId, data_source_type: 'CUSTOM', start_time: now, data_source_snapshot: '{}', lease_owner: 'bench', lease_expires_at: now + 3_600_000 });
    if (!started) throw new Error(`the bench could not start sync job ${executionId}`);
    return { executionId, indexId, dataSourceId };
  };
  const end = async (j: JobRef) => {
    for (const status of ['SYNCING_INDEXING', 'SUCCEEDED'] as const) if (!(await store.syncJobs.transition(j.executionId, status, clock()))) throw new Error(`sync job ${j.executionId} could not become ${status}`);
  };
  const write = async (j: JobRef, batch: Doc[]) => {
    const items = await Promise.all(batch.map(async (d) => ({ kind: 'put' as const, id: d.id, prepared: await prepare(Buffer.from(d.body), { title: d.title, contentType: 'PLAIN_TEXT', attributes: [], version: null }, config.limits) })));
    if (!(await writeResults(store, indexer, clock, j, items, false))) throw new Error('the bench job could not write');
  };
  // Each step pays for its own writes: SQLite's WAL is checkpointed at its end (not by whichever later commit crosses the threshold).
  const timed = (f: () => Promise<void>) => measured(cpu, async () => (await f(), settle()));

  const empty = await size();
  ctx.log(`  full sync of ${docs.length} documents`);
  const full = await job();
  const fullCost = await timed(async () => {
    for (let i = 0; i < docs.length; i += BATCH_SIZE) await write(full, docs.slice(i, i + BATCH_SIZE));
  });
  await end(full);
  const bytes = (await size()) - empty;

  ctx.log(`  modifying ${changed.length} documents`);
  const modify = await job();
  const modifyCost = await timed(async () => {
    for (let i = 0; i < changed.length; i += BATCH_SIZE) await write(modify, changed.slice(i, i + BATCH_SIZE));
  });
  await end(modify);

  ctx.log(`  deleting ${deleted.size} documents`);
  const remove = await job();
  const kept = await store.documents.getMany(indexId, docs.filter((d) => !deleted.has(d.id)).map((d) => d.id));
  const unchanged = new DocKeySet();
  for (const d of kept) unchanged.add(d.doc_key);
  const deleteCost = await timed(() => deleteUnseen(store, clock, remove, unchanged, new AbortController().signal));
  await end(remove);
  const left = (await store.documents.statistics(indexId)).count;
  if (left !== docs.length - deleted.size) throw new Error(`the index holds ${left} documents after the deletions, not ${docs.length - deleted.size}`);

  return { full: fullCost, modified: modifyCost, deleted: deleteCost, bytes };
}
