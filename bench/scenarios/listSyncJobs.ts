/**
 * ListDataSourceSyncJobs under load (S-LIST-6: a page costs the same at any history size, page depth
 * and filter). Two CUSTOM data sources of one index, one with 1,000,000 finished jobs and one with
 * 1,000, seeded straight into the SQLite store; signed requests over HTTP from concurrent keep-alive
 * clients; a bare node:http server answering the same bytes as the baseline, in the same run.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { KendraClient } from '@aws-sdk/client-kendra';
import { createDataSource, createIndex } from '../lib/kendraResources.js';
import type { Response } from '../lib/http1.js';
import { exchange } from '../lib/http1.js';
import { runLoad, type LoadResult } from '../lib/load.js';
import { startBaseline, startKendrite, type BaselineProcess, type KendriteProcess } from '../lib/processes.js';
import type { ScenarioContext, ScenarioResult, Table, Target } from '../lib/scenario.js';
import { KendraWire } from '../lib/signing.js';
import { fmt } from '../lib/stats.js';
import { newestWithStatus, seedSyncJobs, startOf, statusOf, type HistoryPlan } from '../lib/syncHistory.js';

export const name = 'listSyncJobs';
export const description =
  'ListDataSourceSyncJobs, signed, over HTTP: first page, a deep page reached by tokens, StatusFilter, StartTimeFilter, at 1,000,000 and 1,000 jobs of history, against a bare node:http server answering the same bytes';

const BIG = 1_000_000;
const SMALL = 1_000;
const PAGE = 10; // MaxResults' default and maximum (S-LIST-3): what every request here gets
const DEEP_PAGE = 1_000;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const CREDENTIALS = { accessKeyId: 'AKIDBENCHLISTSYNCJOBS', secretAccessKey: 'bench-list-sync-jobs-secret' };
const REGION = 'us-east-1';
const THROUGHPUT_TARGET = 0.5;
const P99_TARGET = 1.5;

/** What the measured page must hold, checked once on kendrite's answer before any load. */
interface Expected {
  /** StartTime (epoch ms) of the page's first job. */
  firstStart: number;
  status?: string;
  from?: number;
  to?: number;
}

interface Kind {
  label: string;
  input: Record<string, unknown>;
  expected: Expected;
}

