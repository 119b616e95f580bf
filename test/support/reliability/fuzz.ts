/**
 * The seeded model-driven fuzzer: for every operation of the generated model (OPERATION_NAMES, so an
 * operation added to the model is fuzzed without a change here) and kendrite's own extension, inputs
 * built from the operation's input shape — valid-ish values pointing at real resources, every
 * constraint broken (badInputCases), and hostile values put anywhere in the input: boundaries, wrong
 * JSON types, oversize strings and lists, U+0000 and unpaired surrogates, deep nesting, numbers past
 * 2^64. Every answer must come in under 5 s, below 500, as a JSON error with `__type` when it is an
 * error; a refused write must leave every row of the store as it was; the server must live on.
 */
import { BatchPutDocumentCommand, DescribeExperienceCommand, DescribeIndexCommand, StartDataSourceSyncJobCommand, StopDataSourceSyncJobCommand, TagResourceCommand, type KendraClient } from '@aws-sdk/client-kendra';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { findRepoRoot, loadModel, type Model } from '../../../scripts/codegen.js';
import { isReadOperation } from '../../../src/http/auth.js';
import { OPERATION_NAMES, type OperationName } from '../../../src/protocol/generated/operations.js';
import { badInputCases, validInputFor, validValueFor } from '../badInputCases.js';
import { activeCustomDataSource, activeIndex, jobReaching } from '../kendra.js';
import { rawRequest, target } from '../rawClient.js';
import type { TestServer, TestStore } from '../server.js';
import { storeSnapshot, type StoreSnapshot } from '../storeSnapshot.js';
import { pick, seeded, Tally, type AreaResult } from './tally.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** One request of the fuzzer: a body (JSON text, sent as is) for an operation's target. */
export interface FuzzCase {
  target: string;
  operation: string;
  label: string;
  body: string;
  /** Built to pass validation: it may well be accepted (and change the store). */
  validish: boolean;
}

export const SLOW_MS = 5000;

let cachedModel: Model | undefined;
const model = (): Model => (cachedModel ??= loadModel(findRepoRoot(import.meta.url)));

/** The real resources the fuzzer aims at, so that valid-ish inputs reach the handlers' real paths. */
export interface Fixtures {
  indexId: string;
  dataSourceId: string;
  executionId: string;
  indexArn: string;
}

/** kendrite's own operations (not in the Kendra model), with a valid input of each. */
const EXTENSION: Record<string, (f: Fixtures) => Record<string, unknown>> = {
  'KendriteService.DescribeSyncJobReport': (f) => ({ ExecutionId: f.executionId, MaxResults: 10 }),
};

// ------------------------------------------------------------------------------- values

const BIG = 'x'.repeat(1 << 20);
const deepArray = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

/** Hostile values as JSON text (some are not expressible as JS values: big integers, deep nesting). */
const HOSTILE: { label: string; json: string }[] = [
  { label: 'empty string', json: '""' },
  { label: 'U+0000', json: JSON.stringify('\u0000') },
  { label: 'NUL inside', json: JSON.stringify('a\u0000b') },
  { label: 'unpaired surrogate', json: '"a\\ud800b"' },
  { label: 'lone low surrogate', json: '"\\udc00"' },
  { label: 'emoji', json: JSON.stringify('😀'.repeat(50)) },
  { label: 'right-to-left override', json: JSON.stringify('\u202eabc\u200b\ufeff') },
  { label: 'control characters', json: JSON.stringify('\u0001\u001f\u007f\r\n\t') },
  { label: 'path traversal', json: JSON.stringify('../../../../etc/passwd') },
  { label: 'SQL', json: JSON.stringify("x' OR '1'='1'; DROP TABLE documents; --") },
  { label: 'format string', json: JSON.stringify('%s%n%x${x}{{x}}') },
  { label: 'oversize string (1 MiB)', json: JSON.stringify(BIG) },
  { label: 'long string (10,000)', json: JSON.stringify('é'.repeat(10_000)) },
  { label: 'null', json: 'null' },
  { label: 'true', json: 'true' },
  { label: 'zero', json: '0' },
  { label: 'negative', json: '-1' },
  { label: 'negative zero', json: '-0' },
  { label: 'fraction', json: '0.5' },
  { label: '2^31', json: '2147483648' },
  { label: '2^53 + 1', json: '9007199254740993' },
  { label: '2^64', json: '18446744073709551616' },
  { label: '-2^63 - 1', json: '-9223372036854775809' },
  { label: '1e308', json: '1e308' },
  { label: '1e400', json: '1e400' },
  { label: 'empty array', json: '[]' },
  { label: 'empty object', json: '{}' },
  { label: 'array of 10,000 strings', json: JSON.stringify(Array.from({ length: 10_000 }, (_, i) => `v${i}`)) },
  { label: 'object of 10,000 keys', json: JSON.stringify(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]))) },
  { label: '__proto__ key', json: '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}' },
  { label: 'arrays nested 150 deep', json: deepArray(150) },
  { label: 'arrays nested 5,000 deep', json: deepArray(5000) },
  { label: 'objects nested 5,000 deep', json: deepObject(5000) },
  { label: 'arrays nested 100,000 deep', json: deepArray(100_000) },
  { label: 'base64 of 1 MiB', json: JSON.stringify(Buffer.alloc(1 << 20, 7).toString('base64')) },
];

