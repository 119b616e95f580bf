/**
 * kendrite against a peer search engine, Xapian (Debian's python3-xapian, served by
 * bench/lib/xapian_peer.py), in the same run on the same machine (issue 14, target 4):
 *  - indexing: the same 20,000 documents (title + body text from the query scenario's Corpus), sent
 *    in the same batches of 10 (BatchPutDocument's limit) by the same 4 concurrent callers over
 *    loopback HTTP; kendrite's clock stops when DescribeIndex counts every document indexed,
 *    Xapian's when its commit returns. Target: kendrite's documents/s ≥ 0.8 × Xapian's.
 *  - queries: the same mix (single words, phrases, boolean; no attribute filters: Xapian holds none)
 *    over HTTP from the same 16 keep-alive clients, rounds alternating between the two; both answer
 *    with the exact total, the top 10 with titles and a highlighted excerpt. Target: kendrite's
 *    queries/s ≥ 0.8 × Xapian's. The top-10 overlap of every query is printed: both must answer the
 *    same question for the comparison to mean anything.
 *
 * KENDRITE_BENCH_PEER_DOCS=100000 runs another size. Xapian is started from /usr/bin/python3 (the
 * system Python, where Debian's package installs the module): `apt-get install python3-xapian`.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Connection, exchange, type Response } from '../lib/http1.js';
import { cpuTimeMs, startKendrite, until } from '../lib/processes.js';
import type { ScenarioContext, ScenarioResult, Table, Target } from '../lib/scenario.js';
import { KendraWire } from '../lib/signing.js';
import { fmt, percentile } from '../lib/stats.js';
import { Corpus, httpLoad, medianOf, type Latencies } from './query.js';

const DOCUMENTS = Number(process.env.KENDRITE_BENCH_PEER_DOCS ?? 20_000);

export const name = 'peerEngine';
export const description =
  `kendrite against Xapian (python3-xapian) on the same ${DOCUMENTS.toLocaleString('en-US')} documents and query mix: indexing documents/s (BatchPutDocument vs Xapian indexing + commit), Query throughput at 16 clients over loopback HTTP, top-10 overlap`;

const BATCH = 10;
const INDEXING_CALLERS = 4;
const CLIENTS = 16;
const TOP = 10;
const TARGET = 0.8;
const PYTHON = '/usr/bin/python3';
const CREDENTIALS = { accessKeyId: 'AKIDBENCHPEER', secretAccessKey: 'bench-peer-secret' };
const REGION = 'us-east-1';

interface Doc {
  id: string;
  title: string;
  body: string;
}

interface Indexing {
  perSec: number;
  seconds: number;
  /** Xapian: the time inside its indexing calls and the commit, without HTTP and JSON. */
  engineSeconds?: number;
  /** Server CPU time (user + system) per document, µs. */
  cpuUs: number;
}

interface Answer {
  total: number;
  ids: string[];
}

interface Compared {
  kind: string;
  text: string;
  k: Answer;
  x: Answer;
  /** Of the top TOP ids (see overlap). */
  overlap: number;
}

