/**
 * The API stays responsive during work (issue 14, target 5): ListDataSourceSyncJobs and Query p99,
 * idle, then while a FILESYSTEM sync of 100,000 files runs, with the same clients sending the same
 * requests: p99 during the sync ≤ 3 × idle p99, for each operation (bench/lib/apiDuringSync.ts).
 *
 * The index holds the query bench's 100,000 seeded documents (bench/scenarios/query.ts: its corpus,
 * seed and load loop), so a query costs what it costs there; the synced files are words no query
 * matches. ListDataSourceSyncJobs lists the syncing data source, which has 1,000 finished jobs of
 * history seeded besides: during the sync its newest job is the running one, its counts changing
 * with every batch. Both loads run at once: 16 Query clients and 4 ListDataSourceSyncJobs clients.
 * After the measurement the sync runs to its end and its counts are checked.
 *
 * KENDRITE_BENCH_RESPONSIVENESS_FILES sets the files synced (default 100,000; fewer while developing:
 * the sync must outlast the measured runs, which the scenario checks).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KendraClient } from '@aws-sdk/client-kendra';
import { API_DURING_SYNC_COLUMNS, apiDuringSync, apiDuringSyncRows, apiDuringSyncTargets, syncNote, type ApiDuringSync } from '../lib/apiDuringSync.js';
import { createDataSource, createFolderSource, createIndex } from '../lib/kendraResources.js';
import { startKendrite, type KendriteProcess } from '../lib/processes.js';
import type { ScenarioContext, ScenarioResult, Table } from '../lib/scenario.js';
import { seedSyncJobs } from '../lib/syncHistory.js';
import { writeUnmatchedFiles } from '../lib/unmatchedFiles.js';
import { Corpus, seed } from './query.js';

export const name = 'responsiveness';
export const description =
  'ListDataSourceSyncJobs and Query p99 idle, then while a FILESYSTEM sync of 100,000 files runs, the same clients and requests: during ≤ 3 × idle';

const FILES = Number(process.env.KENDRITE_BENCH_RESPONSIVENESS_FILES ?? 100_000);
const QUERY_CLIENTS = 16;
const LIST_CLIENTS = 4;
const HISTORY = 1_000;
const CREDENTIALS = { accessKeyId: 'AKIDBENCHRESPONSIVE', secretAccessKey: 'bench-responsiveness-secret' };
const REGION = 'us-east-1';
const MINUTE = 60_000;

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  if (!(Number.isInteger(FILES) && FILES > 0)) throw new Error(`KENDRITE_BENCH_RESPONSIVENESS_FILES must be a positive integer, got ${process.env.KENDRITE_BENCH_RESPONSIVENESS_FILES}`);
  const dataDir = ctx.tempDir('responsiveness');
  const folder = path.join(ctx.tempDir('responsiveness-folder'), 'docs');
  mkdirSync(folder, { recursive: true });
  const configFile = path.join(dataDir, 'bench-config.json');
  writeFileSync(configFile, JSON.stringify({ credentials: [{ ...CREDENTIALS, accountId: '000000000000', permissions: 'read-write' }], folders: { allowedRoots: [folder] } }));
  const serve = () => startKendrite({ repoRoot: ctx.repoRoot, dataDir, configFile, nodeArgs: ctx.options.kendriteNodeArgs, env: { KENDRITE_TRANSITION_DELAY_MS: '20' } });

  ctx.log('creating the index, two CUSTOM data sources to seed and the FILESYSTEM data source');
  let kendrite = await serve();
  const ids = await createSources(kendrite, folder).finally(() => kendrite.stop());

  ctx.log('seeding 100,000 documents and 1,000 finished sync jobs into the store');
  const corpus = new Corpus();
  seed(path.join(dataDir, 'kendrite.db'), ids.indexId, ids.seeded, corpus);
  seedSyncJobs(dataDir, [{ indexId: ids.indexId, dataSourceId: ids.folderSource, count: HISTORY, firstStart: Date.now() - HISTORY * MINUTE, spacingMs: MINUTE }]);
  ctx.log(`generating ${FILES.toLocaleString('en-US')} files to sync`);
  writeUnmatchedFiles(folder, FILES);

  kendrite = await serve();
  const errors: string[] = [];
  const client = new KendraClient({ endpoint: kendrite.url, region: REGION, credentials: { ...CREDENTIALS }, maxAttempts: 1 });
  let r: ApiDuringSync;
  try {
    r = await apiDuringSync(
      {
        kendrite, client, credentials: CREDENTIALS, region: REGION, indexId: ids.indexId,
        queries: corpus.queries().map((q) => ({ QueryText: q.QueryText, ...(q.wireFilter ? { AttributeFilter: q.wireFilter } : {}) })),
        dataSourceId: ids.folderSource, adds: FILES, queryClients: QUERY_CLIENTS, listClients: LIST_CLIENTS,
        warmupMs: ctx.options.warmupMs, durationMs: ctx.options.durationMs, rounds: ctx.options.rounds, log: ctx.log,
      },
      errors,
    );
  } finally {
    client.destroy();
    await kendrite.stop();
  }
  return { tables: [table(r, ctx)], targets: apiDuringSyncTargets(r), errors };
}

async function createSources(kendrite: KendriteProcess, folder: string): Promise<{ indexId: string; seeded: string[]; folderSource: string }> {
  const client = new KendraClient({ endpoint: kendrite.url, region: REGION, credentials: { ...CREDENTIALS }, maxAttempts: 1 });
  try {
    const indexId = await createIndex(client, 'bench-responsiveness');
    const seeded = [await createDataSource(client, indexId, { Name: 'wiki', Type: 'CUSTOM' }), await createDataSource(client, indexId, { Name: 'tickets', Type: 'CUSTOM' })];
    const folderSource = await createFolderSource(client, indexId, 'folder', folder);
    return { indexId, seeded, folderSource };
  } finally {
    client.destroy();
  }
}

function table(r: ApiDuringSync, ctx: ScenarioContext): Table {
  return {
    title: `The API idle and during a FILESYSTEM sync of ${FILES.toLocaleString('en-US')} files (${QUERY_CLIENTS} Query + ${LIST_CLIENTS} ListDataSourceSyncJobs clients at once)`,
    columns: API_DURING_SYNC_COLUMNS,
    rows: apiDuringSyncRows(r),
    notes: [
      `${ctx.options.warmupMs / 1000} s warm-up + ${ctx.options.durationMs / 1000} s per run, median of ${ctx.options.rounds} rounds each; load average (1 min) after each run: ${r.loadAvg.join(', ')}.`,
      syncNote(r),
      'Query: 100,000 seeded documents, the query bench\'s mix; ListDataSourceSyncJobs: the syncing data source\'s first page of 10 (1,000 finished jobs, then the running one).',
    ],
  };
}