/** A valid-ish value of a shape with optional members filled at random (depth-bounded). */
function randomValue(shapeName: string, rng: () => number, depth: number): Json {
  const s = model().shapes[shapeName]!;
  if (s.document) return {};
  switch (s.type) {
    case 'structure': {
      const out: { [k: string]: Json } = {};
      const required = new Set(s.required ?? []);
      const members = Object.entries(s.members ?? {});
      // Unions (every member optional, one expected) get one member; others a random selection.
      const chance = required.size === 0 && members.length > 3 ? 1 / members.length : 0.5;
      for (const [name, ref] of members) if (required.has(name) || (depth < 5 && rng() < chance)) out[name] = randomValue(ref.shape, rng, depth + 1);
      return out;
    }
    case 'list': {
      const n = Math.max(s.min ?? 0, Math.min(s.max ?? 3, depth < 4 ? Math.floor(rng() * 3) : 0));
      return Array.from({ length: n }, () => randomValue(s.member!.shape, rng, depth + 1));
    }
    case 'string':
      return s.enum ? pick(rng, s.enum) : (validValueFor(shapeName) as string);
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return pick(rng, [s.min ?? 0, s.max ?? 1000, s.min ?? 1, 1]);
    case 'boolean':
      return rng() < 0.5;
    case 'timestamp':
      return pick(rng, [0, 1700000000, 1700000000.123, 4102444800]);
    default:
      return validValueFor(shapeName);
  }
}

/** Points the members that name resources at the fixtures (most of the time). */
function aimed(operation: string, input: Record<string, unknown>, f: Fixtures, rng: () => number): Record<string, unknown> {
  const out = { ...input };
  if (rng() < 0.15) return out;
  if ('IndexId' in out) out.IndexId = f.indexId;
  if ('Id' in out) out.Id = /Index$/.test(operation) ? f.indexId : /DataSource/.test(operation) ? f.dataSourceId : out.Id;
  if ('ResourceARN' in out) out.ResourceARN = f.indexArn;
  if ('DataSourceId' in out) out.DataSourceId = f.dataSourceId;
  return out;
}

/** The member paths of an input object, each as the list of keys leading to it. */
function pathsOf(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (prefix.length) out.push(prefix);
  if (prefix.length > 6) return out;
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) pathsOf(x, [...prefix, k], out);
  return out;
}

const MARK = '\u0000__fuzz_slot__';

/** `input` as JSON text with the value at `path` replaced by raw JSON text. */
function withRaw(input: Record<string, unknown>, path: (string | number)[], json: string): string {
  const copy = structuredClone(input) as Record<string, unknown>;
  let cur: any = copy;
  for (const k of path.slice(0, -1)) cur = cur[k];
  cur[path[path.length - 1]!] = MARK;
  return JSON.stringify(copy).replace(JSON.stringify(MARK), () => json);
}

