/**
 * Query with a 10,000-rule thesaurus against the same query without one (issue 12): two indices of
 * the same 3,000 documents, one with a thesaurus (Solr format, read from S3 — moto's server), the
 * other without, queried alternately round by round at the same concurrency. Two queries: words the
 * thesaurus does not name (what holding the thesaurus costs a query: reading its version and the
 * lookups) and a word it expands to an equivalent of the same frequency (what a synonym costs).
 * Target: kendrite's Query p50 with the thesaurus ≤ 1.3 × without, for both.
 */
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Moto } from '../../test/support/moto.js';
import { runLoad, type LoadResult } from '../lib/load.js';
import { startKendrite, until } from '../lib/processes.js';
import type { ScenarioContext, ScenarioResult, Table, Target } from '../lib/scenario.js';
import { KendraWire } from '../lib/signing.js';
import { fmt } from '../lib/stats.js';

export const name = 'thesaurus';
export const description = 'Query p50 over 3,000 documents with a 10,000-rule thesaurus against the same index without one, 8 clients';

const DOCUMENTS = 3_000;
const WORDS_PER_DOCUMENT = 60;
const VOCABULARY = 3_000;
const RULES = 10_000;
const CLIENTS = 8;
const TARGET = 1.3;
const REGION = 'us-east-1';
const ROLE = 'arn:aws:iam::000000000000:role/kendra';

/** Made-up words of letters only; rank 0 is the most frequent. */
const word = (rank: number) => `w${rank.toString(26).replace(/[0-9]/g, (d) => String.fromCharCode(113 + Number(d)))}x`;