/** One side of the comparison: how to index a batch, finish indexing, and ask a query, over HTTP. */
interface Side {
  label: string;
  host: string;
  port: number;
  pid: number;
  indexRequest(batch: Doc[]): Promise<Buffer>;
  /** What is wrong with a batch's answer, if anything. */
  indexCheck(r: Response): string | undefined;
  /** Returns once every document is searchable; Xapian also tells its own time inside the engine's calls, ms. */
  finish(): Promise<number | void>;
  queryRequest(text: string): Promise<Buffer>;
  answer(r: Response): Answer;
}

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  if (!Number.isInteger(DOCUMENTS) || DOCUMENTS < BATCH) throw new Error(`KENDRITE_BENCH_PEER_DOCS must be a whole number ≥ ${BATCH}, got '${process.env.KENDRITE_BENCH_PEER_DOCS}'`);
  const corpus = new Corpus();
  const docs: Doc[] = Array.from({ length: DOCUMENTS }, (_, i) => ({ id: `doc-${i}`, ...corpus.document(i) }));
  const queries = corpus.queries().filter((q) => !q.AttributeFilter);
  const errors: string[] = [];

  const dataDir = ctx.tempDir('peerEngine');
  const configFile = path.join(dataDir, 'bench-config.json');
  writeFileSync(configFile, JSON.stringify({ credentials: [{ ...CREDENTIALS, accountId: '000000000000', permissions: 'read-write' }] }));
  const kendrite = await startKendrite({ repoRoot: ctx.repoRoot, dataDir: path.join(dataDir, 'kendrite'), configFile, env: { KENDRITE_TRANSITION_DELAY_MS: '20' }, nodeArgs: ctx.options.kendriteNodeArgs });
  let xapian: XapianProcess | undefined;
  try {
    xapian = await startXapian(ctx, path.join(dataDir, 'xapian'));
    const k = await kendriteSide(kendrite.host, kendrite.port, kendrite.pid);
    const x = xapianSide(xapian);

    const indexing: Record<string, Indexing> = {};
    for (const side of [k, x]) {
      ctx.log(`${side.label}: indexing ${DOCUMENTS.toLocaleString('en-US')} documents`);
      indexing[side.label] = await index(side, docs);
      ctx.log(`${side.label}: ${fmt.rps(indexing[side.label]!.perSec)} documents/s`);
    }

    // Every query once on both sides: the answers compared, and their byte lengths kept to check
    // the answers under load (a fixed query gets the same answer; kendrite's ids are fixed-length UUIDs).
    // A query neither finds (an AND of two rarer words in a small corpus) is left out of the mix:
    // a benchmark of empty answers measures nothing.
    const requests = { k: [] as Buffer[], x: [] as Buffer[] };
    const lengths = { k: [] as number[], x: [] as number[] };
    const compared: Compared[] = [];
    const unmatched: string[] = [];
    for (const q of queries) {
      const asked = { k: await k.queryRequest(q.QueryText), x: await x.queryRequest(q.QueryText) };
      const answers = { k: await ask(k, asked.k, q.QueryText), x: await ask(x, asked.x, q.QueryText) };
      if (!answers.k.ids.length && !answers.x.ids.length) {
        unmatched.push(q.QueryText);
        continue;
      }
      for (const key of ['k', 'x'] as const) {
        requests[key].push(asked[key]);
        lengths[key].push(answers[key].bytes);
      }
      compared.push({ kind: q.kind, text: q.QueryText, k: answers.k, x: answers.x, overlap: overlap(answers.k.ids, answers.x.ids) });
    }
    if (!compared.length) throw new Error(`no query of the mix matches any of ${DOCUMENTS} documents on either engine`);
    if (unmatched.length) ctx.log(`left out of the mix, matching nothing on either engine: ${unmatched.join(', ')}`);

    const load = { connections: CLIENTS, warmupMs: ctx.options.warmupMs, durationMs: ctx.options.durationMs };
    const rounds: Record<'k' | 'x' | 'k1' | 'x1', Latencies & { cpuUs: number }>[] = [];
    for (let round = 1; round <= ctx.options.rounds; round++) {
      const r: Partial<(typeof rounds)[number]> = {};
      for (const [key, side] of [['k', k], ['x', x]] as const) {
        const check = (i: number, res: Response) =>
          res.status !== 200 ? `HTTP ${res.status}: ${res.body.toString().slice(0, 200)}` : res.body.length !== lengths[key][i] ? `answer of ${res.body.length} bytes, expected ${lengths[key][i]}` : undefined;
        for (const [clients, slot] of [[CLIENTS, key], [1, `${key}1`]] as const) {
          ctx.log(`round ${round} of ${ctx.options.rounds}: ${side.label}, ${clients} client${clients > 1 ? 's' : ''}`);
          const cpu0 = cpuTimeMs(side.pid);
          const result = await httpLoad(side.host, side.port, requests[key], check, { ...load, connections: clients });
          // Over warm-up and window alike: the window's rate stands for the whole call.
          const served = result.perSecond * ((load.warmupMs + load.durationMs) / 1000);
          r[slot] = { ...result, cpuUs: ((cpuTimeMs(side.pid) - cpu0) * 1000) / served };
        }
      }
      rounds.push(r as (typeof rounds)[number]);
    }
    const median = (slot: 'k' | 'x' | 'k1' | 'x1') => ({ ...medianOf(rounds.map((r) => r[slot])), cpuUs: percentile(Float64Array.from(rounds.map((r) => r[slot].cpuUs)).sort(), 0.5) });
    const q = { k: median('k'), x: median('x'), k1: median('k1'), x1: median('x1') };
    for (const [label, r] of [[k.label, q.k], [x.label, q.x], [`${k.label}, 1 client`, q.k1], [`${x.label}, 1 client`, q.x1]] as const)
      if (r.errors) errors.push(`${label}: ${r.errors} wrong or failed responses; first: ${r.firstError}`);
    return result(ctx, indexing[k.label]!, indexing[x.label]!, q, compared, unmatched, errors);
  } finally {
    await xapian?.stop();
    await kendrite.stop();
  }
}