/** Every case for one operation: `perOperation` of them, the same for the same seed. */
export function casesFor(operation: string, perOperation: number, seed: number, f: Fixtures): FuzzCase[] {
  const rng = seeded(seed ^ hash(operation));
  const isModel = (OPERATION_NAMES as readonly string[]).includes(operation);
  const tgt = isModel ? target(operation) : operation;
  const valid = (): Record<string, unknown> =>
    isModel ? aimed(operation, randomValue(model().operations[operation]!.input!.shape, rng, 0) as Record<string, unknown>, f, rng) : EXTENSION[operation]!(f);
  const cases: FuzzCase[] = [];
  const add = (label: string, body: string, validish = false) => cases.push({ target: tgt, operation, label, body, validish });

  // Every broken constraint the model gives (a third of the budget at most, spread by the seed).
  if (isModel) {
    const bad = badInputCases(operation as OperationName, { exhaustive: true });
    const budget = Math.min(bad.length, Math.floor(perOperation / 3));
    for (let i = 0; i < budget; i++) {
      const c = bad[Math.floor((i * bad.length) / budget)]!;
      add(`bad input: ${c.name}`, JSON.stringify(aimed(operation, c.body, f, () => 1)));
    }
  }
  // Hostile values in a member of a valid-ish input, or as the whole body.
  const wholeBodies = ['', '{}', 'null', '[]', '{"a":', deepObject(10_000), `{"IndexId":${deepArray(1000)}}`, '{"IndexId":"a","IndexId":"b"}'];
  const hostileBudget = perOperation - 4 - Math.min(cases.length, perOperation);
  for (let i = 0; cases.length < perOperation - 4 && i < hostileBudget + 1000; i++) {
    if (rng() < 0.1) {
      add(`whole body ${JSON.stringify(pick(rng, wholeBodies).slice(0, 20))}`, pick(rng, wholeBodies));
      continue;
    }
    const input = valid();
    const paths = pathsOf(input);
    const h = pick(rng, HOSTILE);
    if (!paths.length) {
      add(`${h.label} as an undefined member`, withRaw({ ...input, Fuzz: 0 }, ['Fuzz'], h.json));
      continue;
    }
    const p = pick(rng, paths);
    add(`${h.label} at ${p.join('.')}`, withRaw(input, p, h.json));
  }
  // Valid-ish inputs last: those may be accepted and change the store.
  while (cases.length < perOperation) add('valid-ish input', JSON.stringify(valid()), true);
  return cases;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Every operation the server answers: the generated model's, then kendrite's own. */
export function fuzzedOperations(): string[] {
  return [...OPERATION_NAMES, ...Object.keys(EXTENSION)];
}

// ------------------------------------------------------------------------------- running

/** What is wrong with an answer, or undefined: under 500, under 5 s, a JSON error with its code when not 200. */
export function judgeAnswer(status: number, text: string, headers: Record<string, unknown>, ms: number): string | undefined {
  if (status >= 500) return `${status} ${text.slice(0, 300)}`;
  if (ms > SLOW_MS) return `answered in ${Math.round(ms)} ms`;
  if (status !== 200) {
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      return `${status} with a body that is not JSON: ${text.slice(0, 200)}`;
    }
    if (typeof json?.__type !== 'string' || headers['x-amzn-errortype'] !== json.__type) return `${status} without a matching __type/x-amzn-ErrorType: ${text.slice(0, 200)}`;
  }
  return undefined;
}

async function fixtures(k: KendraClient): Promise<Fixtures> {
  const indexId = await activeIndex(k, 'fuzz-fixture');
  const dataSourceId = await activeCustomDataSource(k, indexId, 'fuzz-custom');
  const indexArn = `arn:aws:kendra:us-east-1:000000000000:index/${indexId}`;
  await k.send(new TagResourceCommand({ ResourceARN: indexArn, Tags: [{ Key: 'team', Value: 'fuzz' }] }));
  const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: dataSourceId }));
  const Attributes = [
    { Key: '_data_source_id', Value: { StringValue: dataSourceId } },
    { Key: '_data_source_sync_job_execution_id', Value: { StringValue: ExecutionId! } },
  ];
  await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: ['doc-1', 'doc-2'].map((Id) => ({ Id, Title: Id, Blob: Buffer.from(`fuzz text ${Id}`), ContentType: 'PLAIN_TEXT', Attributes })) }));
  await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: dataSourceId }));
  await jobReaching(k, indexId, dataSourceId, ExecutionId!, ['SUCCEEDED', 'INCOMPLETE', 'FAILED']);
  return { indexId, dataSourceId, executionId: ExecutionId!, indexArn };
}

/** Statuses that move by themselves: a resource or job in one of them is not settled. */
const MOVING = new Set(['CREATING', 'UPDATING', 'DELETING', 'SYSTEM_UPDATING', 'SYNCING', 'SYNCING_INDEXING', 'STOPPING']);

/** What still moves by itself in a snapshot (a transition due, a job at work, an operation queued), or undefined. */
function moving(snap: StoreSnapshot): string | undefined {
  if (snap.document_queue?.length) return `${snap.document_queue.length} queued document operations`;
  for (const [table, rows] of Object.entries(snap)) {
    if (table === 'documents' || table === 'sync_job_transitions') continue;
    for (const text of rows) {
      const row = JSON.parse(text) as Record<string, unknown>;
      if (row.transition_at !== undefined && row.transition_at !== null) return `${table} ${String(row.id ?? '')} has a transition due`;
      // A CUSTOM job waits for its client's puts: SYNCING with nothing queued does not move.
      if (table === 'sync_jobs' && row.status === 'SYNCING' && row.data_source_type === 'CUSTOM') continue;
      if (typeof row.status === 'string' && MOVING.has(row.status)) return `${table} ${String(row.id ?? row.execution_id ?? '')} is ${row.status}`;
    }
  }
  return undefined;
}

