/**
 * Query under load over 100,000 documents: a mix of single-word, phrase, boolean and filtered
 * queries, signed, over HTTP from concurrent keep-alive clients, against
 *  - the same queries run straight on the full-text engine (src/search, FTS5) in this process, at the
 *    same concurrency: what the search itself costs;
 *  - a bare node:http server answering the same bytes, in the same run: what HTTP itself costs.
 * Target: kendrite's p50 minus the bare server's p50 ≤ 1.5 × the engine's p50 — the API (SigV4,
 * validation, index lookup, excerpts and highlights, JSON) adds little beyond the search.
 *
 * Throughput (issue 14, target 3), side by side in each round at 16 clients: this build (searches on
 * its read threads, search.readThreads) against the release before issue 14's work, built from git
 * (PREVIOUS_RELEASE), and against this build with readThreads 0 (every search on the main thread).
 * Targets: throughput ≥ 3× the release's, p99 ≤ 4× p50. (Query during a sync is measured by the
 * responsiveness scenario.)
 *
 * The documents are seeded straight into the SQLite store of a stopped kendrite, through the same
 * triggers that indexing uses; their text is drawn from a Zipf-distributed
 * vocabulary of made-up words, so that word frequencies look like a real collection's.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { KendraClient } from '@aws-sdk/client-kendra';
import { fts5Engine } from '../../src/search/fts5.js';
import { packText, registerPackedText } from '../../src/store/packedText.js';
import type { SearchEngine } from '../../src/search/engine.js';
import type { AttributeFilter } from '../../src/search/attributeFilter.js';
import { parseQueryText } from '../../src/search/queryText.js';
import { PAST_STATEMENT_TIMEOUT } from '../../src/search/errors.js';
import { analyzerFor } from '../../src/search/analysis.js';
import { queryLanguage } from '../../src/search/language.js';
import { Connection, exchange, type Response } from '../lib/http1.js';
import { LoadWindow, type LoadStop } from '../lib/loadWindow.js';
import { createDataSource, createIndex } from '../lib/kendraResources.js';
import { buildRelease } from '../lib/previousRelease.js';
import { cpuTimeMs, startBaseline, startKendrite, type KendriteProcess } from '../lib/processes.js';
import type { ScenarioContext, ScenarioResult, Table, Target } from '../lib/scenario.js';
import { KendraWire } from '../lib/signing.js';
import { fmt, percentile } from '../lib/stats.js';

export const name = 'query';
export const description =
  'Query over 100,000 documents: single-word, phrase, boolean and filtered queries, signed, over HTTP at 16 clients, against the same queries on the FTS5 engine in-process and a bare node:http server';

const DOCUMENTS = 100_000;
const CLIENTS = 16;
const VOCABULARY = 20_000;
const QUERIES_PER_KIND = 8;
const PAGE_SIZE = 10;
const TARGET = 1.5;
/** Query throughput at 16 clients over the release before issue 14's (issue 14, target 3: "3× today's", 55–60 queries/s then). */
const THROUGHPUT_TARGET = 3;
/** p99 over p50 with read threads, at 16 clients. */
const TAIL_TARGET = 4;
/**
 * "Today's" in issue 14: main's last commit before the first Performance II merge (9d5a8e8, whose
 * first parent it is). Every Performance II branch (write path, read threads, indexing bench, peer
 * engine, relevance) forked from 1dd7748, before it; this commit itself changed only the reliability
 * suite and document claims, no search or HTTP path. Its lockfile pins the same runtime packages.
 */
const PREVIOUS_RELEASE = '0d5abca';
const CREDENTIALS = { accessKeyId: 'AKIDBENCHQUERY', secretAccessKey: 'bench-query-secret' };
const REGION = 'us-east-1';
const DEPARTMENTS = ['Platform', 'Data', 'Security', 'People', 'Finance', 'Facilities', 'Legal', 'Sales'];
const TAGS = Array.from({ length: 24 }, (_, i) => `tag${i}`);
const DAY = 86_400_000;
const EPOCH_2023 = Date.UTC(2023, 0, 1);

type Kind = 'single word' | 'phrase' | 'boolean' | 'filtered';
const KINDS: Kind[] = ['single word', 'phrase', 'boolean', 'filtered'];

export interface BenchQuery {
  kind: Kind;
  QueryText: string;
  AttributeFilter?: AttributeFilter;
  /** The wire form of AttributeFilter (dates as epoch seconds, as the SDKs send them). */
  wireFilter?: unknown;
}

