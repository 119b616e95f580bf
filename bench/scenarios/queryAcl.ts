/**
 * Query under access control: the query scenario's 100,000 documents, 90 % of them with an access
 * list (a team group of 1,000 and an owner), asked by users of 1, 100 and 10,000 groups, against the
 * same queries with no user context (public documents only). The 1- and 100-group users name their
 * groups in UserContext.Groups; the 10,000-group user names none: its groups come from the
 * principal mapping (10,000 groups holding the user), expanded at every query as Kendra does.
 * Targets: p50 ≤ 1.5 × the no-user-context p50 at 100 groups, ≤ 3 × at 10,000.
 *
 * One client at a time (no queueing in the figures): each p50 is one query's own time in kendrite,
 * over HTTP, signed.
 *
 * On SQLite, then on PostgreSQL (KENDRITE_BENCH_POSTGRES_URL, else KENDRITE_TEST_POSTGRES_URL, else
 * postgres://postgres@127.0.0.1:5432/postgres; a database of its own is created and dropped; a
 * server that cannot be reached is reported, not measured). Each backend's ratios are against its own
 * no-user-context p50.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { KendraClient } from '@aws-sdk/client-kendra';
import { exchange } from '../lib/http1.js';
import { createDataSource, createIndex } from '../lib/kendraResources.js';
import { startKendrite } from '../lib/processes.js';
import type { ScenarioContext, ScenarioResult, Table, Target } from '../lib/scenario.js';
import { KendraWire } from '../lib/signing.js';
import { fmt } from '../lib/stats.js';
import { Corpus, httpLoad, medianOf, seed, type Latencies } from './query.js';

export const name = 'queryAcl';
export const description =
  'Query over 100,000 documents with access lists, as users of 1, 100 and 10,000 groups (the last through the principal mapping), against the same queries with no user context';

const DOCUMENTS = 100_000;
const TEAMS = 1000;
const OWNERS = 500;
const MAPPED_GROUPS = 10_000;
const PAGE_SIZE = 10;
const CREDENTIALS = { accessKeyId: 'AKIDBENCHACL', secretAccessKey: 'bench-acl-secret' };
const REGION = 'us-east-1';
const TARGETS: Record<string, number> = { '100 groups': 1.5, '10,000 groups (mapped)': 3 };

interface Variant {
  name: string;
  userContext?: object;
}

const VARIANTS: Variant[] = [
  { name: 'no user context' },
  { name: '1 group', userContext: { UserId: 'user-1', Groups: ['team-7'] } },
  { name: '100 groups', userContext: { UserId: 'user-100', Groups: Array.from({ length: 100 }, (_, i) => `team-${i * 10 + 3}`) } },
  { name: '10,000 groups (mapped)', userContext: { UserId: 'user-10k' } },
];

/** Where kendrite keeps its state for one run, and how the bench fills it behind kendrite's back. */
interface StoreUnderTest {
  name: string;
  env: Record<string, string>;
  seed(dataDir: string, indexId: string, source: string, corpus: Corpus): Promise<void>;
}

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const result: ScenarioResult = { tables: [], targets: [], errors: [] };
  const add = (r: ScenarioResult) => {
    result.tables.push(...r.tables);
    result.targets.push(...r.targets);
    result.errors.push(...r.errors);
  };
  add(await runOn(ctx, { name: 'SQLite', env: {}, seed: async (dataDir, indexId, source, corpus) => seedSqlite(path.join(dataDir, 'kendrite.db'), indexId, source, corpus) }));
  const admin = new URL(process.env.KENDRITE_BENCH_POSTGRES_URL ?? process.env.KENDRITE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const database = `kendrite_bench_acl_${process.pid}`;
  const a = new pg.Client({ connectionString: admin.toString() });
  try {
    await a.connect();
  } catch (e) {
    ctx.log(`PostgreSQL at ${admin.host} cannot be reached (${(e as Error).message}): measured on SQLite only`);
    result.tables[0]!.notes!.push(`PostgreSQL at ${admin.host} could not be reached: not measured.`);
    return result;
  }
  try {
    await a.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await a.query(`CREATE DATABASE ${database}`);
    const url = new URL(admin);
    url.pathname = `/${database}`;
    add(await runOn(ctx, { name: 'PostgreSQL', env: { KENDRITE_DATABASE_URL: url.toString() }, seed: (_, indexId, source, corpus) => seedPostgres(url.toString(), indexId, source, corpus) }));
  } finally {
    await a.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await a.end();
  }
  return result;
}

