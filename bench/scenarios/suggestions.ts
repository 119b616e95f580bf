/**
 * GetQuerySuggestions at 1,000,000 logged queries: kendrite over HTTP (signed, validated, the index
 * and its settings read, the query log flushed) against a bare node:http server doing only the
 * prefix lookup on the same structure (bench/lib/suggestionBaseline.ts), one client at a time, the
 * same prefixes, one request to each in turn (bench/lib/interleavedLoad.ts: the machine's other work
 * falls on both alike). Targets: p50 and p99 ≤ 1.5 × the bare server's. The lookup alone, in this process,
 * is reported beside them (what the structure costs, without HTTP).
 *
 * The log: 1,000,000 entries over 200,000 distinct texts, popularity Zipf-like, seeded into the
 * store (the API would take hours to log them); the first request builds the structure (timed).
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { KendraClient } from '@aws-sdk/client-kendra';
import { exchange } from '../lib/http1.js';
import { interleavedLoad } from '../lib/interleavedLoad.js';
import { createIndex } from '../lib/kendraResources.js';
import { startKendrite } from '../lib/processes.js';
import type { ScenarioContext, ScenarioResult, Table, Target } from '../lib/scenario.js';
import { KendraWire } from '../lib/signing.js';
import { fmt, percentile } from '../lib/stats.js';
import { medianOf, type Latencies } from './query.js';
import { blockedBy } from '../../src/domain/blockLists.js';
import { normalizeQueryText } from '../../src/domain/queryLog.js';
import { DEFAULT_SETTINGS, suggestionEntries } from '../../src/domain/querySuggestions.js';
import { SuggestionIndex } from '../../src/search/suggestionIndex.js';

export const name = 'suggestions';
export const description = 'GetQuerySuggestions at 1,000,000 logged queries against a bare prefix lookup of the same structure over HTTP';

const LOGGED = 1_000_000;
const DISTINCT = 200_000;
const PREFIXES = 500;
const TARGET = 1.5;
const CREDENTIALS = { accessKeyId: 'AKIDBENCHSUGG', secretAccessKey: 'bench-sugg-secret' };
const REGION = 'us-east-1';
const WORDS = ['annual', 'report', 'benefits', 'travel', 'policy', 'holiday', 'schedule', 'upcoming', 'events', 'payroll', 'expense', 'laptop',
  'security', 'training', 'onboarding', 'vacation', 'health', 'insurance', 'remote', 'office', 'parking', 'budget', 'quarterly', 'review',
  'promotion', 'salary', 'meeting', 'calendar', 'network', 'password', 'printer', 'contract', 'vendor', 'invoice', 'hiring', 'interview'];

/** A deterministic text of two to four words (the n-th distinct query). */
function textOf(n: number): string {
  let x = n * 2654435761 % 4294967296;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648);
  const words = 2 + (next() % 3);
  return [...Array(words)].map(() => WORDS[next() % WORDS.length]).join(' ') + (n % 3 === 0 ? ` ${2000 + (n % 50)}` : '');
}

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const dataDir = ctx.tempDir('suggestions');
  const configFile = path.join(dataDir, 'bench-config.json');
  writeFileSync(configFile, JSON.stringify({ credentials: [{ ...CREDENTIALS, accountId: '000000000000', permissions: 'read-write' }] }));
  const serve = () => startKendrite({ repoRoot: ctx.repoRoot, dataDir, configFile, env: { KENDRITE_TRANSITION_DELAY_MS: '20' }, nodeArgs: ctx.options.kendriteNodeArgs });

  let kendrite = await serve();
  let indexId: string;
  try {
    const client = new KendraClient({ endpoint: kendrite.url, region: REGION, credentials: { ...CREDENTIALS }, maxAttempts: 1 });
    indexId = await createIndex(client, 'bench-suggestions');
    client.destroy();
  } finally {
    await kendrite.stop();
  }
  ctx.log(`seeding ${LOGGED.toLocaleString('en-US')} logged queries into the store`);
  const file = path.join(dataDir, 'kendrite.db');
  seedLog(file, indexId);

  const errors: string[] = [];
  const texts = Array.from({ length: DISTINCT }, (_, n) => textOf(n));
  // Prefixes as users type them: 2 to 12 characters of logged queries.
  const prefixes = Array.from({ length: PREFIXES }, (_, i) => texts[(i * 7919) % DISTINCT]!.slice(0, 2 + (i % 11)));

  // The lookup alone, in this process, on a structure built by the same rules.
  const stats = statsOf(file, indexId);
  const buildStart = performance.now();
  const index = new SuggestionIndex(suggestionEntries(stats, DEFAULT_SETTINGS, blockedBy([])));
  const buildMs = performance.now() - buildStart;
  const inProcess = lookupLatencies(index, prefixes, ctx.options.durationMs);

  kendrite = await serve();
  const baseline = await startSuggestionBaseline(file, indexId);
  const results = { kendrite: [] as Latencies[], bare: [] as Latencies[] };
  let firstMs = 0;
  try {
    const wire = new KendraWire(kendrite.host, kendrite.port, CREDENTIALS, REGION);
    const requests = await Promise.all(prefixes.map((QueryText) => wire.request('GetQuerySuggestions', { IndexId: indexId, QueryText })));
    const bareRequests = prefixes.map((QueryText) => bareRequest(baseline.port, QueryText));
    const t0 = performance.now();
    const first = await exchange(kendrite.host, kendrite.port, requests[0]!);
    firstMs = performance.now() - t0;
    if (first.status !== 200) throw new Error(`GetQuerySuggestions: HTTP ${first.status} ${first.body.toString().slice(0, 300)}`);
    // Every answer once against the bare lookup: the same texts in the same order.
    for (const [i, r] of requests.entries()) {
      const k = await exchange(kendrite.host, kendrite.port, r);
      const b = await exchange('127.0.0.1', baseline.port, bareRequests[i]!);
      const got = (JSON.parse(k.body.toString()) as { Suggestions: { Value: { Text: { Text: string } } }[] }).Suggestions.map((s) => s.Value.Text.Text);
      const want = (JSON.parse(b.body.toString()) as { Suggestions: string[] }).Suggestions;
      if (JSON.stringify(got) !== JSON.stringify(want)) errors.push(`${JSON.stringify(prefixes[i])}: kendrite ${JSON.stringify(got)}, bare lookup ${JSON.stringify(want)}`);
    }
    const load = { warmupMs: ctx.options.warmupMs, durationMs: ctx.options.durationMs };
    const ok = (_: number, a: { status: number; body: Buffer }) => (a.status === 200 ? undefined : `HTTP ${a.status}: ${a.body.toString().slice(0, 200)}`);
    for (let round = 1; round <= ctx.options.rounds; round++) {
      ctx.log(`round ${round} of ${ctx.options.rounds}`);
      const [kr, br] = await interleavedLoad([
        { host: kendrite.host, port: kendrite.port, pid: kendrite.pid, requests, check: ok },
        { host: '127.0.0.1', port: baseline.port, pid: baseline.pid, requests: bareRequests, check: ok },
      ], load);
      results.kendrite.push(kr);
      results.bare.push(br);
    }
  } finally {
    await kendrite.stop();
    await baseline.stop();
  }
  const k = medianOf(results.kendrite);
  const b = medianOf(results.bare);
  for (const [n, m] of [['kendrite', k], ['bare', b]] as const) if (m.errors) errors.push(`${n}: ${m.errors} failed responses; first: ${m.firstError}`);
  const row = (what: string, r: Latencies) => [what, fmt.rps(r.perSecond), fmt.ms(r.p50Ms), fmt.ms(r.p99Ms), fmt.rps((r.cpuMsPerQuery ?? NaN) * 1000)];
  const table: Table = {
    title: `GetQuerySuggestions, ${LOGGED.toLocaleString('en-US')} logged queries (${DISTINCT.toLocaleString('en-US')} distinct, ${index.count.toLocaleString('en-US')} suggestible), one client, ${PREFIXES} prefixes`,
    columns: ['measured', 'requests/s', 'p50 ms', 'p99 ms', 'server CPU µs/req'],
    rows: [row('kendrite over HTTP (signed)', k), row('bare node:http server, prefix lookup of the same structure', b), ['the lookup alone, in-process', '', fmt.ms(inProcess.p50Ms), fmt.ms(inProcess.p99Ms), '']],
    notes: [
      `Structure built in ${fmt.ms(buildMs)} ms in-process; kendrite's first request (log grouped and structure built) took ${fmt.ms(firstMs)} ms.`,
      `Server CPU per request (every thread, user + system, from /proc; the figure to compare on a busy machine): ${fmt.ratio((k.cpuMsPerQuery ?? NaN) / (b.cpuMsPerQuery ?? NaN))}× the bare server's.`,
      `Every kendrite answer was checked once against the bare lookup's (same texts, same order). One client sends each prefix to kendrite and to the bare server in turn (the order swapped every request; requests/s is each server's share of that one loop, so the two are equal); ${ctx.options.warmupMs / 1000} s warm-up + ${ctx.options.durationMs / 1000} s per run, median of ${ctx.options.rounds} rounds.`,
    ],
  };
  const targets: Target[] = (['p50Ms', 'p99Ms'] as const).map((p) => ({
    name: `GetQuerySuggestions ${p.slice(0, 3)} ≤ ${TARGET} × the bare lookup's`,
    pass: k[p] / b[p] <= TARGET,
    detail: `${fmt.ms(k[p])} ms against ${fmt.ms(b[p])} ms: ${fmt.ratio(k[p] / b[p])}×`,
  }));
  return { tables: [table], targets, errors };
}