interface Measured {
  kind: string;
  jobs: number;
  kendrite: LoadResult;
  baseline: LoadResult;
}

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const dataDir = ctx.tempDir('listSyncJobs');
  const configFile = path.join(dataDir, 'bench-config.json');
  // Credentials configured: every request's signature is verified, as in any real deployment.
  writeFileSync(configFile, JSON.stringify({ credentials: [{ ...CREDENTIALS, accountId: '000000000000', permissions: 'read-write' }] }));
  const serve = () => startKendrite({ repoRoot: ctx.repoRoot, dataDir, configFile, env: { KENDRITE_TRANSITION_DELAY_MS: '20' }, nodeArgs: ctx.options.kendriteNodeArgs });

  ctx.log('creating the index and two CUSTOM data sources through the API');
  let kendrite = await serve();
  let indexId: string, bigId: string, smallId: string;
  try {
    const client = new KendraClient({ endpoint: kendrite.url, region: REGION, credentials: { ...CREDENTIALS }, maxAttempts: 1 }); // a copy: the SDK marks the object it is given ($source)
    indexId = await createIndex(client, 'bench');
    bigId = await createDataSource(client, indexId, { Name: 'history-1m', Type: 'CUSTOM' });
    smallId = await createDataSource(client, indexId, { Name: 'history-1k', Type: 'CUSTOM' });
    client.destroy();
  } finally {
    await kendrite.stop();
  }

  // One job a minute for the big source, ending an hour ago; the small one spans the same years.
  const firstStart = Math.floor((Date.now() - DAY - BIG * MINUTE) / MINUTE) * MINUTE;
  const big: HistoryPlan = { indexId, dataSourceId: bigId, count: BIG, firstStart, spacingMs: MINUTE };
  const small: HistoryPlan = { indexId, dataSourceId: smallId, count: SMALL, firstStart: firstStart + 30_000, spacingMs: (BIG / SMALL) * MINUTE };
  ctx.log(`seeding ${BIG + SMALL} jobs into sync_jobs`);
  const seeded = Date.now();
  seedSyncJobs(dataDir, [big, small]);
  ctx.log(`seeded in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);

  kendrite = await serve();
  const baseline = await startBaseline();
  const measured: Measured[] = [];
  const errors: string[] = [];
  try {
    const wire = new KendraWire(kendrite.host, kendrite.port, CREDENTIALS, REGION);
    const kinds = [await kindsOf(big, wire, ctx), await kindsOf(small, wire, ctx)] as const;
    for (let k = 0; k < kinds[0].length; k++) {
      // Both sizes of a kind in alternating rounds, so that a noisy moment on the machine hits both.
      const cases = await Promise.all(kinds.map(async (ks, p) => prepare(ks[k]!, p === 0 ? big : small, wire, kendrite)));
      const runs = cases.map(() => ({ kendrite: [] as LoadResult[], baseline: [] as LoadResult[] }));
      for (let round = 1; round <= ctx.options.rounds; round++) {
        for (const [i, c] of cases.entries()) {
          ctx.log(`${c.kind.label}, ${c.plan.count} jobs, round ${round} of ${ctx.options.rounds}`);
          const r = await measureOnce(c, kendrite, baseline, ctx);
          runs[i]!.kendrite.push(r.kendrite);
          runs[i]!.baseline.push(r.baseline);
        }
      }
      for (const [i, c] of cases.entries()) {
        const m: Measured = { kind: c.kind.label, jobs: c.plan.count, kendrite: median(runs[i]!.kendrite), baseline: median(runs[i]!.baseline) };
        for (const [side, r] of [['kendrite', m.kendrite], ['baseline', m.baseline]] as const)
          if (r.errors) errors.push(`${m.kind} at ${c.plan.count} jobs, ${side}: ${r.errors} wrong or failed responses; first: ${r.firstError}`);
        measured.push(m);
      }
    }
  } finally {
    await baseline.stop();
    await kendrite.stop();
  }
  return { tables: tables(measured, ctx), targets: targets(measured), errors };
}

/** Each figure the median of the rounds' (errors: the sum). */
function median(rs: LoadResult[]): LoadResult {
  const mid = (f: (r: LoadResult) => number) => {
    const v = rs.map(f).sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
  };
  return {
    requests: mid((r) => r.requests),
    requestsPerSecond: mid((r) => r.requestsPerSecond),
    p50Ms: mid((r) => r.p50Ms),
    p99Ms: mid((r) => r.p99Ms),
    maxMs: Math.max(...rs.map((r) => r.maxMs)),
    serverCpuUs: mid((r) => r.serverCpuUs),
    errors: rs.reduce((n, r) => n + r.errors, 0),
    firstError: rs.find((r) => r.firstError)?.firstError,
  };
}

/** The four request kinds for one data source; the deep page's token is reached by walking every page before it. */
async function kindsOf(plan: HistoryPlan, wire: KendraWire, ctx: ScenarioContext): Promise<Kind[]> {
  const scope = { IndexId: plan.indexId, Id: plan.dataSourceId };
  const newest = plan.count - 1;
  // The small source has no page 1,000: take its deepest page that is full and has a next one.
  const deep = Math.min(DEEP_PAGE, Math.ceil(plan.count / PAGE) - 1);
  ctx.log(`walking ${deep - 1} pages for the token of page ${deep} (${plan.count} jobs)`);
  let NextToken: string | undefined;
  for (let p = 1; p < deep; p++) {
    const page = await wire.call<{ History: unknown[]; NextToken?: string }>('ListDataSourceSyncJobs', { ...scope, NextToken });
    if (page.History.length !== PAGE || !page.NextToken) throw new Error(`page ${p} of ${plan.count} jobs: ${page.History.length} jobs, NextToken ${page.NextToken ? 'present' : 'absent'}`);
    NextToken = page.NextToken;
  }
  const windowEnd = startOf(plan, Math.floor(plan.count / 2));
  const windowStart = windowEnd - 30 * DAY;
  return [
    { label: 'first page', input: scope, expected: { firstStart: startOf(plan, newest) } },
    { label: `page ${deep} by tokens`, input: { ...scope, NextToken }, expected: { firstStart: startOf(plan, newest - (deep - 1) * PAGE) } },
    {
      label: 'StatusFilter FAILED',
      input: { ...scope, StatusFilter: 'FAILED' },
      expected: { firstStart: startOf(plan, newestWithStatus('FAILED', newest)), status: 'FAILED' },
    },
    {
      label: 'StartTimeFilter 30 days',
      input: { ...scope, StartTimeFilter: { StartTime: windowStart / 1000, EndTime: windowEnd / 1000 } },
      expected: { firstStart: windowEnd, from: windowStart, to: windowEnd },
    },
  ];
}

interface Case {
  kind: Kind;
  plan: HistoryPlan;
  request: Buffer;
  captured: Response;
  check(r: Response): string | undefined;
}

/** Signs the request once (replayed to both servers, well inside the 15 minutes a signature is valid) and captures kendrite's answer. */
async function prepare(kind: Kind, plan: HistoryPlan, wire: KendraWire, kendrite: KendriteProcess): Promise<Case> {
  const request = await wire.request('ListDataSourceSyncJobs', kind.input);
  const captured = await exchange(kendrite.host, kendrite.port, request);
  const wrong = verifyPage(captured, kind.expected, plan);
  if (wrong) throw new Error(`${kind.label} at ${plan.count} jobs: kendrite's answer is wrong: ${wrong}`);
  return { kind, plan, request, captured, check: sameAs(captured) };
}

