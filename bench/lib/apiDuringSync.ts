/**
 * The API stays responsive during a sync (issue 14, target 5): Query and ListDataSourceSyncJobs
 * latencies idle, then while a connector sync runs, from the same clients sending the same signed
 * requests (Query and ListDataSourceSyncJobs loads at once); target: each operation's p99 during
 * the sync ≤ TARGET × its idle p99. The sync is then waited for to its end and its counts checked.
 * A Query ended by kendrite's statement time-out counts as an answer at its latency (the p99 a client
 * sees), and the bench prints how many there were idle and during the sync.
 */
import os from 'node:os';
import { ListDataSourceSyncJobsCommand, StartDataSourceSyncJobCommand, type DataSourceSyncJob, type KendraClient } from '@aws-sdk/client-kendra';
import { until, type KendriteProcess } from './processes.js';
import type { Cell, Target } from './scenario.js';
import { KendraWire, type Credentials } from './signing.js';
import type { LoadStop } from './loadWindow.js';
import { fmt } from './stats.js';
import { httpLoad, medianOf, pastStatementTimeout, type Latencies } from '../scenarios/query.js';

export const TARGET = 3;
const PAGE_SIZE = 10;
const MINUTE = 60_000;

export interface ApiDuringSync {
  idleQuery: Latencies;
  idleList: Latencies;
  query: Latencies;
  list: Latencies;
  /** Query answers past kendrite's statement time-out in all the runs idle and during the sync (measured at their latency). */
  pastTimeout: { idle: number; during: number };
  /** Load average (1 min) after each measured run. */
  loadAvg: string[];
  sync?: { added: number; seconds: number; status: string; duringRate: number };
}

export interface ApiLoad {
  kendrite: KendriteProcess;
  client: KendraClient;
  credentials: Credentials;
  region: string;
  indexId: string;
  /** Query's inputs (QueryText, AttributeFilter as on the wire); PageSize is added. */
  queries: Record<string, unknown>[];
  /** The data source synced (whose first page of jobs is listed) and how many documents its sync adds. */
  dataSourceId: string;
  adds: number;
  queryClients: number;
  listClients: number;
  warmupMs: number;
  durationMs: number;
  /**
   * Query's runs measured over answers (LoadStop's `answers`, `warmupAnswers`, `capMs`), where Query
   * answers a few a second and a fixed window holds a handful (the scale bench, PostgreSQL at 1,000,000
   * documents): each ListDataSourceSyncJobs run then lasts as long as the Query run beside it.
   */
  queryAnswers?: Required<Pick<LoadStop, 'answers' | 'warmupAnswers' | 'capMs'>>;
  rounds: number;
  log(line: string): void;
}

