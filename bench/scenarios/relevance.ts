/**
 * What relevance tuning and collapsing cost a Query (issue 12 item 6): one index of 3,000 documents
 * with a string, a long and a date field, queried with words every document holds (the worst case:
 * each match's fields are read and every match is placed among all of them), with and without
 * DocumentRelevanceOverrideConfigurations on all three fields, and with a CollapseConfiguration.
 * Runs alternate round by round at the same concurrency, so both see the same machine load.
 * Target: tuned (and collapsed) Query p50 ≤ 2 × untuned.
 */
import { runLoad, type LoadResult } from '../lib/load.js';
import { startKendrite, until } from '../lib/processes.js';
import type { ScenarioContext, ScenarioResult, Table, Target } from '../lib/scenario.js';
import { KendraWire } from '../lib/signing.js';
import { fmt } from '../lib/stats.js';

export const name = 'relevance';
export const description = 'Query p50 over 3,000 matching documents with relevance tuning (3 fields) and with collapse, against the same query untuned, 8 clients';

const DOCUMENTS = 3_000;
const CLIENTS = 8;
const TARGET = 2;
const REGION = 'us-east-1';
const ROLE = 'arn:aws:iam::000000000000:role/kendra';
const DEPARTMENTS = ['sales', 'legal', 'hr', 'it', 'ops', 'finance'];
const DAY_MS = 86_400_000;

const document = (i: number) => ({
  Id: `doc-${i}`,
  Title: `Report ${i}`,
  // Every document holds both query words; how often varies, so that text scores differ.
  Blob: Buffer.from(`quarterly report ${'summary '.repeat(1 + (i % 5))}for team ${i % 50}, region ${i % 13}.`).toString('base64'),
  ContentType: 'PLAIN_TEXT',
  Attributes: [
    { Key: 'department', Value: { StringValue: DEPARTMENTS[i % DEPARTMENTS.length] } },
    { Key: 'views', Value: { LongValue: (i * 7919) % 1000 } },
    { Key: 'published', Value: { DateValue: (Date.UTC(2024, 0, 1) + (i % 700) * DAY_MS) / 1000 } },
  ],
});

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const errors: string[] = [];
  const k = await startKendrite({ repoRoot: ctx.repoRoot, dataDir: ctx.tempDir('kendrite-bench-relevance-'), env: { KENDRITE_TRANSITION_DELAY_MS: '0' }, nodeArgs: ctx.options.kendriteNodeArgs });
  try {
    const wire = new KendraWire(k.host, k.port, { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' }, REGION);
    const active = async (Id: string) => until(async () => (await wire.call<{ Status: string }>('DescribeIndex', { Id })).Status === 'ACTIVE');
    const { Id: IndexId } = await wire.call<{ Id: string }>('CreateIndex', { Name: 'relevance', RoleArn: ROLE });
    await active(IndexId);
    await wire.call('UpdateIndex', {
      Id: IndexId,
      DocumentMetadataConfigurationUpdates: [
        { Name: 'department', Type: 'STRING_VALUE' },
        { Name: 'views', Type: 'LONG_VALUE' },
        { Name: 'published', Type: 'DATE_VALUE' },
      ],
    });
    await active(IndexId);
    ctx.log(`relevance: indexing ${DOCUMENTS} documents`);
    for (let i = 0; i < DOCUMENTS; i += 10) await wire.call('BatchPutDocument', { IndexId, Documents: Array.from({ length: 10 }, (_, j) => document(i + j)) });
    await until(async () => (await wire.call<{ IndexStatistics: { TextDocumentStatistics: { IndexedTextDocumentsCount: number } } }>('DescribeIndex', { Id: IndexId })).IndexStatistics.TextDocumentStatistics.IndexedTextDocumentsCount === DOCUMENTS, 100);

    const QueryText = 'quarterly report summary';
    const overrides = [
      { Name: 'department', Relevance: { Importance: 6, ValueImportanceMap: { sales: 10, legal: 4 } } },
      { Name: 'views', Relevance: { Importance: 4, RankOrder: 'ASCENDING' } },
      { Name: 'published', Relevance: { Importance: 8, Freshness: true, Duration: '2628000s' } },
    ];
    const variants = [
      { label: 'untuned', input: { IndexId, QueryText } },
      { label: 'tuned (3 fields)', input: { IndexId, QueryText, DocumentRelevanceOverrideConfigurations: overrides } },
      { label: 'collapsed by department', input: { IndexId, QueryText, CollapseConfiguration: { DocumentAttributeKey: 'department', Expand: true } } },
    ];
    // Every variant must answer what it should: all documents, or one result per department.
    for (const v of variants) {
      const r = await wire.call<{ TotalNumberOfResults: number; ResultItems: unknown[] }>('Query', v.input);
      const expected = v.label.startsWith('collapsed') ? DEPARTMENTS.length : DOCUMENTS;
      if (r.TotalNumberOfResults !== expected) errors.push(`${v.label}: TotalNumberOfResults ${r.TotalNumberOfResults}, not ${expected}`);
    }

    const runs = new Map<string, LoadResult[]>(variants.map((v) => [v.label, []]));
    for (let round = 0; round < ctx.options.rounds; round++) {
      for (const v of variants) {
        const request = await wire.request('Query', v.input);
        runs.get(v.label)!.push(await runLoad({
          host: k.host, port: k.port, request, connections: CLIENTS, warmupMs: ctx.options.warmupMs, durationMs: ctx.options.durationMs, serverPid: k.pid,
          check: (r) => (r.status === 200 ? undefined : `Query answered ${r.status}: ${r.body.toString().slice(0, 200)}`),
        }));
      }
    }
    const median = (xs: LoadResult[], f: (r: LoadResult) => number) => xs.map(f).sort((a, b) => a - b)[xs.length >> 1]!;
    const base = median(runs.get('untuned')!, (r) => r.p50Ms);
    const rows: (string | number)[][] = [];
    const targets: Target[] = [];
    for (const v of variants) {
      const xs = runs.get(v.label)!;
      const e = xs.reduce((n, r) => n + r.errors, 0);
      if (e) errors.push(`${v.label}: ${e} wrong responses (${xs.find((r) => r.firstError)?.firstError})`);
      const p50 = median(xs, (r) => r.p50Ms);
      const ratio = p50 / base;
      rows.push([v.label, fmt.ms(p50), fmt.ratio(ratio), fmt.ms(median(xs, (r) => r.p99Ms))]);
      if (v.label !== 'untuned') targets.push({ name: `Query p50 ${v.label} ≤ ${TARGET} × untuned`, pass: ratio <= TARGET, detail: `${fmt.ms(p50)} ms / ${fmt.ms(base)} ms = ${fmt.ratio(ratio)}` });
    }
    const table: Table = {
      title: `Query at ${CLIENTS} clients, "${QueryText}" matching all ${DOCUMENTS} documents (median of ${ctx.options.rounds} rounds)`,
      columns: ['query', 'p50 ms', 'ratio to untuned', 'p99 ms'],
      rows,
      notes: ['Rounds alternate between the variants, so all see the same machine load.'],
    };
    return { tables: [table], targets, errors };
  } finally {
    await k.stop();
  }
}