async function measureOnce(c: Case, kendrite: KendriteProcess, baseline: BaselineProcess, ctx: ScenarioContext): Promise<{ kendrite: LoadResult; baseline: LoadResult }> {
  const load = { request: c.request, check: c.check, connections: ctx.options.connections, warmupMs: ctx.options.warmupMs, durationMs: ctx.options.durationMs };
  const k = await runLoad({ host: kendrite.host, port: kendrite.port, serverPid: kendrite.pid, ...load });
  await baseline.respondWith({ status: c.captured.status, headers: headersOf(c.captured.head), body: c.captured.body.toString('base64') });
  const b = await runLoad({ host: baseline.host, port: baseline.port, serverPid: baseline.pid, ...load });
  return { kendrite: k, baseline: b };
}

/** Checks kendrite's answer against the plan: a full page, newest first, the right jobs, filters kept, a NextToken. */
function verifyPage(r: Response, e: Expected, plan: HistoryPlan): string | undefined {
  if (r.status !== 200) return `HTTP ${r.status}: ${r.body.toString()}`;
  const page = JSON.parse(r.body.toString()) as { History?: Record<string, any>[]; NextToken?: unknown };
  const jobs = page.History ?? [];
  if (jobs.length !== PAGE) return `${jobs.length} jobs, expected ${PAGE}`;
  if (typeof page.NextToken !== 'string') return 'no NextToken, though more jobs follow';
  let previous = Infinity;
  for (const [n, j] of jobs.entries()) {
    const start = Math.round(j.StartTime * 1000);
    const i = (start - plan.firstStart) / plan.spacingMs;
    if (n === 0 && start !== e.firstStart) return `first job starts at ${start}, expected ${e.firstStart}`;
    if (!Number.isInteger(i) || i < 0 || i >= plan.count) return `job ${j.ExecutionId} is not one of this data source's`;
    if (!(start < previous)) return 'not newest first';
    previous = start;
    if (j.Status !== statusOf(i)) return `job ${i} is ${j.Status}, seeded ${statusOf(i)}`;
    if (e.status !== undefined && j.Status !== e.status) return `StatusFilter ${e.status} returned ${j.Status}`;
    if ((e.from !== undefined && start < e.from) || (e.to !== undefined && start > e.to)) return `job ${i} outside StartTimeFilter`;
    if (typeof j.EndTime !== 'number' || !/^[0-9a-f-]{36}$/.test(j.ExecutionId)) return `job ${i} lacks EndTime or ExecutionId`;
    const m = j.Metrics ?? {};
    if (!['DocumentsAdded', 'DocumentsModified', 'DocumentsDeleted', 'DocumentsFailed'].every((k) => /^\d+$/.test(m[k])) || 'DocumentsScanned' in m)
      return `job ${i} metrics ${JSON.stringify(m)}`;
  }
  return undefined;
}

/**
 * Under load, a response must be byte for byte the captured one, except inside the NextToken's value
 * (it carries its issue time); the token keeps its length. Cheap enough to run on every response.
 */
function sameAs(captured: Response): (r: Response) => string | undefined {
  const expected = captured.body;
  const marker = expected.indexOf('"NextToken":"');
  const from = marker < 0 ? expected.length : marker + '"NextToken":"'.length;
  const to = marker < 0 ? expected.length : expected.indexOf('"', from);
  return (r) => {
    if (r.status !== 200) return `HTTP ${r.status}: ${r.body.toString().slice(0, 300)}`;
    if (r.body.length !== expected.length || r.body.compare(expected, 0, from, 0, from) !== 0 || r.body.compare(expected, to, expected.length, to, expected.length) !== 0)
      return `body differs from the captured answer: ${r.body.toString().slice(0, 300)}`;
    if (!r.head.includes('application/x-amz-json-1.1')) return 'wrong content-type';
    return undefined;
  };
}

/** kendrite's own headers, for the baseline to repeat; node:http adds Date, Connection and Keep-Alive itself on both. */
function headersOf(head: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    if (!['date', 'connection', 'keep-alive'].includes(name)) out[name] = line.slice(colon + 1).trim();
  }
  return out;
}