async function ask(side: Side, request: Buffer, text: string): Promise<Answer & { bytes: number }> {
  const r = await exchange(side.host, side.port, request);
  if (r.status !== 200) throw new Error(`${side.label}, query ${JSON.stringify(text)}: HTTP ${r.status} ${r.body.toString().slice(0, 300)}`);
  return { ...side.answer(r), bytes: r.body.length };
}

/** |A ∩ B| / max(|A|, |B|): |A ∩ B| / 10 when both fill the page. */
function overlap(a: string[], b: string[]): number {
  const inB = new Set(b);
  return a.filter((id) => inB.has(id)).length / Math.max(a.length, b.length);
}

/**
 * Sends every document in batches of BATCH from INDEXING_CALLERS keep-alive connections (each
 * sends its next batch when the previous one is answered), then waits until all are searchable.
 * The requests are made (and kendrite's signed) as they go, alike for both sides.
 */
async function index(side: Side, docs: Doc[]): Promise<Indexing> {
  const connections = Array.from({ length: INDEXING_CALLERS }, () => new Connection(side.host, side.port));
  await Promise.all(connections.map((c) => c.connected()));
  const cpu0 = cpuTimeMs(side.pid);
  const start = performance.now();
  let next = 0;
  const caller = async (c: Connection) => {
    for (let at = next; at < docs.length; at = next) {
      next += BATCH;
      const r = await c.send(await side.indexRequest(docs.slice(at, at + BATCH)));
      const wrong = side.indexCheck(r);
      if (wrong) throw new Error(`${side.label}: the batch from document ${at} was refused: ${wrong}`);
    }
  };
  try {
    await Promise.all(connections.map(caller));
  } finally {
    for (const c of connections) c.close();
  }
  const engineMs = await side.finish();
  const seconds = (performance.now() - start) / 1000;
  return { perSec: docs.length / seconds, seconds, cpuUs: ((cpuTimeMs(side.pid) - cpu0) * 1000) / docs.length, ...(engineMs ? { engineSeconds: engineMs / 1000 } : {}) };
}

async function kendriteSide(host: string, port: number, pid: number): Promise<Side> {
  const wire = new KendraWire(host, port, CREDENTIALS, REGION);
  const { Id: IndexId } = await wire.call<{ Id: string }>('CreateIndex', { Name: 'bench-peer', RoleArn: 'arn:aws:iam::000000000000:role/kendra' });
  await until(async () => (await wire.call<{ Status: string }>('DescribeIndex', { Id: IndexId })).Status === 'ACTIVE');
  const indexed = async () =>
    (await wire.call<{ IndexStatistics: { TextDocumentStatistics: { IndexedTextDocumentsCount: number } } }>('DescribeIndex', { Id: IndexId })).IndexStatistics.TextDocumentStatistics.IndexedTextDocumentsCount;
  return {
    label: 'kendrite',
    host, port, pid,
    indexRequest: (batch) =>
      wire.request('BatchPutDocument', { IndexId, Documents: batch.map((d) => ({ Id: d.id, Title: d.title, Blob: Buffer.from(d.body).toString('base64'), ContentType: 'PLAIN_TEXT' })) }),
    indexCheck(r) {
      if (r.status !== 200) return `HTTP ${r.status} ${r.body.toString().slice(0, 300)}`;
      const failed = (JSON.parse(r.body.toString()) as { FailedDocuments: unknown[] }).FailedDocuments;
      return failed.length ? JSON.stringify(failed).slice(0, 300) : undefined;
    },
    finish: () => until(async () => (await indexed()) === DOCUMENTS, 50),
    queryRequest: (QueryText) => wire.request('Query', { IndexId, QueryText, PageSize: TOP }),
    answer(r) {
      const a = JSON.parse(r.body.toString()) as { TotalNumberOfResults: number; ResultItems: { DocumentId: string }[] };
      return { total: a.TotalNumberOfResults, ids: a.ResultItems.map((x) => x.DocumentId) };
    },
  };
}