export interface Latencies {
  p50Ms: number;
  p99Ms: number;
  perSecond: number;
  count: number;
  errors: number;
  firstError?: string;
  /** Responses answered in the whole run, warm-up included. */
  answered: number;
  /** The server's CPU time (all its threads) per answered query, ms; absent where not measured. */
  cpuMsPerQuery?: number;
  /** Present (true) when the load's time cap ended it before the answers it asked for were in (LoadStop). */
  capped?: true;
  /** Answers that ran past a statement time-out, where the load tells them apart (TIMED_OUT): neither measured nor errors. */
  timedOut?: number;
}

/**
 * What a load's check returns for an answer that ran past a statement time-out: a failure to a user, but
 * not a wrong answer — where the sides compared all have the same time-out (the scale bench on
 * PostgreSQL), each side's are counted and printed, and its latencies are those of the answers it gave.
 */
export const TIMED_OUT = Symbol('timed out');

/** Whether kendrite answered that the search ran past its statement time-out (search.statementTimeoutMs). */
export const pastStatementTimeout = (r: { status: number; body: Buffer }): boolean => r.status === 400 && r.body.toString().includes(PAST_STATEMENT_TIMEOUT);

/** Why an answer is wrong (undefined: right), or TIMED_OUT. */
export type AnswerCheck = (i: number, r: Response) => string | undefined | typeof TIMED_OUT;

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const dataDir = ctx.tempDir('query');
  const releaseDir = ctx.tempDir('query-release');
  const releaseDataDir = ctx.tempDir('query-release-data');
  const configFile = path.join(dataDir, 'bench-config.json');
  writeFileSync(configFile, JSON.stringify({ credentials: [{ ...CREDENTIALS, accountId: '000000000000', permissions: 'read-write' }] }));
  const env = { KENDRITE_TRANSITION_DELAY_MS: '20' };
  /** `readThreads` undefined: the server's default (one per core). */
  const serve = (readThreads?: number) =>
    startKendrite({ repoRoot: ctx.repoRoot, dataDir, configFile, nodeArgs: ctx.options.kendriteNodeArgs, env: { ...env, ...(readThreads !== undefined ? { KENDRITE_SEARCH_READ_THREADS: String(readThreads) } : {}) } });
  const serveRelease = () => startKendrite({ repoRoot: releaseDir, dataDir: releaseDataDir, configFile, nodeArgs: ctx.options.kendriteNodeArgs, env });

  ctx.log(`building the release before issue 14 (${PREVIOUS_RELEASE}) from git`);
  buildRelease(ctx.repoRoot, PREVIOUS_RELEASE, releaseDir);
  const corpus = new Corpus();
  const indexId = await seeded(serve, path.join(dataDir, 'kendrite.db'), corpus, ctx, 'this build');
  const releaseIndexId = await seeded(serveRelease, path.join(releaseDataDir, 'kendrite.db'), new Corpus(), ctx, `release ${PREVIOUS_RELEASE}`);
  const queries = corpus.queries();

  let kendrite = await serve();
  const release = await serveRelease();
  const baseline = await startBaseline();
  const engine = fts5Engine(path.join(dataDir, 'kendrite.db'));
  const errors: string[] = [];
  const rounds: { kendrite: Latencies; mainThread: Latencies; release: Latencies; engine: Latencies; single: Latencies; bare: Latencies }[] = [];
  let sameAnswers = 0;
  try {
    // Signed for one server's host and port: a restarted server (another port) needs them signed again.
    const signed = (server: KendriteProcess, IndexId: string) => {
      const wire = new KendraWire(server.host, server.port, CREDENTIALS, REGION);
      return Promise.all(queries.map((q) => wire.request('Query', { IndexId, QueryText: q.QueryText, PageSize: PAGE_SIZE, ...(q.wireFilter ? { AttributeFilter: q.wireFilter } : {}) })));
    };
    let requests = await signed(kendrite, indexId);
    const releaseRequests = await signed(release, releaseIndexId);
    // Each answer checked once against the engine's own ranking; under load, by status and length
    // (result ids, query id and feedback tokens are fresh UUIDs of fixed length every time).
    const lengths: number[] = [];
    const releaseLengths: number[] = [];
    const captured: Response[] = [];
    for (const [i, q] of queries.entries()) {
      const r = await exchange(kendrite.host, kendrite.port, requests[i]!);
      if (r.status !== 200) throw new Error(`${q.kind} query ${JSON.stringify(q.QueryText)}: HTTP ${r.status} ${r.body.toString().slice(0, 300)}`);
      const got = documentIds(r);
      const expected = await engineIds(engine, indexId, q);
      if (!got.length) throw new Error(`${q.kind} query ${JSON.stringify(q.QueryText)} found nothing: a benchmark of empty answers measures nothing`);
      if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`${q.kind} query ${JSON.stringify(q.QueryText)}: kendrite answered ${got.join(',')}, the engine ${expected.join(',')}`);
      lengths.push(r.body.length);
      captured.push(r);
      // The release answers the same question over the same documents: its page must not be empty; whether it is the same page is counted.
      const old = await exchange(release.host, release.port, releaseRequests[i]!);
      if (old.status !== 200 || !documentIds(old).length) throw new Error(`release ${PREVIOUS_RELEASE}, ${q.kind} query ${JSON.stringify(q.QueryText)}: HTTP ${old.status}, ${old.body.toString().slice(0, 300)}`);
      if (JSON.stringify(documentIds(old)) === JSON.stringify(got)) sameAnswers++;
      releaseLengths.push(old.body.length);
    }
    // The bare server answers every request with one response of median size.
    const median = [...captured].sort((a, b) => a.body.length - b.body.length)[Math.floor(captured.length / 2)]!;
    await baseline.respondWith({ status: 200, headers: headersOf(median.head), body: median.body.toString('base64') });
    const checkOf = (expected: number[]) => (i: number, r: Response) =>
      r.status !== 200 ? `HTTP ${r.status}: ${r.body.toString().slice(0, 200)}` : r.body.length !== expected[i] ? `answer of ${r.body.length} bytes, expected ${expected[i]}` : undefined;
    const check = checkOf(lengths);
    const load = { connections: CLIENTS, warmupMs: ctx.options.warmupMs, durationMs: ctx.options.durationMs };

    for (let round = 1; round <= ctx.options.rounds; round++) {
      const step = (what: string) => ctx.log(`round ${round} of ${ctx.options.rounds}: ${what}`);
      // The same server with every search on the main thread, then back to the default; which of the
      // two runs first alternates, so that neither always follows a restart.
      const onMainThread = async () => {
        await kendrite.stop();
        kendrite = await serve(0);
        step('kendrite, readThreads 0');
        const mine = await signed(kendrite, indexId);
        await warm(kendrite, mine);
        const r = await serverLoad(kendrite, mine, check, load);
        await kendrite.stop();
        kendrite = await serve();
        requests = await signed(kendrite, indexId);
        return r;
      };
      const onRelease = async () => {
        step(`release ${PREVIOUS_RELEASE}`);
        await warm(release, releaseRequests);
        return serverLoad(release, releaseRequests, checkOf(releaseLengths), load);
      };
      const even = round % 2 === 0;
      const k0First = even ? await onMainThread() : undefined;
      const relFirst = even ? undefined : await onRelease();
      step('kendrite (default read threads)');
      await warm(kendrite, requests);
      const k = await serverLoad(kendrite, requests, check, load);
      const rel = relFirst ?? (await onRelease());
      const k0 = k0First ?? (await onMainThread());
      step('engine');
      const e = await engineLoad((i) => engineIds(engine, indexId, queries[i]!).then(() => undefined), queries.length, load);
      step('engine, one caller');
      const e1 = await engineLoad((i) => engineIds(engine, indexId, queries[i]!).then(() => undefined), queries.length, { ...load, connections: 1 });
      step('bare node:http');
      const b = await httpLoad(baseline.host, baseline.port, requests, (_, r) => (r.status === 200 && r.body.length === median.body.length ? undefined : `bare server answered ${r.status}`), load);
      rounds.push({ kendrite: k, mainThread: k0, release: rel, engine: e, single: e1, bare: b });
    }
    for (const [side, r] of [
      ['kendrite', medianOf(rounds.map((x) => x.kendrite))],
      ['kendrite, readThreads 0', medianOf(rounds.map((x) => x.mainThread))],
      [`release ${PREVIOUS_RELEASE}`, medianOf(rounds.map((x) => x.release))],
      ['bare server', medianOf(rounds.map((x) => x.bare))],
    ] as const)
      if (r.errors) errors.push(`${side}: ${r.errors} wrong or failed responses; first: ${r.firstError}`);
  } finally {
    await engine.close();
    await baseline.stop();
    await release.stop();
    await kendrite.stop();
  }
  const of = (side: keyof (typeof rounds)[number]) => medianOf(rounds.map((x) => x[side]));
  const [k, k0, rel, e, b, single] = [of('kendrite'), of('mainThread'), of('release'), of('engine'), of('bare'), of('single')];
  return {
    tables: [table(k, e, single, b, queries, ctx), throughputTable(k, k0, rel, sameAnswers, queries.length, ctx)],
    targets: [target(k, e, b), ...throughputTargets(k, rel)],
    errors,
  };
}

