// PostgreSQL plans searches by its statistics, which only ANALYZE makes: right after a bulk sync a new
// index's tables have none, and the planner chose the btree on index_id and tested the text of every
// document (src/store/plannerStatistics.ts). kendrite analyzes them itself once a sync has written a
// large share of the documents. PostgreSQL only: SQLite's searches are driven by FTS5, whatever its
// statistics say.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { KendraClient } from '@aws-sdk/client-kendra';
import pg from 'pg';
import { analyzerFor } from '../src/search/analysis.js';
import { postgresEngine } from '../src/search/postgres.js';
import { analyzeThreshold, PLANNED_COLUMNS } from '../src/store/plannerStatistics.js';
import { parseQueryText } from '../src/search/queryText.js';
import { activeIndex } from './support/kendra.js';
import { describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';
import { activeDataSource, folderTemplate, metrics, syncToEnd } from './support/sync.js';

/** The documents that make a first ANALYZE due (plannerStatistics.ts MIN_ROWS): it runs after the sync's last batch. */
const FILES = 1_000;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const nodesOf = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodesOf)];

test('an ANALYZE is due after 1,000 documents, a tenth of the table, and half of what it samples (300 × the statistics target), whichever is most', () => {
  const thresholds = [-1, 0, 1_000, 3_000, 20_000, 100_000, 300_000, 1_000_000].map((rows) => analyzeThreshold(rows, 100));
  assert.deepEqual(thresholds, [1_000, 1_000, 1_000, 1_500, 10_000, 15_000, 30_000, 100_000]);
  assert.deepEqual([analyzeThreshold(20_000, 10), analyzeThreshold(20_000, 1_000)], [2_000, 10_000]);
  // A first sync of 20,000 documents: analyzed at these counts, about 42,500 rows sampled in all (autovacuum's rule alone: 17 times, 160,000).
  const at: number[] = [];
  for (let n = analyzeThreshold(-1, 100); n <= 20_000; n += analyzeThreshold(n, 100)) at.push(n);
  assert.deepEqual(at, [1_000, 2_000, 3_000, 4_500, 6_750, 10_125, 15_188]);
});

describeOrSkip('planner statistics after a bulk sync [postgres]', { skip: process.env.KENDRITE_TEST_POSTGRES_URL ? false : 'skipped: KENDRITE_TEST_POSTGRES_URL not set' }, () => {
  let store: TestStore;
  let server: TestServer;
  let k: KendraClient;
  let db: pg.Client;
  let folder: string;
  before(async () => {
    folder = mkdtempSync(path.join(tmpdir(), 'kendrite-statistics-'));
    for (let i = 0; i < FILES; i++) {
      const dir = path.join(folder, `d${Math.floor(i / 100)}`);
      if (i % 100 === 0) mkdirSync(dir);
      // Every file shares the common words; one in a hundred holds the rare one.
      writeFileSync(path.join(dir, `f${i}.txt`), `common words of file ${i}${i % 100 === 0 ? ' with zanzibarite' : ''}.\n`);
    }
    store = await TestStore.create('postgres');
    server = await TestServer.start(store, { config: { folders: { allowedRoots: [folder] } } });
    k = server.client();
    db = new pg.Client({ connectionString: store.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db?.end();
    await server?.stop();
    await store?.destroy();
    rmSync(folder, { recursive: true, force: true });
  });

  const analyzed = async () => {
    const { rows } = await db.query<{ analyze_count: string; reltuples: number }>(
      `SELECT s.analyze_count, c.reltuples FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.relname = 'documents'`,
    );
    return { count: Number(rows[0]!.analyze_count), rows: Number(rows[0]!.reltuples) };
  };

  test('a sync of 1,000 documents into a new index is analyzed after its last batch, and the search uses the text index', async () => {
    const indexId = await activeIndex(k);
    const ds = await activeDataSource(k, { IndexId: indexId, Name: 'bulk', Type: 'TEMPLATE', Configuration: folderTemplate(folder) });
    assert.deepEqual(await analyzed(), { count: 0, rows: -1 }, 'a new table: never analyzed');
    // Autovacuum's ANALYZE (every column) would come a minute after the sync at the soonest; it is kept out, so that the statistics seen are kendrite's.
    await db.query('ALTER TABLE documents SET (autovacuum_enabled = false)');

    const job = await syncToEnd(k, indexId, ds, 120_000);
    assert.equal(job.Status, 'SUCCEEDED');
    assert.deepEqual(metrics(job), { scanned: '1000', added: '1000', modified: '0', deleted: '0', failed: '0' });
    // ANALYZE runs in the background once the batch that reached 1,000 documents committed: all of them.
    const stats = await waitFor('the document tables analyzed', async () => ((await analyzed()).count > 0 ? analyzed() : undefined), 30_000);
    assert.deepEqual(stats, { count: 1, rows: FILES });
    // Of documents, only the columns searches compare: the text's statistics were half an ANALYZE's cost and no plan reads them.
    const { rows: columns } = await db.query<{ attname: string }>(`SELECT attname FROM pg_stats WHERE tablename = 'documents' ORDER BY attname`);
    assert.deepEqual(columns.map((r) => r.attname), [...PLANNED_COLUMNS].sort());

    // The engine's own statement for a rare word, planned by the server (EXPLAIN) instead of run.
    const plans: PlanNode[] = [];
    const explaining = {
      connect: async () => ({
        // A statement as text and values, or (Query's rank statement, prepared: store/statementNames.ts) as a named config.
        query: async (q: string | { text: string; values: unknown[] }, params?: unknown[]) => {
          const [text, values] = typeof q === 'string' ? [q, params] : [q.text, q.values];
          const r = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${text}`, values);
          plans.push(r.rows[0]!['QUERY PLAN'][0].Plan);
          return { rows: [] };
        },
        release: () => undefined,
      }),
    } as unknown as pg.Pool;
    await postgresEngine(explaining).rankDocuments({ indexId, language: 'en', query: parseQueryText('zanzibarite', analyzerFor('en')) }, [], 0, 10);
    assert.equal(plans.length, 1);
    const scans = nodesOf(plans[0]!).filter((n) => n['Node Type'].includes('Scan') && n['Index Name']?.startsWith('documents'));
    assert.deepEqual(scans.map((n) => `${n['Node Type']} on ${n['Index Name']}`), ['Bitmap Index Scan on documents_search']);

    // A sync that changes nothing writes nothing: no ANALYZE.
    const again = await syncToEnd(k, indexId, ds, 120_000);
    assert.deepEqual(metrics(again), { scanned: '1000', added: '0', modified: '0', deleted: '0', failed: '0' });
    assert.deepEqual(await analyzed(), { count: 1, rows: FILES });
  });
});