async function runOn(ctx: ScenarioContext, store: StoreUnderTest): Promise<ScenarioResult> {
  const dataDir = ctx.tempDir(`query-acl-${store.name.toLowerCase()}`);
  const configFile = path.join(dataDir, 'bench-config.json');
  writeFileSync(configFile, JSON.stringify({ credentials: [{ ...CREDENTIALS, accountId: '000000000000', permissions: 'read-write' }] }));
  const serve = () => startKendrite({ repoRoot: ctx.repoRoot, dataDir, configFile, env: { KENDRITE_TRANSITION_DELAY_MS: '20', ...store.env }, nodeArgs: ctx.options.kendriteNodeArgs });

  ctx.log(`${store.name}: creating the index and a CUSTOM data source through the API`);
  let kendrite = await serve();
  let indexId: string;
  let source: string;
  try {
    const client = new KendraClient({ endpoint: kendrite.url, region: REGION, credentials: { ...CREDENTIALS }, maxAttempts: 1 }); // a copy: the SDK marks the object it is given ($source)
    indexId = await createIndex(client, 'bench-acl');
    source = await createDataSource(client, indexId, { Name: 'acl', Type: 'CUSTOM' });
    client.destroy();
  } finally {
    await kendrite.stop();
  }

  ctx.log(`${store.name}: seeding 100,000 documents, their access lists and the 10,000-group mapping into the store`);
  const corpus = new Corpus();
  await store.seed(dataDir, indexId, source, corpus);
  const queries = corpus.queries().filter((q) => !q.AttributeFilter);

  kendrite = await serve();
  const errors: string[] = [];
  const results = new Map<string, Latencies[]>();
  const totals = new Map<string, number>();
  try {
    const wire = new KendraWire(kendrite.host, kendrite.port, CREDENTIALS, REGION);
    const requests = new Map<string, Buffer[]>();
    for (const v of VARIANTS) {
      const built = await Promise.all(queries.map((q) => wire.request('Query', { IndexId: indexId, QueryText: q.QueryText, PageSize: PAGE_SIZE, ...(v.userContext ? { UserContext: v.userContext } : {}) })));
      requests.set(v.name, built);
      let total = 0;
      for (const [i, r] of built.entries()) {
        const a = await exchange(kendrite.host, kendrite.port, r);
        if (a.status !== 200) throw new Error(`${v.name}, ${JSON.stringify(queries[i]!.QueryText)}: HTTP ${a.status} ${a.body.toString().slice(0, 300)}`);
        total += (JSON.parse(a.body.toString()) as { TotalNumberOfResults: number }).TotalNumberOfResults;
      }
      totals.set(v.name, total);
    }
    // Each user's groups hold the previous one's: what they find only grows.
    const found = VARIANTS.map((v) => totals.get(v.name)!);
    if (found.some((n, i) => i > 0 && n <= found[i - 1]!)) errors.push(`matches per variant should grow with the groups: ${found.join(', ')}`);
    const load = { connections: 1, warmupMs: ctx.options.warmupMs, durationMs: ctx.options.durationMs };
    for (let round = 1; round <= ctx.options.rounds; round++) {
      for (const v of VARIANTS) {
        ctx.log(`${store.name}: round ${round} of ${ctx.options.rounds}: ${v.name}`);
        const r = await httpLoad(kendrite.host, kendrite.port, requests.get(v.name)!, (_, a) => (a.status === 200 ? undefined : `HTTP ${a.status}: ${a.body.toString().slice(0, 200)}`), load);
        results.set(v.name, [...(results.get(v.name) ?? []), r]);
      }
    }
  } finally {
    await kendrite.stop();
  }
  const medians = new Map(VARIANTS.map((v) => [v.name, medianOf(results.get(v.name)!)]));
  for (const [n, m] of medians) if (m.errors) errors.push(`${n}: ${m.errors} failed responses; first: ${m.firstError}`);
  const base = medians.get('no user context')!;
  const table: Table = {
    title: `${store.name}: Query over 100,000 documents (90 % with an access list), one client, ${queries.length} queries per user`,
    columns: ['who asks', 'queries/s', 'p50 ms', 'p99 ms', 'p50 / no user context', 'matches (sum over the queries)'],
    rows: VARIANTS.map((v) => {
      const m = medians.get(v.name)!;
      return [v.name, fmt.rps(m.perSecond), fmt.ms(m.p50Ms), fmt.ms(m.p99Ms), fmt.ratio(m.p50Ms / base.p50Ms), totals.get(v.name) ?? 0];
    }),
    notes: [
      `Documents: 10 % public; the rest allow team-(n mod ${TEAMS}) and owner-(n mod ${OWNERS}). The 1- and 100-group users name team groups in UserContext.Groups; user-10k is in ${MAPPED_GROUPS.toLocaleString('en-US')} mapped groups (every team and 9,000 others).`,
      `${ctx.options.warmupMs / 1000} s warm-up + ${ctx.options.durationMs / 1000} s per run, median of ${ctx.options.rounds} rounds.`,
    ],
  };
  const targets: Target[] = Object.entries(TARGETS).map(([variant, limit]) => {
    const ratio = medians.get(variant)!.p50Ms / base.p50Ms;
    return { name: `${store.name}: Query p50 with ${variant} ≤ ${limit} × with no user context`, pass: ratio <= limit, detail: `${fmt.ms(medians.get(variant)!.p50Ms)} ms against ${fmt.ms(base.p50Ms)} ms: ${fmt.ratio(ratio)}×` };
  });
  return { tables: [table], targets, errors };
}