/** Creates the index and two CUSTOM data sources through a server's API, stops it, and seeds the documents into its store. */
async function seeded(serve: () => Promise<KendriteProcess>, databaseFile: string, corpus: Corpus, ctx: ScenarioContext, which: string): Promise<string> {
  ctx.log(`${which}: creating the index and two CUSTOM data sources through the API`);
  const server = await serve();
  let indexId: string;
  const sources: string[] = [];
  try {
    const client = new KendraClient({ endpoint: server.url, region: REGION, credentials: { ...CREDENTIALS }, maxAttempts: 1 }); // a copy: the SDK marks the object it is given ($source)
    indexId = await createIndex(client, 'bench-query');
    for (const Name of ['wiki', 'tickets']) sources.push(await createDataSource(client, indexId, { Name, Type: 'CUSTOM' }));
    client.destroy();
  } finally {
    await server.stop();
  }
  ctx.log(`${which}: seeding ${DOCUMENTS.toLocaleString('en-US')} documents into the store`);
  const seededAt = Date.now();
  seed(databaseFile, indexId, sources, corpus);
  ctx.log(`${which}: seeded in ${((Date.now() - seededAt) / 1000).toFixed(1)} s`);
  return indexId;
}

function documentIds(r: Response): string[] {
  return (JSON.parse(r.body.toString()) as { ResultItems: { DocumentId: string }[] }).ResultItems.map((x) => x.DocumentId);
}
/** httpLoad against a server, with the CPU time the server used per query answered (every thread of it, from /proc). */
async function serverLoad(server: KendriteProcess, requests: Buffer[], check: (i: number, r: Response) => string | undefined, o: { connections: number; warmupMs: number; durationMs: number }): Promise<Latencies> {
  const before = cpuTimeMs(server.pid);
  const r = await httpLoad(server.host, server.port, requests, check, o);
  return { ...r, cpuMsPerQuery: (cpuTimeMs(server.pid) - before) / r.answered };
}