function tables(ms: Measured[], ctx: ScenarioContext): Table[] {
  const load: Table = {
    title: 'ListDataSourceSyncJobs: kendrite vs bare node:http baseline (same request bytes, same response bytes)',
    columns: ['request', 'jobs', 'kendrite req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'baseline req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'req/s k/b', 'CPU b/k'],
    rows: ms.map((m) => [
      m.kind, m.jobs.toLocaleString('en-US'),
      fmt.rps(m.kendrite.requestsPerSecond), fmt.ms(m.kendrite.p50Ms), fmt.ms(m.kendrite.p99Ms), fmt.rps(m.kendrite.serverCpuUs),
      fmt.rps(m.baseline.requestsPerSecond), fmt.ms(m.baseline.p50Ms), fmt.ms(m.baseline.p99Ms), fmt.rps(m.baseline.serverCpuUs),
      fmt.percent(m.kendrite.requestsPerSecond / m.baseline.requestsPerSecond),
      fmt.percent(m.baseline.serverCpuUs / m.kendrite.serverCpuUs),
    ]),
    notes: [
      `${ctx.options.connections} keep-alive clients, ${ctx.options.warmupMs / 1000} s warm-up + ${ctx.options.durationMs / 1000} s per run, median of ${ctx.options.rounds} rounds.`,
      'Every request SigV4-signed and verified by kendrite, 10 jobs per page; every response checked byte for byte (bar the NextToken).',
      'CPU µs/req: the server process\'s user+system CPU time over the run divided by its requests (from /proc), unaffected by other load.',
      `Target: req/s k/b (kendrite's throughput over the baseline's) ≥ ${THROUGHPUT_TARGET * 100} %.`,
    ],
  };
  const independence: Table = {
    title: 'Cost against history size (kendrite)',
    columns: ['request', `p99 ms @${BIG.toLocaleString('en-US')}`, `p99 ms @${SMALL.toLocaleString('en-US')}`, 'ratio', `p50 ms @${BIG.toLocaleString('en-US')}`, `p50 ms @${SMALL.toLocaleString('en-US')}`, `CPU µs @${BIG.toLocaleString('en-US')}`, `CPU µs @${SMALL.toLocaleString('en-US')}`],
    rows: pairs(ms).map(([b, s]) => [
      `${b.kind} / ${s.kind}`.replace(/^(.*) \/ \1$/, '$1'), fmt.ms(b.kendrite.p99Ms), fmt.ms(s.kendrite.p99Ms), fmt.ratio(b.kendrite.p99Ms / s.kendrite.p99Ms),
      fmt.ms(b.kendrite.p50Ms), fmt.ms(s.kendrite.p50Ms), fmt.rps(b.kendrite.serverCpuUs), fmt.rps(s.kendrite.serverCpuUs),
    ]),
    notes: [
      `Target: p99 at ${BIG.toLocaleString('en-US')} jobs ≤ ${P99_TARGET} × p99 at ${SMALL.toLocaleString('en-US')}.`,
      `The deep page is page ${DEEP_PAGE} of the big history; the small one has 100 pages, so its deepest page with a next one (99) stands in.`,
    ],
  };
  return [load, independence];
}

/** The same request kind at both history sizes, in measuring order. */
function pairs(ms: Measured[]): [Measured, Measured][] {
  const bigs = ms.filter((m) => m.jobs === BIG);
  const smalls = ms.filter((m) => m.jobs === SMALL);
  return bigs.map((b, i) => [b, smalls[i]!] as [Measured, Measured]).filter(([, s]) => s !== undefined);
}

function targets(ms: Measured[]): Target[] {
  const throughput = ms.map((m) => ({ m, ratio: m.kendrite.requestsPerSecond / m.baseline.requestsPerSecond }));
  const worstT = throughput.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  const p99 = pairs(ms).map(([b, s]) => ({ kind: b.kind, ratio: b.kendrite.p99Ms / s.kendrite.p99Ms }));
  const worstP = p99.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  return [
    {
      name: `kendrite's throughput ≥ ${THROUGHPUT_TARGET * 100} % of the baseline's, every request kind and size`,
      pass: throughput.every((t) => t.ratio >= THROUGHPUT_TARGET),
      detail: `lowest ${fmt.percent(worstT.ratio)} (${worstT.m.kind}, ${worstT.m.jobs.toLocaleString('en-US')} jobs); ` +
        `${throughput.filter((t) => t.ratio >= THROUGHPUT_TARGET).length} of ${throughput.length} at or above`,
    },
    {
      name: `p99 at ${BIG.toLocaleString('en-US')} jobs ≤ ${P99_TARGET} × p99 at ${SMALL.toLocaleString('en-US')}, every request kind`,
      pass: p99.every((p) => p.ratio <= P99_TARGET),
      detail: `highest ${fmt.ratio(worstP.ratio)}× (${worstP.kind}); ${p99.map((p) => `${p.kind} ${fmt.ratio(p.ratio)}×`).join(', ')}`,
    },
  ];
}
