/**
 * The API stays responsive during work (issue 14, target 5): ListDataSourceSyncJobs and Query p99,
 * idle, then while a FILESYSTEM sync of 100,000 files runs, with the same clients sending the same
 * requests: p99 during the sync ≤ 3 × idle p99, for each operation.
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
import os from 'node:os';
import path from 'node:path';
import { CreateDataSourceCommand, CreateIndexCommand, DescribeDataSourceCommand, DescribeIndexCommand, KendraClient, ListDataSourceSyncJobsCommand, StartDataSourceSyncJobCommand, type DataSourceSyncJob } from '@aws-sdk/client-kendra';
import { rng } from '../lib/corpusText.js';
import { startKendrite, type KendriteProcess } from '../lib/processes.js';
import type { ScenarioContext, ScenarioResult, Table, Target } from '../lib/scenario.js';
import { KendraWire } from '../lib/signing.js';
import { fmt } from '../lib/stats.js';
import { seedSyncJobs } from '../lib/syncHistory.js';
import { Corpus, httpLoad, medianOf, seed, until, type Latencies } from './query.js';

export const name = 'responsiveness';
export const description =
  'ListDataSourceSyncJobs and Query p99 idle, then while a FILESYSTEM sync of 100,000 files runs, the same clients and requests: during ≤ 3 × idle';

const FILES = Number(process.env.KENDRITE_BENCH_RESPONSIVENESS_FILES ?? 100_000);
const QUERY_CLIENTS = 16;
const LIST_CLIENTS = 4;
const HISTORY = 1_000;
const TARGET = 3;
const PAGE_SIZE = 10;
const CREDENTIALS = { accessKeyId: 'AKIDBENCHRESPONSIVE', secretAccessKey: 'bench-responsiveness-secret' };
const REGION = 'us-east-1';
const MINUTE = 60_000;

interface Round {
  query: Latencies;
  list: Latencies;
}

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
  generateFiles(folder, FILES);

  kendrite = await serve();
  const errors: string[] = [];
  const idle: Round[] = [];
  const during: Round[] = [];
  const load = (connections: number) => ({ connections, warmupMs: ctx.options.warmupMs, durationMs: ctx.options.durationMs });
  const loadAvg: string[] = [];
  let sync: { added: number; seconds: number; status: string; duringRate: number } | undefined;
  const client = new KendraClient({ endpoint: kendrite.url, region: REGION, credentials: { ...CREDENTIALS }, maxAttempts: 1 });
  try {
    const wire = new KendraWire(kendrite.host, kendrite.port, CREDENTIALS, REGION);
    const queries = await Promise.all(corpus.queries().map((q) => wire.request('Query', { IndexId: ids.indexId, QueryText: q.QueryText, PageSize: PAGE_SIZE, ...(q.wireFilter ? { AttributeFilter: q.wireFilter } : {}) })));
    const lists = [await wire.request('ListDataSourceSyncJobs', { IndexId: ids.indexId, Id: ids.folderSource, MaxResults: PAGE_SIZE })];
    // Answers checked by status: documents the sync adds change BM25's statistics, and new counts a page's bytes.
    const ok = (_: number, r: { status: number; body: Buffer }) => (r.status === 200 ? undefined : `HTTP ${r.status}: ${r.body.toString().slice(0, 200)}`);
    const measure = async (): Promise<Round> => {
      const [query, list] = await Promise.all([
        httpLoad(kendrite.host, kendrite.port, queries, ok, load(QUERY_CLIENTS)),
        httpLoad(kendrite.host, kendrite.port, lists, ok, load(LIST_CLIENTS)),
      ]);
      loadAvg.push(os.loadavg()[0]!.toFixed(1));
      return { query, list };
    };
    await measure(); // warm: read threads started, code and caches hot
    for (let round = 1; round <= ctx.options.rounds; round++) {
      ctx.log(`round ${round} of ${ctx.options.rounds}: idle`);
      idle.push(await measure());
    }

    const startedAt = Date.now();
    const { ExecutionId } = await client.send(new StartDataSourceSyncJobCommand({ IndexId: ids.indexId, Id: ids.folderSource }));
    const job = async (): Promise<DataSourceSyncJob | undefined> =>
      (await client.send(new ListDataSourceSyncJobsCommand({ IndexId: ids.indexId, Id: ids.folderSource, MaxResults: PAGE_SIZE }))).History!.find((j) => j.ExecutionId === ExecutionId);
    const added = async () => Number((await job())?.Metrics?.DocumentsAdded ?? 0);
    await until(async () => (await added()) > 0, 5 * MINUTE);
    const before = await added();
    const measuredFrom = Date.now();
    for (let round = 1; round <= ctx.options.rounds; round++) {
      ctx.log(`round ${round} of ${ctx.options.rounds}: during the sync`);
      during.push(await measure());
      const j = await job();
      if (j?.EndTime) errors.push(`the sync of ${FILES} files ended (${j.Status}) before the load of round ${round} did: the API during a sync was not measured throughout; sync more files`);
    }
    const duringRate = ((await added()) - before) / ((Date.now() - measuredFrom) / 1000);
    ctx.log('waiting for the sync to end');
    await until(async () => Boolean((await job())?.EndTime), 60 * MINUTE);
    const end = (await job())!;
    sync = { added: Number(end.Metrics?.DocumentsAdded ?? 0), seconds: (Date.now() - startedAt) / 1000, status: end.Status!, duringRate };
    if (end.Status !== 'SUCCEEDED' || sync.added !== FILES) errors.push(`the sync ended ${end.Status} with ${sync.added} documents added, expected SUCCEEDED with ${FILES}`);
  } finally {
    client.destroy();
    await kendrite.stop();
  }
  const rows = { idleQuery: medianOf(idle.map((r) => r.query)), idleList: medianOf(idle.map((r) => r.list)), query: medianOf(during.map((r) => r.query)), list: medianOf(during.map((r) => r.list)) };
  for (const [what, r] of Object.entries(rows)) if (r.errors) errors.push(`${what}: ${r.errors} failed responses; first: ${r.firstError}`);
  return { tables: [table(rows, sync, loadAvg, ctx)], targets: targets(rows), errors };
}

async function createSources(kendrite: KendriteProcess, folder: string): Promise<{ indexId: string; seeded: string[]; folderSource: string }> {
  const client = new KendraClient({ endpoint: kendrite.url, region: REGION, credentials: { ...CREDENTIALS }, maxAttempts: 1 });
  try {
    const indexId = (await client.send(new CreateIndexCommand({ Name: 'bench-responsiveness', RoleArn: 'arn:aws:iam::000000000000:role/kendra' }))).Id!;
    await until(async () => (await client.send(new DescribeIndexCommand({ Id: indexId }))).Status === 'ACTIVE');
    const Template = {
      type: 'FILESYSTEM', syncMode: 'FULL_CRAWL',
      connectionConfiguration: { repositoryEndpointMetadata: { path: folder } },
      additionalProperties: { inclusionPatterns: [], exclusionPatterns: [], maxFileSizeInMegaBytes: '50' },
    };
    const create = async (input: Omit<ConstructorParameters<typeof CreateDataSourceCommand>[0], 'IndexId'>) => {
      const { Id } = await client.send(new CreateDataSourceCommand({ IndexId: indexId, ...input }));
      await until(async () => (await client.send(new DescribeDataSourceCommand({ IndexId: indexId, Id }))).Status === 'ACTIVE');
      return Id!;
    };
    const seeded = [await create({ Name: 'wiki', Type: 'CUSTOM' }), await create({ Name: 'tickets', Type: 'CUSTOM' })];
    const folderSource = await create({ Name: 'folder', Type: 'TEMPLATE', RoleArn: 'arn:aws:iam::000000000000:role/kendra', Configuration: { TemplateConfiguration: { Template } } });
    return { indexId, seeded, folderSource };
  } finally {
    client.destroy();
  }
}

/** Text files of 1–4 KB, 1,000 per directory, of made-up words starting "xq" (no word of the query corpus has an x or a q). */
function generateFiles(root: string, n: number): void {
  const r = rng(14);
  for (let i = 0; i < n; i++) {
    const dir = path.join(root, `d${Math.floor(i / 1000)}`);
    if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
    const words = Array.from({ length: 150 + Math.floor(r() * 450) }, () => `xq${Math.floor(r() * 20_000).toString(36)}`);
    writeFileSync(path.join(dir, `f${i}.txt`), `${words.join(' ')}.\n`);
  }
}