/**
 * Every query twice, all at once, before a freshly started server is measured: its read threads
 * start, and its code and caches warm, outside the measured run (with both settings alike).
 */
async function warm(server: KendriteProcess, requests: Buffer[]): Promise<void> {
  for (let pass = 0; pass < 2; pass++) await Promise.all(requests.map((r) => exchange(server.host, server.port, r)));
}

function throughputTable(k: Latencies, k0: Latencies, rel: Latencies, sameAnswers: number, queries: number, ctx: ScenarioContext): Table {
  const row = (what: string, r: Latencies) => [what, fmt.rps(r.perSecond), fmt.ms(r.p50Ms), fmt.ms(r.p99Ms), fmt.ratio(r.p99Ms / r.p50Ms), fmt.ms(r.cpuMsPerQuery ?? NaN)];
  return {
    title: `Query throughput at ${CLIENTS} clients: this build (search.readThreads, default ${availableParallelism()} here) against the release before issue 14 (${PREVIOUS_RELEASE}) and against readThreads 0`,
    columns: ['measured', 'queries/s', 'p50 ms', 'p99 ms', 'p99/p50', 'server CPU ms/query'],
    rows: [
      row('kendrite, default read threads', k),
      row(`release ${PREVIOUS_RELEASE} (every search on the main thread)`, rel),
      row('kendrite, readThreads 0 (every search on the main thread)', k0),
    ],
    notes: [
      `The release is built from git (${PREVIOUS_RELEASE}: main's last commit before the first Performance II merge) and serves its own data dir, seeded with the same documents through its own schema; each server measured alone, median of ${ctx.options.rounds} rounds.`,
      `Throughput ${fmt.ratio(k.perSecond / rel.perSecond)}× the release's (target ≥ ${THROUGHPUT_TARGET}), ${fmt.ratio(k.perSecond / k0.perSecond)}× readThreads 0's; p99/p50 ${fmt.ratio(k.p99Ms / k.p50Ms)} (target ≤ ${TAIL_TARGET}).`,
      `Server CPU per query (every thread, from /proc; the figure to compare on a busy machine): the release's ${fmt.ratio((rel.cpuMsPerQuery ?? NaN) / (k.cpuMsPerQuery ?? NaN))}× this build's.`,
      `The release's first page is the same as this build's for ${sameAnswers} of ${queries} queries (under load each server's answers are checked by status and length against its own first ones).`,
    ],
  };
}

function throughputTargets(k: Latencies, rel: Latencies): Target[] {
  return [
    {
      name: `Query throughput at ${CLIENTS} clients ≥ ${THROUGHPUT_TARGET} × the release before issue 14 (${PREVIOUS_RELEASE})`,
      pass: k.perSecond >= THROUGHPUT_TARGET * rel.perSecond,
      detail: `${fmt.rps(k.perSecond)} against ${fmt.rps(rel.perSecond)} queries/s: ${fmt.ratio(k.perSecond / rel.perSecond)}×`,
    },
    {
      name: `Query p99 ≤ ${TAIL_TARGET} × p50 on read threads at ${CLIENTS} clients`,
      pass: k.p99Ms <= TAIL_TARGET * k.p50Ms,
      detail: `p99 ${fmt.ms(k.p99Ms)} ms, p50 ${fmt.ms(k.p50Ms)} ms: ${fmt.ratio(k.p99Ms / k.p50Ms)}×`,
    },
  ];
}