/** Zipf-like sampling with a fixed seed, so every run indexes the same text. */
function corpus(): string[] {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const weights = Array.from({ length: VOCABULARY }, (_, r) => 1 / (r + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const w of weights) cumulative.push((acc += w / total));
  const pick = () => {
    const x = random();
    let lo = 0;
    let hi = VOCABULARY - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return word(lo);
  };
  return Array.from({ length: DOCUMENTS }, () => Array.from({ length: WORDS_PER_DOCUMENT }, pick).join(' '));
}

/** 10,000 rules: equivalents of words no document holds, and ten rules on words the queries use. */
function thesaurusFile(): string {
  const lines = ['# bench thesaurus'];
  for (let i = 0; i < RULES - 10; i++) lines.push(i % 2 ? `syn${i}a, syn${i}b, syn${i}c` : `abbr${i} => expansion ${i}, syn${i}z`);
  for (let j = 0; j < 10; j++) lines.push(`${word(300 + j)}, ${word(310 + j)}`);
  return `${lines.join('\n')}\n`;
}

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const errors: string[] = [];
  const moto = await Moto.start();
  const s3 = moto.client();
  await s3.send(new CreateBucketCommand({ Bucket: 'bench-thesaurus' }));
  await s3.send(new PutObjectCommand({ Bucket: 'bench-thesaurus', Key: 'synonyms.txt', Body: thesaurusFile() }));
  const k = await startKendrite({ repoRoot: ctx.repoRoot, dataDir: ctx.tempDir('kendrite-bench-thesaurus-'), env: { ...moto.env, KENDRITE_TRANSITION_DELAY_MS: '0' }, nodeArgs: ctx.options.kendriteNodeArgs });
  try {
    const wire = new KendraWire(k.host, k.port, { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' }, REGION);
    const texts = corpus();
    const indexOf = async (name: string) => {
      const { Id } = await wire.call<{ Id: string }>('CreateIndex', { Name: name, RoleArn: ROLE });
      await until(async () => (await wire.call<{ Status: string }>('DescribeIndex', { Id })).Status === 'ACTIVE');
      for (let i = 0; i < DOCUMENTS; i += 10) {
        const Documents = texts.slice(i, i + 10).map((t, j) => ({ Id: `doc-${i + j}`, Title: `Document ${i + j}`, Blob: Buffer.from(t).toString('base64'), ContentType: 'PLAIN_TEXT' }));
        await wire.call('BatchPutDocument', { IndexId: Id, Documents });
      }
      await until(async () => (await wire.call<{ IndexStatistics: { TextDocumentStatistics: { IndexedTextDocumentsCount: number } } }>('DescribeIndex', { Id })).IndexStatistics.TextDocumentStatistics.IndexedTextDocumentsCount === DOCUMENTS, 100);
      return Id;
    };
    ctx.log(`thesaurus: indexing ${DOCUMENTS} documents twice`);
    const plain = await indexOf('without-thesaurus');
    const withThesaurus = await indexOf('with-thesaurus');
    const { Id: thesaurusId } = await wire.call<{ Id: string }>('CreateThesaurus', { IndexId: withThesaurus, Name: 'bench', RoleArn: ROLE, SourceS3Path: { Bucket: 'bench-thesaurus', Key: 'synonyms.txt' } });
    await until(async () => (await wire.call<{ Status: string }>('DescribeThesaurus', { IndexId: withThesaurus, Id: thesaurusId })).Status !== 'CREATING');
    const described = await wire.call<{ Status: string; SynonymRuleCount: number }>('DescribeThesaurus', { IndexId: withThesaurus, Id: thesaurusId });
    if (described.Status !== 'ACTIVE' || described.SynonymRuleCount !== RULES) errors.push(`the thesaurus is ${described.Status} with ${described.SynonymRuleCount} rules, not ACTIVE with ${RULES}`);

    const queries = [
      { label: 'words the thesaurus does not name', QueryText: `${word(40)} ${word(120)}` },
      { label: 'a word with an equivalent', QueryText: word(305) },
    ];
    // The expanded query must find what both words find: a wrong expansion would show as equal totals.
    const totals = async (IndexId: string, QueryText: string) => (await wire.call<{ TotalNumberOfResults: number }>('Query', { IndexId, QueryText })).TotalNumberOfResults;
    const expanded = await totals(withThesaurus, word(305));
    const either = await totals(plain, `${word(305)} ${word(315)}`);
    if (expanded !== either) errors.push(`with the thesaurus, ${word(305)} finds ${expanded} documents; ${word(305)} or ${word(315)} find ${either}`);

    const rows: (string | number)[][] = [];
    const targets: Target[] = [];
    for (const q of queries) {
      const runs: Record<'without' | 'with', LoadResult[]> = { without: [], with: [] };
      for (let round = 0; round < ctx.options.rounds; round++) {
        for (const [which, IndexId] of [['without', plain], ['with', withThesaurus]] as const) {
          const request = await wire.request('Query', { IndexId, QueryText: q.QueryText });
          runs[which].push(await runLoad({
            host: k.host, port: k.port, request, connections: CLIENTS, warmupMs: ctx.options.warmupMs, durationMs: ctx.options.durationMs, serverPid: k.pid,
            check: (r) => (r.status === 200 ? undefined : `Query answered ${r.status}: ${r.body.toString().slice(0, 200)}`),
          }));
        }
      }
      const median = (xs: LoadResult[], f: (r: LoadResult) => number) => xs.map(f).sort((a, b) => a - b)[xs.length >> 1]!;
      for (const which of ['without', 'with'] as const) {
        const e = runs[which].reduce((n, r) => n + r.errors, 0);
        if (e) errors.push(`${q.label}, ${which} thesaurus: ${e} wrong responses (${runs[which].find((r) => r.firstError)?.firstError})`);
      }
      const p50 = { without: median(runs.without, (r) => r.p50Ms), with: median(runs.with, (r) => r.p50Ms) };
      const p99 = { without: median(runs.without, (r) => r.p99Ms), with: median(runs.with, (r) => r.p99Ms) };
      const ratio = p50.with / p50.without;
      rows.push([q.label, q.QueryText, fmt.ms(p50.without), fmt.ms(p50.with), fmt.ratio(ratio), fmt.ms(p99.without), fmt.ms(p99.with)]);
      targets.push({ name: `Query p50 with a ${RULES}-rule thesaurus ≤ ${TARGET} × without (${q.label})`, pass: ratio <= TARGET, detail: `${fmt.ms(p50.with)} ms / ${fmt.ms(p50.without)} ms = ${fmt.ratio(ratio)}` });
    }
    const table: Table = {
      title: `Query at ${CLIENTS} clients over ${DOCUMENTS} documents, with and without a ${RULES}-rule thesaurus (median of ${ctx.options.rounds} rounds)`,
      columns: ['query', 'text', 'p50 ms without', 'p50 ms with', 'ratio', 'p99 ms without', 'p99 ms with'],
      rows,
      notes: ['Rounds alternate between the two indices, so both see the same machine load.'],
    };
    return { tables: [table], targets, errors };
  } finally {
    await k.stop();
    await moto.stop();
  }
}