/** Measures idle, starts the sync, measures during it (which it must outlast), waits for its end; faults go to `errors`. */
export async function apiDuringSync(o: ApiLoad, errors: string[]): Promise<ApiDuringSync> {
  const { kendrite, client, indexId, dataSourceId } = o;
  const wire = new KendraWire(kendrite.host, kendrite.port, o.credentials, o.region);
  const queries = await Promise.all(o.queries.map((q) => wire.request('Query', { IndexId: indexId, PageSize: PAGE_SIZE, ...q })));
  const lists = [await wire.request('ListDataSourceSyncJobs', { IndexId: indexId, Id: dataSourceId, MaxResults: PAGE_SIZE })];
  const load = (connections: number) => ({ connections, warmupMs: o.warmupMs, durationMs: o.durationMs });
  const loadAvg: string[] = [];
  const measure = async () => {
    // Answers checked by status: documents the sync adds change BM25's statistics, and new counts a page's bytes.
    // A Query the server ended at its statement time-out is an answer its client waited for: measured at
    // its latency (so that p99 shows it) and counted, not a fault of the bench.
    let pastTimeout = 0;
    const ok = (_: number, r: { status: number; body: Buffer }) => {
      if (r.status === 200) return undefined;
      if (pastStatementTimeout(r)) {
        pastTimeout++;
        return undefined;
      }
      return `HTTP ${r.status}: ${r.body.toString().slice(0, 200)}`;
    };
    const queryEnded = new AbortController();
    const [query, list] = await Promise.all([
      httpLoad(kendrite.host, kendrite.port, queries, ok, { ...load(o.queryClients), ...o.queryAnswers }).finally(() => queryEnded.abort()),
      httpLoad(kendrite.host, kendrite.port, lists, ok, { ...load(o.listClients), ...(o.queryAnswers && { answers: Infinity, capMs: o.queryAnswers.capMs, signal: queryEnded.signal }) }),
    ]);
    loadAvg.push(os.loadavg()[0]!.toFixed(1));
    return { query, list, pastTimeout };
  };
  const idle: { query: Latencies; list: Latencies; pastTimeout: number }[] = [];
  const during: typeof idle = [];
  await measure(); // warm: read threads started, code and caches hot
  for (let round = 1; round <= o.rounds; round++) {
    o.log(`round ${round} of ${o.rounds}: idle`);
    idle.push(await measure());
  }

  const startedAt = Date.now();
  const { ExecutionId } = await client.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: dataSourceId }));
  const job = async (): Promise<DataSourceSyncJob | undefined> =>
    (await client.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: dataSourceId, MaxResults: PAGE_SIZE }))).History!.find((j) => j.ExecutionId === ExecutionId);
  const added = async () => Number((await job())?.Metrics?.DocumentsAdded ?? 0);
  await until(async () => (await added()) > 0, 25, 5 * MINUTE);
  const before = await added();
  const measuredFrom = Date.now();
  for (let round = 1; round <= o.rounds; round++) {
    o.log(`round ${round} of ${o.rounds}: during the sync`);
    during.push(await measure());
    const j = await job();
    if (j?.EndTime) errors.push(`the sync of ${o.adds} documents ended (${j.Status}) before the load of round ${round} did: the API during a sync was not measured throughout; sync more`);
  }
  const duringRate = ((await added()) - before) / ((Date.now() - measuredFrom) / 1000);
  o.log('waiting for the sync to end');
  await until(async () => Boolean((await job())?.EndTime), 25, 60 * MINUTE);
  const end = (await job())!;
  const sync = { added: Number(end.Metrics?.DocumentsAdded ?? 0), seconds: (Date.now() - startedAt) / 1000, status: end.Status!, duringRate };
  if (end.Status !== 'SUCCEEDED' || sync.added !== o.adds) errors.push(`the sync ended ${end.Status} with ${sync.added} documents added, expected SUCCEEDED with ${o.adds}`);
  const r = { idleQuery: medianOf(idle.map((x) => x.query)), idleList: medianOf(idle.map((x) => x.list)), query: medianOf(during.map((x) => x.query)), list: medianOf(during.map((x) => x.list)), pastTimeout: { idle: total(idle), during: total(during) }, loadAvg, sync };
  for (const what of ['idleQuery', 'idleList', 'query', 'list'] as const) if (r[what].errors) errors.push(`${what}: ${r[what].errors} failed responses; first: ${r[what].firstError}`);
  return r;
}

const total = (runs: { pastTimeout: number }[]) => runs.reduce((n, r) => n + r.pastTimeout, 0);

export const API_DURING_SYNC_COLUMNS = ['measured', 'requests/s', 'p50 ms', 'p99 ms'];

/** The four rows (each operation idle and during the sync), labelled with `prefix`. */
export function apiDuringSyncRows(r: ApiDuringSync, prefix = ''): Cell[][] {
  const row = (what: string, l: Latencies) => [`${prefix}${what}`, fmt.rps(l.perSecond), fmt.ms(l.p50Ms), fmt.ms(l.p99Ms)];
  return [row('Query, idle', r.idleQuery), row('Query, during the sync', r.query), row('ListDataSourceSyncJobs, idle', r.idleList), row('ListDataSourceSyncJobs, during the sync', r.list)];
}

/** What the sync did, for a table's notes. */
export function syncNote(r: ApiDuringSync): string {
  const s = r.sync;
  const timeouts = ` Query answers past the statement time-out (measured at their latency): ${r.pastTimeout.idle} idle, ${r.pastTimeout.during} during the sync.`;
  return (s
    ? `The sync: ${s.added.toLocaleString('en-US')} documents added (${s.status}) in ${s.seconds.toFixed(1)} s (${fmt.rps(s.added / s.seconds)} documents/s overall, ${fmt.rps(s.duringRate)}/s while measured).`
    : 'The sync did not end.') + timeouts;
}

export function apiDuringSyncTargets(r: ApiDuringSync, prefix = ''): Target[] {
  const one = (what: string, idle: Latencies, during: Latencies): Target => ({
    name: `${prefix}${what} p99 during a sync ≤ ${TARGET} × idle p99`,
    pass: during.count > 0 && during.p99Ms <= TARGET * idle.p99Ms,
    detail: `${fmt.ms(during.p99Ms)} ms against ${fmt.ms(idle.p99Ms)} ms: ${fmt.ratio(during.p99Ms / idle.p99Ms)}×`,
  });
  return [one('ListDataSourceSyncJobs', r.idleList, r.list), one('Query', r.idleQuery, r.query)];
}