/** What the engine returns for one query's first page: rank, then read the page's rows (as Query does). */
export async function engineIds(engine: SearchEngine, indexId: string, q: BenchQuery): Promise<string[]> {
  const ranked = await engine.rankDocuments({ indexId, language: queryLanguage(q.AttributeFilter), query: parseQueryText(q.QueryText, analyzerFor(queryLanguage(q.AttributeFilter))), filter: q.AttributeFilter }, [], 0, PAGE_SIZE);
  const docs = new Map((await engine.documents(ranked.items.map((r) => r.docKey), 50_000)).map((d) => [d.docKey, d.documentId]));
  return ranked.items.map((r) => docs.get(r.docKey)!);
}

/**
 * Where client `n` of `clients` starts in the mix of `count` queries: spread evenly over it. The
 * clients go through the mix at the same pace, so the queries in flight at any moment are the ones
 * between their starting points: spread, they are the whole mix in proportion. (Starting client n at
 * query n kept every client in the same half of the mix at once, and a run shorter than one pass
 * through it measured whichever half the clients happened to be in: single words and phrases in the
 * first second, boolean and filtered queries after, the cost per query varying fourfold.)
 */
function startOf(n: number, clients: number, count: number): number {
  return Math.floor((n * count) / clients);
}

/**
 * The answers of one load over HTTP: each request sent, timed, checked and counted; latencies kept
 * only for right answers inside the measured window (bench/lib/loadWindow.ts).
 */
export class RequestTally {
  private readonly latencies: number[] = [];
  private answered = 0;
  private errors = 0;
  private timedOut = 0;
  private firstError: string | undefined;

  constructor(
    readonly window: LoadWindow,
    private readonly check: AnswerCheck,
  ) {}

  /** Sends requests[q] on c and records how it went; false when the connection failed. */
  async send(c: Connection, requests: Buffer[], q: number): Promise<boolean> {
    const sent = performance.now();
    try {
      const r = await c.send(requests[q]!);
      const done = performance.now();
      const wrong = this.check(q, r);
      this.answered++;
      if (wrong === TIMED_OUT) this.timedOut++;
      else if (wrong) {
        this.errors++;
        this.firstError ??= wrong;
      }
      if (this.window.answered(done, !wrong)) this.latencies.push(done - sent);
      return true;
    } catch (e) {
      this.errors++;
      this.firstError ??= (e as Error).message;
      return false;
    }
  }

  /** Requests answered so far, good or not. */
  get count(): number {
    return this.answered;
  }

  summary(): Latencies {
    return summary(this.latencies, this.window, { answered: this.answered, errors: this.errors, firstError: this.firstError, timedOut: this.timedOut });
  }
}

/** Closed loop over HTTP: each client sends the queries in turn, from its own starting point (startOf); measured as `o` says (LoadStop). */
export async function httpLoad(
  host: string,
  port: number,
  requests: Buffer[],
  check: AnswerCheck,
  o: { connections: number } & LoadStop,
): Promise<Latencies> {
  const connections = Array.from({ length: o.connections }, () => new Connection(host, port));
  await Promise.all(connections.map((c) => c.connected()));
  const tally = new RequestTally(new LoadWindow(o), check);
  const client = async (c: Connection, n: number) => {
    for (let i = startOf(n, o.connections, requests.length); tally.window.open(); i++) {
      if (!(await tally.send(c, requests, i % requests.length))) return;
    }
  };
  try {
    await Promise.all(connections.map(client));
  } finally {
    for (const c of connections) c.close();
  }
  return tally.summary();
}

/**
 * The same loop straight on the engine: `connections` concurrent callers in this process, each
 * ready for its next query as soon as its previous one is done. SQLite answers synchronously on one
 * thread, so the callers take turns, as concurrent requests take turns in kendrite's one thread.
 */
export async function engineLoad(
  runQuery: (i: number) => Promise<void>,
  count: number,
  o: { connections: number; timedOut?: (e: unknown) => boolean } & LoadStop,
): Promise<Latencies> {
  const latencies: number[] = [];
  let answered = 0;
  let timedOut = 0;
  const window = new LoadWindow(o);
  const caller = async (n: number) => {
    let ready = performance.now();
    for (let i = startOf(n, o.connections, count); window.open(ready); i++) {
      // Wait for the turn, as a request waits behind the others in the server: the latency runs
      // from the moment the caller is ready (its previous answer in), not from when its turn comes.
      await new Promise((r) => setImmediate(r));
      let right = true;
      try {
        await runQuery(i % count);
      } catch (e) {
        if (!o.timedOut?.(e)) throw e;
        right = false;
        timedOut++;
      }
      answered++;
      const done = performance.now();
      if (window.answered(done, right)) latencies.push(done - ready);
      ready = done;
    }
  };
  await Promise.all(Array.from({ length: o.connections }, (_, n) => caller(n)));
  return summary(latencies, window, { answered, errors: 0, timedOut });
}