function seedSqlite(file: string, indexId: string, source: string, corpus: Corpus): void {
  seed(file, indexId, [source], corpus);
  seedAccess(file, indexId);
}

/** The documents' access rows as the indexer writes them (domain/access.ts accessRows), and the principal mapping of user-10k. */
function seedAccess(file: string, indexId: string): void {
  const db = new BetterSqlite3(file);
  try {
    const byKey = db.prepare(`SELECT 1 FROM pragma_table_info('documents') WHERE name = 'index_key'`).get() !== undefined;
    const keys = db.prepare(`SELECT doc_key FROM documents WHERE ${byKey ? 'index_key = (SELECT key FROM index_keys WHERE id = ?)' : 'index_id = ?'} ORDER BY doc_key`).pluck().all(indexId) as number[];
    const row = db.prepare('INSERT INTO document_access (doc_key, level, access, principal) VALUES (?, 0, ?, ?)');
    const group = db.prepare("INSERT INTO principal_groups (index_id, data_source_id, group_id, ordering_id, deleted, updated_at) VALUES (?, '', ?, 1, 0, 1)");
    const member = db.prepare("INSERT INTO principal_members (index_id, data_source_id, group_id, member_type, member_id, member_data_source_id) VALUES (?, '', ?, 'U', 'user-10k', '')");
    db.transaction(() => {
      keys.forEach((docKey, n) => {
        if (n % 10 === 0) return;
        row.run(docKey, 'L', '');
        row.run(docKey, 'A', `g::team-${n % TEAMS}`);
        row.run(docKey, 'A', `u::owner-${n % OWNERS}`);
      });
      for (let i = 0; i < MAPPED_GROUPS; i++) {
        const g = i < TEAMS ? `team-${i}` : `other-${i}`;
        group.run(indexId, g);
        member.run(indexId, g);
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/**
 * The same documents, access rows and mapping in PostgreSQL, as the indexer leaves them (status
 * INDEXED; the schema's trigger fills the attribute rows, the generated column the text vector).
 * Query reads no passages, so none are written.
 */
async function seedPostgres(url: string, indexId: string, source: string, corpus: Corpus): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('BEGIN');
    const BATCH = 1000;
    for (let start = 0; start < DOCUMENTS; start += BATCH) {
      const params: unknown[] = [];
      const rows: string[] = [];
      for (let n = start; n < Math.min(DOCUMENTS, start + BATCH); n++) {
        const { title, body } = corpus.document(n);
        const id = `doc-${n}`;
        const uri = `https://docs.example.com/${id}`;
        const attributes = [{ Key: '_data_source_id', Value: { StringValue: source } }, { Key: '_source_uri', Value: { StringValue: uri } }];
        const now = Date.now();
        const p = params.length;
        rows.push(`($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, 'PLAIN_TEXT', $${p + 6}, $${p + 7}, $${p + 8}, 'INDEXED', $${p + 9}, 0, $${p + 10}, $${p + 10})`);
        params.push(indexId, id, source, title, body, JSON.stringify(attributes), uri, `seed-${n}`, Buffer.byteLength(body), now);
      }
      // The newest schema names a document's index and data source by key (store/idKeys.ts; PostgreSQL migration 29).
      await c.query(`INSERT INTO index_keys (id) SELECT i FROM unnest($1::text[]) i WHERE NOT EXISTS (SELECT 1 FROM index_keys WHERE id = i)`, [[indexId]]);
      await c.query(`INSERT INTO data_source_keys (id) SELECT i FROM unnest($1::text[]) i WHERE NOT EXISTS (SELECT 1 FROM data_source_keys WHERE id = i)`, [[source]]);
      await c.query(`INSERT INTO documents (index_key, document_id, source_key, title, body, content_type, attributes, source_uri, content_hash, status, text_bytes, applied_seq, created_at, updated_at)
        SELECT (SELECT key FROM index_keys WHERE id = v.i), v.d, (SELECT key FROM data_source_keys WHERE id = v.s), v.t, v.b, v.ct, v.a, v.u, v.h, v.st, v.n::bigint, v.q::bigint, v.c::bigint, v.up::bigint
        FROM (VALUES ${rows.join(', ')}) AS v(i, d, s, t, b, ct, a, u, h, st, n, q, c, up)`, params);
    }
    // Access rows by the documents' order, as in SQLite: every tenth public, the rest a team and an owner.
    await c.query(`WITH d AS (SELECT doc_key, row_number() OVER (ORDER BY doc_key) - 1 AS n FROM documents WHERE index_key = (SELECT key FROM index_keys WHERE id = $1))
      INSERT INTO document_access (doc_key, level, access, principal)
      SELECT doc_key, 0, 'L', '' FROM d WHERE n % 10 <> 0
      UNION ALL SELECT doc_key, 0, 'A', 'g::team-' || (n % ${TEAMS}) FROM d WHERE n % 10 <> 0
      UNION ALL SELECT doc_key, 0, 'A', 'u::owner-' || (n % ${OWNERS}) FROM d WHERE n % 10 <> 0`, [indexId]);
    await c.query(`INSERT INTO principal_groups (index_id, data_source_id, group_id, ordering_id, deleted, updated_at)
      SELECT $1, '', CASE WHEN i < ${TEAMS} THEN 'team-' || i ELSE 'other-' || i END, 1, 0, 1 FROM generate_series(0, ${MAPPED_GROUPS - 1}) i`, [indexId]);
    await c.query(`INSERT INTO principal_members (index_id, data_source_id, group_id, member_type, member_id, member_data_source_id)
      SELECT index_id, '', group_id, 'U', 'user-10k', '' FROM principal_groups WHERE index_id = $1`, [indexId]);
    await c.query('COMMIT');
    await c.query('VACUUM ANALYZE');
  } finally {
    await c.end();
  }
}
