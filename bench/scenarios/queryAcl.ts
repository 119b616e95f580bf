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
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CreateDataSourceCommand, CreateIndexCommand, DescribeDataSourceCommand, DescribeIndexCommand, KendraClient } from '@aws-sdk/client-kendra';
import { exchange } from '../lib/http1.js';
import { startKendrite } from '../lib/processes.js';
import type { ScenarioContext, ScenarioResult, Table, Target } from '../lib/scenario.js';
import { KendraWire } from '../lib/signing.js';
import { fmt } from '../lib/stats.js';
import { Corpus, httpLoad, medianOf, seed, until, type Latencies } from './query.js';

export const name = 'queryAcl';
export const description =
  'Query over 100,000 documents with access lists, as users of 1, 100 and 10,000 groups (the last through the principal mapping), against the same queries with no user context';

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

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const dataDir = ctx.tempDir('query-acl');
  const configFile = path.join(dataDir, 'bench-config.json');
  writeFileSync(configFile, JSON.stringify({ credentials: [{ ...CREDENTIALS, accountId: '000000000000', permissions: 'read-write' }] }));
  const serve = () => startKendrite({ repoRoot: ctx.repoRoot, dataDir, configFile, env: { KENDRITE_TRANSITION_DELAY_MS: '20' }, nodeArgs: ctx.options.kendriteNodeArgs });

  ctx.log('creating the index and a CUSTOM data source through the API');
  let kendrite = await serve();
  let indexId: string;
  let source: string;
  try {
    const client = new KendraClient({ endpoint: kendrite.url, region: REGION, credentials: { ...CREDENTIALS }, maxAttempts: 1 }); // a copy: the SDK marks the object it is given ($source)
    indexId = (await client.send(new CreateIndexCommand({ Name: 'bench-acl', RoleArn: 'arn:aws:iam::000000000000:role/kendra' }))).Id!;
    await until(async () => (await client.send(new DescribeIndexCommand({ Id: indexId }))).Status === 'ACTIVE');
    const { Id } = await client.send(new CreateDataSourceCommand({ IndexId: indexId, Name: 'acl', Type: 'CUSTOM' }));
    await until(async () => (await client.send(new DescribeDataSourceCommand({ IndexId: indexId, Id }))).Status === 'ACTIVE');
    source = Id!;
    client.destroy();
  } finally {
    await kendrite.stop();
  }

  ctx.log('seeding 100,000 documents, their access lists and the 10,000-group mapping into the store');
  const file = path.join(dataDir, 'kendrite.db');
  const corpus = new Corpus();
  seed(file, indexId, [source], corpus);
  seedAccess(file, indexId);
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
        ctx.log(`round ${round} of ${ctx.options.rounds}: ${v.name}`);
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
    title: `Query over 100,000 documents (90 % with an access list), one client, ${queries.length} queries per user`,
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
    return { name: `Query p50 with ${variant} ≤ ${limit} × with no user context`, pass: ratio <= limit, detail: `${fmt.ms(medians.get(variant)!.p50Ms)} ms against ${fmt.ms(base.p50Ms)} ms: ${fmt.ratio(ratio)}×` };
  });
  return { tables: [table], targets, errors };
}

/** The documents' access rows as the indexer writes them (domain/access.ts accessRows), and the principal mapping of user-10k. */
function seedAccess(file: string, indexId: string): void {
  const db = new BetterSqlite3(file);
  try {
    const keys = db.prepare('SELECT doc_key FROM documents WHERE index_id = ? ORDER BY doc_key').pluck().all(indexId) as number[];
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