/** The figures of the latencies measured over `window` (queries/s over its length), with the run's counts. */
function summary(latencies: number[], window: LoadWindow, counts: { answered: number; errors: number; firstError?: string; timedOut: number }): Latencies {
  const sorted = Float64Array.from(latencies).sort();
  return {
    p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), perSecond: sorted.length / (window.measuredMs / 1000), count: sorted.length,
    errors: counts.errors, firstError: counts.firstError, answered: counts.answered,
    ...(window.capped ? { capped: true as const } : {}),
    ...(counts.timedOut ? { timedOut: counts.timedOut } : {}),
  };
}

export function medianOf(rs: Latencies[]): Latencies {
  const mid = (f: (r: Latencies) => number) => {
    const v = rs.map(f).sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
  };
  return {
    p50Ms: mid((r) => r.p50Ms), p99Ms: mid((r) => r.p99Ms), perSecond: mid((r) => r.perSecond), count: mid((r) => r.count), answered: mid((r) => r.answered),
    ...(rs.every((r) => r.cpuMsPerQuery !== undefined) ? { cpuMsPerQuery: mid((r) => r.cpuMsPerQuery!) } : {}),
    errors: rs.reduce((n, r) => n + r.errors, 0), firstError: rs.find((r) => r.firstError)?.firstError,
    ...(rs.some((r) => r.capped) ? { capped: true as const } : {}),
    ...(rs.some((r) => r.timedOut) ? { timedOut: rs.reduce((n, r) => n + (r.timedOut ?? 0), 0) } : {}),
  };
}

function table(k: Latencies, e: Latencies, single: Latencies, b: Latencies, queries: BenchQuery[], ctx: ScenarioContext): Table {
  const row = (what: string, r: Latencies) => [what, fmt.rps(r.perSecond), fmt.ms(r.p50Ms), fmt.ms(r.p99Ms)];
  return {
    title: `Query over ${DOCUMENTS.toLocaleString('en-US')} documents, ${CLIENTS} concurrent clients, a mix of ${queries.length} queries`,
    columns: ['measured', 'queries/s', 'p50 ms', 'p99 ms'],
    rows: [
      row(`kendrite over HTTP (signed), ${CLIENTS} clients`, k),
      row(`FTS5 engine in-process, ${CLIENTS} callers`, e),
      row('bare node:http server, same bytes', b),
      row('FTS5 engine in-process, 1 caller (no queueing)', single),
    ],
    notes: [
      `Mix: ${KINDS.map((kind) => `${queries.filter((q) => q.kind === kind).length} ${kind}`).join(', ')}; PageSize ${PAGE_SIZE}; e.g. ${KINDS.map((kind) => JSON.stringify(queries.find((q) => q.kind === kind)!.QueryText)).join(', ')}.`,
      `${ctx.options.warmupMs / 1000} s warm-up + ${ctx.options.durationMs / 1000} s per run, median of ${ctx.options.rounds} rounds; every answer checked against the engine's ranking once, then by status and length under load.`,
      'Engine: parse the query text, rank (match, filter, BM25, total), read the page\'s rows — what Query asks of src/search — in this process.',
      `At ${CLIENTS} clients a query waits behind the others (one thread serves SQLite), in kendrite as in the engine run: those p50s are mostly queueing; the 1-caller row is a query's own time.`,
      `API overhead = kendrite p50 − bare server p50 = ${fmt.ms(k.p50Ms - b.p50Ms)} ms; engine p50 = ${fmt.ms(e.p50Ms)} ms; ratio ${fmt.ratio((k.p50Ms - b.p50Ms) / e.p50Ms)} (target ≤ ${TARGET}).`,
    ],
  };
}

function target(k: Latencies, e: Latencies, b: Latencies): Target {
  const ratio = (k.p50Ms - b.p50Ms) / e.p50Ms;
  return {
    name: `kendrite's p50 minus the bare server's p50 ≤ ${TARGET} × the engine's own p50`,
    pass: ratio <= TARGET,
    detail: `${fmt.ms(k.p50Ms)} − ${fmt.ms(b.p50Ms)} = ${fmt.ms(k.p50Ms - b.p50Ms)} ms against ${fmt.ms(e.p50Ms)} ms: ${fmt.ratio(ratio)}× (p99: kendrite ${fmt.ms(k.p99Ms)}, engine ${fmt.ms(e.p99Ms)}, bare ${fmt.ms(b.p99Ms)} ms)`,
  };
}