/**
 * Waits until the server is quiet — no transition due, no job active, the document queue empty — and
 * two snapshots 100 ms apart agree, so that the next refused write is compared with a store nothing
 * else will change. Experiences settle when read (domain/experiences.ts): a due one is described to settle it. A store
 * that is not quiet in 60 s is a failure of the case that left it so (something stuck), not a flake.
 */
async function quiet(store: TestStore, k: KendraClient, client?: pg.Client): Promise<StoreSnapshot> {
  const deadline = Date.now() + 60_000;
  let last = '';
  let why: string | undefined;
  for (;;) {
    const snap = await storeSnapshot(store, client);
    why = moving(snap);
    const text = JSON.stringify(snap);
    if (!why && text === last) return snap;
    last = why ? '' : text;
    if (Date.now() > deadline) throw new Error(`the server never became quiet: ${why ?? 'its store kept changing'}`);
    for (const text of snap.experiences ?? []) {
      const e = JSON.parse(text) as { id: string; index_id: string; transition_at: number | null };
      if (e.transition_at !== null && e.transition_at <= Date.now()) await k.send(new DescribeExperienceCommand({ Id: e.id, IndexId: e.index_id })).catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Names the tables whose rows differ. */
function changedTables(a: StoreSnapshot, b: StoreSnapshot): string[] {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].filter((n) => JSON.stringify(a[n]) !== JSON.stringify(b[n]));
}

export interface FuzzOptions {
  server: TestServer;
  store: TestStore;
  backend: string;
  perOperation: number;
  seed: number;
  /** Only these operations (default: every one the server answers). */
  operations?: string[];
}

/**
 * Sends every case of every operation, one at a time. A write refused (4xx) must leave the store's
 * every row as it was before it; an accepted one is let settle before the next case. The fixtures are
 * rebuilt when a case deleted them, and a job a case started is stopped before the next operation.
 */
export async function fuzzOperations(o: FuzzOptions): Promise<AreaResult> {
  const k = o.server.client();
  // One connection for the many snapshots (a new one per snapshot costs more than the snapshot).
  const db = o.store.databaseUrl ? new pg.Client({ connectionString: o.store.databaseUrl }) : undefined;
  await db?.connect();
  try {
    return await fuzzWith(o, k, db);
  } finally {
    await db?.end();
  }
}

async function fuzzWith(o: FuzzOptions, k: KendraClient, db: pg.Client | undefined): Promise<AreaResult> {
  const tally = new Tally('fuzzer: every operation', o.backend);
  let f = await fixtures(k);
  let base = await quiet(o.store, k, db);
  let slowest = 0;
  for (const operation of o.operations ?? fuzzedOperations()) {
    const write = !isReadOperation(operation.replace(/^.*\./, ''));
    for (const c of casesFor(operation, o.perOperation, o.seed, f)) {
      await tally.attempt(`${operation} ${c.label}`, async () => {
        const t0 = performance.now();
        const res = await Promise.race([
          rawRequest(o.server.url, { target: c.target, body: c.body }),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer in 30 s')), 30_000).unref()),
        ]);
        const ms = performance.now() - t0;
        slowest = Math.max(slowest, ms);
        const wrong = judgeAnswer(res.status, res.text, res.headers, ms);
        if (wrong) return wrong;
        if (o.server.proc.exitCode !== null) return `the server exited (${o.server.proc.exitCode})`;
        if (!write) return undefined;
        if (res.status === 200) {
          base = await quiet(o.store, k, db);
          return undefined;
        }
        const now = await storeSnapshot(o.store, db);
        const changed = changedTables(base, now);
        base = now;
        return changed.length ? `refused (${res.json?.__type}) but changed ${changed.join(', ')}` : undefined;
      });
    }
    // Put the fixtures back in order for the next operation: no job running, index and source there.
    await k.send(new StopDataSourceSyncJobCommand({ IndexId: f.indexId, Id: f.dataSourceId })).catch(() => undefined);
    const alive = await k.send(new DescribeIndexCommand({ Id: f.indexId })).then((d) => d.Status === 'ACTIVE', () => false);
    if (!alive || (await rawRequest(o.server.url, { target: target('DescribeDataSource'), body: { IndexId: f.indexId, Id: f.dataSourceId } })).status !== 200) f = await fixtures(k);
    base = await quiet(o.store, k, db);
  }
  tally.note(`slowest answer ${Math.round(slowest)} ms`);
  return tally.result;
}