type Rows = Record<'idleQuery' | 'idleList' | 'query' | 'list', Latencies>;

function table(rows: Rows, sync: { added: number; seconds: number; status: string; duringRate: number } | undefined, loadAvg: string[], ctx: ScenarioContext): Table {
  const row = (what: string, r: Latencies) => [what, fmt.rps(r.perSecond), fmt.ms(r.p50Ms), fmt.ms(r.p99Ms)];
  return {
    title: `The API idle and during a FILESYSTEM sync of ${FILES.toLocaleString('en-US')} files (${QUERY_CLIENTS} Query + ${LIST_CLIENTS} ListDataSourceSyncJobs clients at once)`,
    columns: ['measured', 'requests/s', 'p50 ms', 'p99 ms'],
    rows: [
      row('Query, idle', rows.idleQuery),
      row('Query, during the sync', rows.query),
      row('ListDataSourceSyncJobs, idle', rows.idleList),
      row('ListDataSourceSyncJobs, during the sync', rows.list),
    ],
    notes: [
      `${ctx.options.warmupMs / 1000} s warm-up + ${ctx.options.durationMs / 1000} s per run, median of ${ctx.options.rounds} rounds each; load average (1 min) after each run: ${loadAvg.join(', ')}.`,
      sync
        ? `The sync: ${sync.added.toLocaleString('en-US')} documents added (${sync.status}) in ${sync.seconds.toFixed(1)} s (${fmt.rps(sync.added / sync.seconds)} documents/s overall, ${fmt.rps(sync.duringRate)}/s while measured).`
        : 'The sync did not end.',
      'Query: 100,000 seeded documents, the query bench\'s mix; ListDataSourceSyncJobs: the syncing data source\'s first page of 10 (1,000 finished jobs, then the running one).',
    ],
  };
}

function targets(rows: Rows): Target[] {
  const one = (what: string, idle: Latencies, during: Latencies): Target => ({
    name: `${what} p99 during a sync ≤ ${TARGET} × idle p99`,
    pass: during.count > 0 && during.p99Ms <= TARGET * idle.p99Ms,
    detail: `${fmt.ms(during.p99Ms)} ms against ${fmt.ms(idle.p99Ms)} ms: ${fmt.ratio(during.p99Ms / idle.p99Ms)}×`,
  });
  return [one('ListDataSourceSyncJobs', rows.idleList, rows.list), one('Query', rows.idleQuery, rows.query)];
}