/** A deterministic generator of documents and of queries that find some of them. */
export class Corpus {
  private seed = 0x2545f491;
  readonly words: string[];
  /** Cumulative Zipf weights over the vocabulary (rank 1 most frequent). */
  private readonly cumulative: Float64Array;
  /** Two adjacent words of some documents, for phrase queries that match. */
  readonly phrases: string[] = [];

  constructor() {
    const consonants = 'bdfgklmnprstvz';
    const vowels = 'aeiou';
    const syllables = [...consonants].flatMap((c) => [...vowels].map((v) => c + v));
    const words = new Set<string>();
    while (words.size < VOCABULARY) {
      const n = 2 + (this.next() % 2);
      let w = '';
      for (let i = 0; i < n; i++) w += syllables[this.next() % syllables.length];
      words.add(w);
    }
    this.words = [...words];
    this.cumulative = new Float64Array(VOCABULARY);
    let sum = 0;
    for (let r = 0; r < VOCABULARY; r++) this.cumulative[r] = sum += 1 / (r + 1);
  }

  next(): number {
    // xorshift32: the same corpus on every run.
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed;
  }

  word(): string {
    const target = (this.next() / 2 ** 32) * this.cumulative[VOCABULARY - 1]!;
    let lo = 0;
    let hi = VOCABULARY - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return this.words[lo]!;
  }

  text(words: number): string {
    const out: string[] = [];
    for (let i = 0; i < words; i++) out.push(this.word());
    // Sentences of about 12 words, so passages end at sentence ends as real text does.
    for (let i = 11; i < out.length; i += 12) out[i] += '.';
    return `${out.join(' ')}.`;
  }

  document(n: number): { title: string; body: string } {
    const title = this.text(3 + (this.next() % 4)).replace(/\.$/, '');
    const body = this.text(60 + (this.next() % 180));
    if (n % 997 === 0 && this.phrases.length < QUERIES_PER_KIND) {
      // A pair of mid-frequency adjacent words from this body makes a phrase query that matches.
      const ws = body.replace(/\./g, '').split(' ');
      const at = ws.findIndex((w, i) => i > 0 && this.rank(w) > 50 && this.rank(ws[i - 1]!) > 50);
      if (at > 0) this.phrases.push(`"${ws[at - 1]} ${ws[at]}"`);
    }
    return { title, body };
  }

  private rank(w: string): number {
    this.ranks ??= new Map(this.words.map((x, i) => [x, i]));
    return this.ranks.get(w)!;
  }

  private ranks: Map<string, number> | undefined;

  /** Mid-frequency words (ranks 100 to 3,000): each in roughly 0.5 to 10 % of the documents. */
  term(i: number): string {
    return this.words[100 + ((i * 389) % 2900)]!;
  }

  queries(): BenchQuery[] {
    const out: BenchQuery[] = [];
    for (let i = 0; i < QUERIES_PER_KIND; i++) out.push({ kind: 'single word', QueryText: this.term(i) });
    for (const p of this.phrases) out.push({ kind: 'phrase', QueryText: p });
    for (let i = 0; i < QUERIES_PER_KIND; i++) {
      const [a, b, c] = [this.term(10 + i), this.term(20 + i), this.term(30 + i)];
      out.push({ kind: 'boolean', QueryText: [`${a} AND ${b}`, `${a} OR ${b}`, `${a} NOT ${b}`, `(${a} OR ${b}) AND ${c}`][i % 4]! });
    }
    const since = new Date(EPOCH_2023 + 200 * DAY);
    for (let i = 0; i < QUERIES_PER_KIND; i++) {
      const filter: AttributeFilter = [
        { EqualsTo: { Key: 'department', Value: { StringValue: DEPARTMENTS[i % DEPARTMENTS.length]! } } },
        { GreaterThanOrEquals: { Key: 'priority', Value: { LongValue: 4 } } },
        { ContainsAny: { Key: 'tags', Value: { StringListValue: [TAGS[i]!, TAGS[i + 1]!] } } },
        { AndAllFilters: [{ EqualsTo: { Key: 'department', Value: { StringValue: DEPARTMENTS[i]! } } }, { GreaterThan: { Key: '_created_at', Value: { DateValue: since } } }] },
      ][i % 4]!;
      out.push({ kind: 'filtered', QueryText: this.term(40 + i), AttributeFilter: filter, wireFilter: onTheWire(filter) });
    }
    return out;
  }
}

/** A filter as the SDKs send it: dates as epoch seconds. */
function onTheWire(v: unknown): unknown {
  if (v instanceof Date) return v.getTime() / 1000;
  if (Array.isArray(v)) return v.map(onTheWire);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, onTheWire(x)]));
  return v;
}