/** LOGGED entries over DISTINCT texts: text n is searched about LOGGED / (n + 1)^0.8 / H times (Zipf-like), every one at least once. */
function seedLog(file: string, indexId: string): void {
  const weights = Array.from({ length: DISTINCT }, (_, n) => 1 / (n + 1) ** 0.8);
  const sum = weights.reduce((a, w) => a + w, 0);
  const counts = weights.map((w) => Math.max(1, Math.floor((w / sum) * (LOGGED - DISTINCT)) + 1));
  let left = LOGGED - counts.reduce((a, c) => a + c, 0);
  for (let n = 0; left > 0; n = (n + 1) % DISTINCT, left--) counts[n]!++;
  const db = new BetterSqlite3(file);
  try {
    const insert = db.prepare(`INSERT INTO query_log (index_id, query_id, query_text, normalized_text, filter, result_count, user_id, results, at) VALUES (?, ?, ?, ?, NULL, 3, NULL, '[]', ?)`);
    const now = Date.now();
    db.transaction(() => {
      let q = 0;
      for (let n = 0; n < DISTINCT; n++) {
        const text = textOf(n);
        const normalized = normalizeQueryText(text);
        for (let c = 0; c < counts[n]!; c++, q++) insert.run(indexId, `q-${q}`, text, normalized, now - (q % 1000) * 60_000);
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

function statsOf(file: string, indexId: string) {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return db.prepare(`SELECT normalized_text AS text, count(*) AS count, count(user_id) AS userCount, count(DISTINCT user_id) AS users, max(result_count) AS bestResultCount
      FROM query_log WHERE index_id = ? GROUP BY normalized_text`).all(indexId) as { text: string; count: number; userCount: number; users: number; bestResultCount: number }[];
  } finally {
    db.close();
  }
}

function lookupLatencies(index: SuggestionIndex, prefixes: string[], durationMs: number): { p50Ms: number; p99Ms: number } {
  const latencies: number[] = [];
  const end = performance.now() + Math.min(durationMs, 2000);
  for (let i = 0; performance.now() < end; i++) {
    const t = performance.now();
    index.top(normalizeQueryText(prefixes[i % prefixes.length]!), 10);
    latencies.push(performance.now() - t);
  }
  const sorted = Float64Array.from(latencies).sort();
  return { p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
}

function bareRequest(port: number, QueryText: string): Buffer {
  const body = JSON.stringify({ QueryText });
  return Buffer.from(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

const BASELINE_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '../lib/suggestionBaseline.js');

async function startSuggestionBaseline(file: string, indexId: string): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const child = fork(BASELINE_SCRIPT, [file, indexId], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((r) => child.once('exit', r));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { listening?: number }) => (m.listening ? resolve(m.listening) : reject(new Error('baseline: unexpected first message'))));
    child.once('exit', (code) => reject(new Error(`suggestion baseline exited with ${code} before listening`)));
  });
  return {
    port,
    pid: child.pid!,
    async stop() {
      child.disconnect();
      await exited;
    },
  };
}