function xapianSide(x: XapianProcess): Side {
  const post = (path: string, body: unknown) => {
    const json = JSON.stringify(body);
    return Buffer.from(`POST ${path} HTTP/1.1\r\nhost: ${x.host}:${x.port}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
  };
  const call = async <T>(path: string, body: unknown): Promise<T> => {
    const r = await exchange(x.host, x.port, post(path, body));
    if (r.status !== 200) throw new Error(`Xapian ${path} answered ${r.status}: ${r.body.toString().slice(0, 300)}`);
    return JSON.parse(r.body.toString()) as T;
  };
  return {
    label: 'Xapian',
    host: x.host, port: x.port, pid: x.pid,
    indexRequest: async (documents) => post('/index', { documents }),
    indexCheck: (r) => (r.status === 200 ? undefined : `HTTP ${r.status} ${r.body.toString().slice(0, 300)}`),
    async finish() {
      const { documents, indexMs } = await call<{ documents: number; indexMs: number }>('/commit', {});
      if (documents !== DOCUMENTS) throw new Error(`Xapian holds ${documents} documents after the commit, not ${DOCUMENTS}`);
      return indexMs;
    },
    queryRequest: async (text) => post('/query', { text, k: TOP }),
    answer(r) {
      const a = JSON.parse(r.body.toString()) as { total: number; items: { id: string }[] };
      return { total: a.total, ids: a.items.map((i) => i.id) };
    },
  };
}

interface XapianProcess {
  host: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/**
 * bench/lib/xapian_peer.py on the system Python. Its stdin is a pipe from this process: the peer
 * exits when it closes, so an interrupted bench leaves no server behind.
 */
async function startXapian(ctx: ScenarioContext, dbDir: string): Promise<XapianProcess> {
  const child = spawn(PYTHON, [path.join(ctx.repoRoot, 'bench/lib/xapian_peer.py'), dbDir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stopping = false;
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      if (!stopping) ctx.log(`the Xapian peer exited (${code ?? signal}) while in use:\n${stderr}`);
      resolve();
    }),
  );
  const url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(new URL(m[1]!));
    });
    child.once('error', (e) => reject(new Error(`could not start ${PYTHON}: ${e.message}`)));
    child.once('exit', (code) =>
      reject(new Error(`the Xapian peer exited with ${code} before listening${/No module named 'xapian'/.test(stderr) ? ' (install it: apt-get install -y python3-xapian)' : ''}:\n${stderr}`)),
    );
  });
  return {
    host: url.hostname,
    port: Number(url.port),
    pid: child.pid!,
    async stop() {
      stopping = true;
      child.stdin!.end();
      await exited;
    },
  };
}

type QueryFigures = Record<'k' | 'x' | 'k1' | 'x1', Latencies & { cpuUs: number }>;

function result(
  ctx: ScenarioContext,
  ki: Indexing,
  xi: Indexing,
  q: QueryFigures,
  compared: Compared[],
  unmatched: string[],
  errors: string[],
): ScenarioResult {
  const indexRatio = ki.perSec / xi.perSec;
  const queryRatio = q.k.perSecond / q.x.perSecond;
  const differentTotals = compared.filter((c) => c.k.total !== c.x.total);
  const meanOverlap = compared.reduce((s, c) => s + c.overlap, 0) / compared.length;
  const kinds = [...new Set(compared.map((c) => c.kind))];
  const byKind = kinds.map((kind) => {
    const of = compared.filter((c) => c.kind === kind);
    return `${kind} ${fmt.percent(of.reduce((s, c) => s + c.overlap, 0) / of.length)}`;
  });
  const load = `${ctx.options.warmupMs / 1000} s warm-up + ${ctx.options.durationMs / 1000} s per run, median of ${ctx.options.rounds} rounds, kendrite and Xapian alternating`;
  const tables: Table[] = [
    {
      title: `Indexing ${DOCUMENTS.toLocaleString('en-US')} documents (title + body text), batches of ${BATCH} from ${INDEXING_CALLERS} concurrent callers over loopback HTTP`,
      columns: ['engine', 'documents/s', 'seconds', 'server CPU µs/document'],
      rows: [
        ['kendrite: BatchPutDocument (signed), until DescribeIndex counts all indexed', fmt.rps(ki.perSec), ki.seconds.toFixed(1), Math.round(ki.cpuUs)],
        ['Xapian: replace_document per document, then commit', fmt.rps(xi.perSec), xi.seconds.toFixed(1), Math.round(xi.cpuUs)],
      ],
      notes: [
        `kendrite / Xapian = ${fmt.ratio(indexRatio)} (target ≥ ${TARGET}). One run each, kendrite first; the clock runs from the first batch sent until every document is searchable.`,
        'Same documents, same text: kendrite gets each body as a PLAIN_TEXT Blob and its Title; Xapian the same two strings as JSON.',
        `Xapian's own time inside its indexing calls and the commit (no HTTP, no JSON): ${xi.engineSeconds?.toFixed(1)} s, ${fmt.rps(DOCUMENTS / xi.engineSeconds!)} documents/s; the rest of its time is the Python HTTP server.`,
        'kendrite also keeps the document rows and the batch queue; Xapian stores title + body as document data (for its excerpts).',
      ],
    },
    {
      title: `Query over ${DOCUMENTS.toLocaleString('en-US')} documents, a mix of ${compared.length} queries, top ${TOP}, over loopback HTTP`,
      columns: ['engine', 'clients', 'queries/s', 'p50 ms', 'p99 ms', 'server CPU µs/query'],
      rows: [
        ['kendrite (Query, signed)', CLIENTS, fmt.rps(q.k.perSecond), fmt.ms(q.k.p50Ms), fmt.ms(q.k.p99Ms), Math.round(q.k.cpuUs)],
        ['Xapian (Python ThreadingHTTPServer)', CLIENTS, fmt.rps(q.x.perSecond), fmt.ms(q.x.p50Ms), fmt.ms(q.x.p99Ms), Math.round(q.x.cpuUs)],
        ['kendrite (Query, signed)', 1, fmt.rps(q.k1.perSecond), fmt.ms(q.k1.p50Ms), fmt.ms(q.k1.p99Ms), Math.round(q.k1.cpuUs)],
        ['Xapian (Python ThreadingHTTPServer)', 1, fmt.rps(q.x1.perSecond), fmt.ms(q.x1.p50Ms), fmt.ms(q.x1.p99Ms), Math.round(q.x1.cpuUs)],
      ],
      notes: [
        `kendrite / Xapian at ${CLIENTS} clients = ${fmt.ratio(queryRatio)} (target ≥ ${TARGET}); at 1 client ${fmt.ratio(q.k1.perSecond / q.x1.perSecond)}. ${load}.`,
        `Same load generator for both: ${CLIENTS} (or 1) keep-alive clients, each sending the next query of the list as its answer arrives; every answer checked by status and length.`,
        'Same work per answer: the exact total of matches, the top 10 with titles and a highlighted excerpt. Xapian: one thread per connection, each with its own read-only Database; BM25Weight(k1 1.2, b 0.75) as FTS5\'s bm25,',
        'Porter stemming of every term, title weighted 10 × the body as kendrite\'s bm25(…, 10.0, 1.0); words side by side are alternatives, AND / OR / NOT and "phrases" as in kendrite.',
        'Server CPU per query: the server\'s CPU over warm-up and window, divided by the window\'s rate × their length (an estimate).',
      ],
    },
    {
      title: `The same question? Top-${TOP} overlap per query, |kendrite ∩ Xapian| / ${TOP} (of the longer list when fewer match)`,
      columns: ['kind', 'query', 'kendrite total', 'Xapian total', 'overlap'],
      rows: compared.map((c) => [c.kind, c.text, c.k.total, c.x.total, fmt.percent(c.overlap)]),
      notes: [
        ...(unmatched.length ? [`Left out of the mix, matching nothing on either engine at this size: ${unmatched.join(', ')}.`] : []),
        `Mean overlap ${fmt.percent(meanOverlap)} (${byKind.join(', ')}). ${differentTotals.length ? `Totals differ for ${differentTotals.length} of ${compared.length} queries: ${differentTotals.map((c) => c.text).join(', ')}.` : `Totals are equal for all ${compared.length} queries.`}`,
        "Their BM25s differ in one detail that matters for this mix: FTS5 takes a document's length from its words as written, Xapian from its weighted ones (each title word counts 10 times), so close scores can order differently.",
      ],
    },
  ];
  const targets: Target[] = [
    {
      name: `indexing documents/s ≥ ${TARGET} × Xapian's`,
      pass: indexRatio >= TARGET,
      detail: `${fmt.rps(ki.perSec)} vs ${fmt.rps(xi.perSec)} documents/s: ${fmt.ratio(indexRatio)}× (CPU ${Math.round(ki.cpuUs)} vs ${Math.round(xi.cpuUs)} µs/document)`,
    },
    {
      name: `Query throughput at ${CLIENTS} clients ≥ ${TARGET} × Xapian's`,
      pass: queryRatio >= TARGET,
      detail: `${fmt.rps(q.k.perSecond)} vs ${fmt.rps(q.x.perSecond)} queries/s: ${fmt.ratio(queryRatio)}× (top-${TOP} overlap ${fmt.percent(meanOverlap)})`,
    },
  ];
  return { tables, targets, errors };
}