/**
 * Writes the documents as the indexer leaves them (status INDEXED, attributes as JSON, dates as ISO
 * strings); the schema's triggers fill the attribute rows and the full-text
 * indexes (contentless FTS5 tables cannot be rebuilt afterwards). For speed the attribute indexes are
 * built once at the end rather than row by row: dropped and recreated from the schema's own SQL, so
 * nothing here restates it.
 */
export function seed(file: string, indexId: string, sources: string[], corpus: Corpus): void {
  const db = new BetterSqlite3(file);
  try {
    db.pragma('cache_size = -262144');
    registerPackedText(db);
    // The text stored as the server would store it: packed where its schema reads packed text (migration 21), plain in the older release's.
    const text = /kendrite_text/.test(String(db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'documents_fts_insert'`).pluck().get())) ? packText : (s: string) => s;
    const deferred = db
      .prepare(`SELECT name, type, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'document_attributes' AND sql IS NOT NULL`)
      .all() as { name: string; type: string; sql: string }[];
    if (deferred.length !== 3) throw new Error(`the schema changed: expected 3 attribute indexes, found ${deferred.map((d) => d.name).join(', ')}`);
    for (const d of deferred) db.exec(`DROP ${d.type.toUpperCase()} ${d.name}`);
    // The newest schema names a document's index and data source by key (store/idKeys.ts; SQLite migration 30), an older release's by id.
    const byKey = db.prepare(`SELECT 1 FROM pragma_table_info('documents') WHERE name = 'index_key'`).get() !== undefined;
    if (byKey) {
      db.prepare(`INSERT INTO index_keys (id) SELECT ? WHERE NOT EXISTS (SELECT 1 FROM index_keys WHERE id = ?)`).run(indexId, indexId);
      for (const s of sources) db.prepare(`INSERT INTO data_source_keys (id) SELECT ? WHERE NOT EXISTS (SELECT 1 FROM data_source_keys WHERE id = ?)`).run(s, s);
    }
    const insertDoc = byKey
      ? db.prepare(`INSERT INTO documents (index_key, document_id, source_key, title, body, content_type, attributes, source_uri,
        content_hash, status, failure_reason, text_bytes, applied_seq, created_at, updated_at)
      VALUES ((SELECT key FROM index_keys WHERE id = ?), ?, (SELECT key FROM data_source_keys WHERE id = ?), ?, ?, 'PLAIN_TEXT', ?, ?, ?, 'INDEXED', NULL, ?, 0, ?, ?)`)
      : db.prepare(`INSERT INTO documents (index_id, document_id, data_source_id, title, body, content_type, attributes, source_uri,
        version, content_hash, status, failure_reason, text_bytes, applied_seq, seen_by, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, 'PLAIN_TEXT', ?, ?, NULL, ?, 'INDEXED', NULL, ?, 0, NULL, ?, ?)`);
    db.transaction(() => {
      for (let n = 0; n < DOCUMENTS; n++) {
        const { title, body } = corpus.document(n);
        const id = `doc-${n}`;
        const source = sources[n % sources.length]!;
        const uri = `https://docs.example.com/${id}`;
        const created = new Date(EPOCH_2023 + (n % 365) * DAY);
        const attributes = [
          { Key: '_data_source_id', Value: { StringValue: source } },
          { Key: '_category', Value: { StringValue: ['guide', 'reference', 'faq', 'policy'][n % 4] } },
          { Key: 'department', Value: { StringValue: DEPARTMENTS[(n >> 2) % DEPARTMENTS.length] } },
          { Key: 'tags', Value: { StringListValue: [TAGS[n % TAGS.length], TAGS[(n * 7 + 3) % TAGS.length]] } },
          { Key: 'priority', Value: { LongValue: 1 + (n % 5) } },
          { Key: '_source_uri', Value: { StringValue: uri } },
          { Key: '_created_at', Value: { DateValue: created } },
          { Key: '_last_updated_at', Value: { DateValue: new Date(created.getTime() + 30 * DAY) } },
          { Key: '_file_type', Value: { StringValue: 'PLAIN_TEXT' } },
        ];
        const now = Date.now();
        insertDoc.run(indexId, id, source, title, text(body), JSON.stringify(attributes), uri, `seed-${n}`, Buffer.byteLength(body), now, now);
      }
      for (const d of deferred) db.exec(d.sql);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** kendrite's own headers, for the bare server to repeat; node:http adds Date, Connection and Keep-Alive itself. */
function headersOf(head: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    const key = line.slice(0, colon).toLowerCase();
    if (!['date', 'connection', 'keep-alive'].includes(key)) out[key] = line.slice(colon + 1).trim();
  }
  return out;
}
