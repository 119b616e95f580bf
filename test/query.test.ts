import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import {
  BatchGetDocumentStatusCommand,
  BatchPutDocumentCommand,
  CreateFaqCommand,
  CreateThesaurusCommand,
  DeleteDataSourceCommand,
  DescribeFaqCommand,
  DescribeThesaurusCommand,
  QueryCommand,
  RetrieveCommand,
  StartDataSourceSyncJobCommand,
  StopDataSourceSyncJobCommand,
  SubmitFeedbackCommand,
  type KendraClient,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/client-kendra';
import { activeCustomDataSource, activeIndex, jobReaching, rejectsWith, ROLE } from './support/kendra.js';
import { Bucket, Moto } from './support/moto.js';
import { CORPUS, createdAt, ingestCorpus, sourceUri, storeQuery, updatedAt, type Source } from './support/searchCorpus.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';
import { activeDataSource, folderTemplate, metrics, syncToEnd } from './support/sync.js';

type Input = Omit<QueryCommandInput, 'IndexId'>;

/**
 * One judged query: the input, the exact number of matches, and every result in order, as groups
 * whose inner order is free. A group of one is a position the ranking must hold on both backends
 * (title over body, more matched words over fewer, sort keys, ties broken by document id); a larger
 * group holds documents whose relevance is close enough for BM25 and ts_rank_cd to order them
 * differently.
 */
interface Judged {
  name: string;
  input: (ds: Record<Source, string>) => Input;
  total: number;
  ranking: string[][];
  check?: (r: QueryCommandOutput) => void;
}

const ordered = (...ids: string[]) => ids.map((id) => [id]);
const anyOrder = (...ids: string[]) => [ids];
/** Documents by id, FAQ answers by their question. */
const ids = (r: QueryCommandOutput) => r.ResultItems!.map((i) => (i.Type === 'QUESTION_ANSWER' ? `faq: ${i.AdditionalAttributes![0]!.Value!.TextWithHighlightsValue!.Text}` : i.DocumentId!));
const eq = (Key: string, Value: object) => ({ EqualsTo: { Key, Value } });
const day = (iso: string) => new Date(`${iso}T00:00:00.000Z`);
const TICKETS = CORPUS.filter((d) => d.source === 'tickets').map((d) => d.id);

type Pairs = [string | number, number][];
function facet(r: QueryCommandOutput, key: string): { type: string | undefined; pairs: Pairs } {
  const f = r.FacetResults!.find((x) => x.DocumentAttributeKey === key)!;
  const value = (v: { StringValue?: string; LongValue?: number; DateValue?: Date }) => v.StringValue ?? v.LongValue ?? v.DateValue!.toISOString();
  return { type: f.DocumentAttributeValueType, pairs: f.DocumentAttributeValueCountPairs!.map((p) => [value(p.DocumentAttributeValue!), p.Count!]) };
}

/** The index's FAQ and thesaurus (from moto's S3): what the FAQ, synonym and spell cases judge. */
const FAQ_FILE = 'How do I request a new laptop?,File a ticket to Facilities; laptops arrive within a week.\nWhat is the retention of Kafka topics?,Seven days unless the team asks for more.\n';
const THESAURUS_FILE = 'k8s => kubernetes\ndr => disaster recovery\ncellphone, mobile phone\n';
const spell = { IncludeQuerySpellCheckSuggestions: true };
const suggested = (r: QueryCommandOutput) => r.SpellCorrectedQueries!.map((q) => [q.SuggestedQueryText, q.Corrections!.map((c) => [c.Term, c.CorrectedTerm, c.BeginOffset, c.EndOffset])]);

const JUDGED: Judged[] = [
  // FAQ answers: a question asked in other words answers ahead of every document; half its words are not enough alone.
  { name: 'FAQ: the question asked in other words answers first', input: () => ({ QueryText: 'request a new laptop', QueryResultTypeFilter: 'QUESTION_ANSWER' }), total: 1, ranking: [['faq: How do I request a new laptop?']] },
  { name: 'FAQ: answers come ahead of documents', input: () => ({ QueryText: 'Kafka topic retention' }), total: 3, ranking: [['faq: What is the retention of Kafka topics?'], ['w06'], ['t08']], check: (r) => assert.equal(r.ResultItems![0]!.ScoreAttributes!.ScoreConfidence, 'VERY_HIGH') },
  { name: 'FAQ: one word of three answers nothing', input: () => ({ QueryText: 'laptop', QueryResultTypeFilter: 'QUESTION_ANSWER' }), total: 0, ranking: [] },
  // Synonyms from the thesaurus.
  { name: 'synonym: k8s => kubernetes ranks as kubernetes does', input: () => ({ QueryText: 'k8s' }), total: 3, ranking: ordered('w01', 't03', 'w02') },
  { name: 'synonym: dr => the phrase disaster recovery', input: () => ({ QueryText: 'dr' }), total: 2, ranking: ordered('w07', 't05') },
  // Spell correction: only words the index lacks, to the nearest indexed word.
  { name: 'spell: a misspelled word is corrected from the corpus', input: () => ({ QueryText: 'zookeper ensamble', SpellCorrectionConfiguration: spell }), total: 0, ranking: [], check: (r) => assert.deepEqual(suggested(r), [['zookeeper ensemble', [['zookeper', 'zookeeper', 0, 8], ['ensamble', 'ensemble', 9, 17]]]]) },
  { name: 'spell: indexed words are never corrected', input: () => ({ QueryText: 'zookeeper retirement', SpellCorrectionConfiguration: spell }), total: 1, ranking: ordered('w05'), check: (r) => assert.deepEqual(r.SpellCorrectedQueries, []) },
  { name: 'a word in one document only', input: () => ({ QueryText: 'zookeeper' }), total: 1, ranking: ordered('w05') },
  { name: 'the title outweighs the body; a short body outweighs a long one', input: () => ({ QueryText: 'kubernetes' }), total: 3, ranking: ordered('w01', 't03', 'w02') },
  { name: 'stemming: upgrading finds upgrades', input: () => ({ QueryText: 'upgrading' }), total: 1, ranking: ordered('w01') },
  { name: 'a phrase matches only adjacent words', input: () => ({ QueryText: '"disaster recovery"' }), total: 2, ranking: ordered('w07', 't05') },
  { name: 'words without an operator are alternatives, both words rank first', input: () => ({ QueryText: 'disaster recovery' }), total: 4, ranking: [...ordered('w07', 't05', 'w08'), ['t01']] },
  { name: 'AND needs both words', input: () => ({ QueryText: 'backup AND encryption' }), total: 2, ranking: ordered('w09', 't06') },
  { name: 'explicit OR', input: () => ({ QueryText: 'zookeeper OR kafka' }), total: 3, ranking: [['w05'], ['t08', 'w06']] },
  { name: 'NOT excludes', input: () => ({ QueryText: 'backup NOT encryption' }), total: 3, ranking: [...anyOrder('t07', 'w10'), ['t05']] },
  { name: 'parentheses group before AND', input: () => ({ QueryText: '(vacation OR holiday) AND policy' }), total: 2, ranking: ordered('w12', 'w13') },
  { name: 'a trailing wildcard matches the word it starts', input: () => ({ QueryText: 'kuber*' }), total: 3, ranking: ordered('w01', 't03', 'w02') },
  { name: 'a wildcard after fewer than three characters is a plain word', input: () => ({ QueryText: 'ku*' }), total: 0, ranking: [] },
  { name: 'only stop words: nothing to find', input: () => ({ QueryText: 'the and of' }), total: 0, ranking: [] },
  { name: 'a quoted phrase of two words ranks the title match first', input: () => ({ QueryText: '"two factor"' }), total: 2, ranking: ordered('t19', 'w19') },
  { name: 'an open parenthesis is read as if closed', input: () => ({ QueryText: '(backup AND encryption' }), total: 2, ranking: ordered('w09', 't06') },
  { name: 'an open quote runs to the end of the text', input: () => ({ QueryText: 'OR "disaster recovery' }), total: 2, ranking: ordered('w07', 't05') },
  {
    name: 'words past the 30th are ignored, as Kendra truncates queries',
    input: () => ({ QueryText: `${Array.from({ length: 30 }, (_, i) => `nomatch${i}`).join(' ')} zookeeper` }),
    total: 0,
    ranking: [],
  },
  { name: 'the 30th word still counts', input: () => ({ QueryText: `${Array.from({ length: 29 }, (_, i) => `nomatch${i}`).join(' ')} zookeeper` }), total: 1, ranking: ordered('w05') },
  {
    name: 'a lone NOT: every document without the word (within the filter), ties by document id',
    input: () => ({ QueryText: 'NOT expense', AttributeFilter: eq('department', { StringValue: 'Finance' }) }),
    total: 3,
    ranking: ordered('t15', 'w15', 'w16'),
  },
  { name: 'EqualsTo on a string attribute', input: () => ({ AttributeFilter: eq('department', { StringValue: 'Security' }) }), total: 8, ranking: ordered('t01', 't02', 't06', 't19', 'w07', 'w09', 'w18', 'w19') },
  { name: 'EqualsTo on a long attribute', input: () => ({ AttributeFilter: eq('priority', { LongValue: 5 }) }), total: 4, ranking: ordered('t11', 't18', 'w05', 'w13') },
  { name: 'EqualsTo on a date attribute', input: () => ({ AttributeFilter: eq('reviewed_on', { DateValue: day('2024-03-01') }) }), total: 3, ranking: ordered('w04', 'w07', 'w18') },
  { name: 'EqualsTo on a string list: the same set, any order', input: () => ({ AttributeFilter: eq('tags', { StringListValue: ['encryption', 'backup'] }) }), total: 2, ranking: ordered('t06', 'w09') },
  {
    name: 'ContainsAll on a string list',
    input: () => ({ AttributeFilter: { ContainsAll: { Key: 'tags', Value: { StringListValue: ['backup', 'continuity'] } } } }),
    total: 2,
    ranking: ordered('t05', 'w07'),
  },
  {
    name: 'ContainsAny on a string list (_authors)',
    input: () => ({ AttributeFilter: { ContainsAny: { Key: '_authors', Value: { StringListValue: ['carla', 'dario'] } } } }),
    total: 6,
    ranking: ordered('w04', 'w06', 'w07', 'w09', 'w10', 'w18'),
  },
  { name: 'GreaterThan on a long', input: () => ({ AttributeFilter: { GreaterThan: { Key: 'priority', Value: { LongValue: 4 } } } }), total: 4, ranking: ordered('t11', 't18', 'w05', 'w13') },
  {
    name: 'GreaterThanOrEquals on a long (_view_count)',
    input: () => ({ AttributeFilter: { GreaterThanOrEquals: { Key: '_view_count', Value: { LongValue: 400 } } } }),
    total: 3,
    ranking: ordered('w12', 'w17', 'w24'),
  },
  {
    name: 'LessThan on a date (_created_at)',
    input: () => ({ AttributeFilter: { LessThan: { Key: '_created_at', Value: { DateValue: day('2024-01-04') } } } }),
    total: 2,
    ranking: ordered('w01', 'w02'),
  },
  {
    name: 'LessThanOrEquals on a date (_last_updated_at)',
    input: () => ({ AttributeFilter: { LessThanOrEquals: { Key: '_last_updated_at', Value: { DateValue: day('2024-01-14') } } } }),
    total: 3,
    ranking: ordered('w01', 'w02', 'w03'),
  },
  { name: '_data_source_id', input: (ds) => ({ AttributeFilter: eq('_data_source_id', { StringValue: ds.tickets }) }), total: 20, ranking: ordered(...TICKETS) },
  { name: '_file_type, filled in from the content type', input: () => ({ AttributeFilter: eq('_file_type', { StringValue: 'HTML' }) }), total: 5, ranking: ordered('w01', 'w07', 'w12', 'w17', 'w24') },
  { name: '_category', input: () => ({ AttributeFilter: eq('_category', { StringValue: 'faq' }) }), total: 4, ranking: ordered('w15', 'w19', 'w20', 'w21') },
  {
    name: 'AndAllFilters with a NotFilter, with query text',
    input: (ds) => ({
      QueryText: 'backup',
      AttributeFilter: { AndAllFilters: [eq('_data_source_id', { StringValue: ds.wiki }), { NotFilter: { ContainsAny: { Key: 'tags', Value: { StringListValue: ['encryption'] } } } }] },
    }),
    total: 1,
    ranking: ordered('w10'),
  },
  {
    name: 'OrAllFilters',
    input: () => ({ AttributeFilter: { OrAllFilters: [eq('department', { StringValue: 'Finance' }), { GreaterThanOrEquals: { Key: 'priority', Value: { LongValue: 5 } } }] } }),
    total: 9,
    ranking: ordered('t09', 't11', 't15', 't18', 'w05', 'w13', 'w14', 'w15', 'w16'),
  },
  {
    name: 'facets of every type count the matching documents exactly',
    input: () => ({
      QueryText: 'backup',
      Facets: [
        { DocumentAttributeKey: 'department' }, { DocumentAttributeKey: 'tags' }, { DocumentAttributeKey: '_category' },
        { DocumentAttributeKey: 'priority' }, { DocumentAttributeKey: '_file_type' }, { DocumentAttributeKey: '_created_at', MaxResults: 2 },
      ],
    }),
    total: 5,
    ranking: [['t06', 't07', 'w09', 'w10'], ['t05']],
    check(r) {
      assert.equal(r.FacetResults!.length, 6);
      assert.deepEqual(facet(r, 'department'), { type: 'STRING_VALUE', pairs: [['Data', 3], ['Security', 2]] });
      assert.deepEqual(facet(r, 'tags'), { type: 'STRING_LIST_VALUE', pairs: [['backup', 5], ['encryption', 2], ['continuity', 1], ['postgres', 1]] });
      assert.deepEqual(facet(r, '_category'), { type: 'STRING_VALUE', pairs: [['incident', 2], ['guide', 1], ['reference', 1], ['request', 1]] });
      assert.deepEqual(facet(r, 'priority'), { type: 'LONG_VALUE', pairs: [[2, 2], [1, 1], [3, 1], [4, 1]] });
      assert.deepEqual(facet(r, '_file_type'), { type: 'STRING_VALUE', pairs: [['PLAIN_TEXT', 4], ['MD', 1]] });
      assert.deepEqual(facet(r, '_created_at'), { type: 'DATE_VALUE', pairs: [['2024-01-10T00:00:00.000Z', 1], ['2024-01-11T00:00:00.000Z', 1]] });
    },
  },
  {
    name: 'a nested facet counts within each value of its parent',
    input: () => ({ PageSize: 1, Facets: [{ DocumentAttributeKey: '_category', MaxResults: 3, Facets: [{ DocumentAttributeKey: 'department', MaxResults: 2 }] }] }),
    total: 44,
    ranking: ordered('t01'),
    check(r) {
      const pairs = r.FacetResults![0]!.DocumentAttributeValueCountPairs!.map((p) => [
        p.DocumentAttributeValue!.StringValue,
        p.Count,
        p.FacetResults![0]!.DocumentAttributeValueCountPairs!.map((n) => [n.DocumentAttributeValue!.StringValue, n.Count]),
      ]);
      assert.deepEqual(pairs, [
        ['incident', 11, [['Data', 4], ['Platform', 3]]],
        ['reference', 8, [['Data', 3], ['Platform', 2]]],
        ['guide', 7, [['Platform', 4], ['Data', 1]]],
      ]);
    },
  },
  {
    name: 'sorted by a long, descending; equal priorities by relevance',
    input: () => ({ QueryText: 'backup', SortingConfiguration: { DocumentAttributeKey: 'priority', SortOrder: 'DESC' } }),
    total: 5,
    ranking: [['t07'], ['w10'], ['t06', 'w09'], ['t05']],
  },
  {
    name: 'sorted by a date, ascending',
    input: () => ({ QueryText: 'backup OR kubernetes', SortingConfiguration: { DocumentAttributeKey: '_created_at', SortOrder: 'ASC' } }),
    total: 8,
    ranking: ordered('w01', 'w02', 'w09', 'w10', 't03', 't05', 't06', 't07'),
  },
  {
    name: 'SortingConfigurations: a string, then a long',
    input: () => ({
      QueryText: 'backup OR password OR laptop',
      SortingConfigurations: [{ DocumentAttributeKey: 'department', SortOrder: 'ASC' }, { DocumentAttributeKey: 'priority', SortOrder: 'DESC' }],
    }),
    total: 10,
    ranking: [...ordered('t07', 'w10', 't05', 't10', 'w17', 'w19'), ['t01', 't06', 'w09', 'w18']],
  },
  {
    name: 'documents without the sort attribute come last',
    input: () => ({ AttributeFilter: eq('department', { StringValue: 'Facilities' }), SortingConfiguration: { DocumentAttributeKey: 'priority', SortOrder: 'ASC' } }),
    total: 5,
    ranking: ordered('t10', 'w21', 't11', 't18', 'w20'),
  },
  // Relevance tuning (issue 12 item 6) over browses, where every match starts from the same score.
  {
    name: 'relevance: more views first (_view_count Importance); the fewest views and none get no boost, in id order',
    input: () => ({ AttributeFilter: eq('_category', { StringValue: 'faq' }), DocumentRelevanceOverrideConfigurations: [{ Name: '_view_count', Relevance: { Importance: 10 } }] }),
    total: 4,
    ranking: ordered('w19', 'w15', 'w20', 'w21'),
  },
  {
    name: 'relevance: fresher documents first (_created_at Freshness)',
    input: () => ({ AttributeFilter: eq('_category', { StringValue: 'policy' }), DocumentRelevanceOverrideConfigurations: [{ Name: '_created_at', Relevance: { Freshness: true, Importance: 4 } }] }),
    total: 5,
    ranking: ordered('w18', 'w13', 'w12', 'w07', 'w04'),
  },
  {
    name: 'relevance: values of a string field boosted by their importance (_category ValueImportanceMap)',
    input: () => ({ AttributeFilter: eq('department', { StringValue: 'Facilities' }), DocumentRelevanceOverrideConfigurations: [{ Name: '_category', Relevance: { ValueImportanceMap: { incident: 10, request: 5 } } }] }),
    total: 5,
    ranking: ordered('t11', 't10', 't18', 'w20', 'w21'),
  },
];

let moto: Moto;
before(async () => {
  moto = await Moto.start();
  const bucket = await Bucket.create(moto.client(), 'judged');
  await bucket.put('faq.csv', FAQ_FILE);
  await bucket.put('synonyms.txt', THESAURUS_FILE);
});
after(async () => {
  await moto?.stop();
});

for (const backend of backends()) {
  describeOrSkip(`Query over a synced corpus [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    let ds: Record<Source, string>;
    const query = (input: Input) => k.send(new QueryCommand({ IndexId: indexId, ...input }));

    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, { env: moto.env });
      k = server.client();
      indexId = await activeIndex(k, 'search');
      ds = (await ingestCorpus(k, indexId)).dataSources;
      const faq = (await k.send(new CreateFaqCommand({ IndexId: indexId, Name: 'it', RoleArn: ROLE, S3Path: { Bucket: 'judged', Key: 'faq.csv' } }))).Id!;
      const thesaurus = (await k.send(new CreateThesaurusCommand({ IndexId: indexId, Name: 'synonyms', RoleArn: ROLE, SourceS3Path: { Bucket: 'judged', Key: 'synonyms.txt' } }))).Id!;
      await waitFor('FAQ and thesaurus ACTIVE', async () =>
        (await k.send(new DescribeFaqCommand({ IndexId: indexId, Id: faq }))).Status === 'ACTIVE' && (await k.send(new DescribeThesaurusCommand({ IndexId: indexId, Id: thesaurus }))).Status === 'ACTIVE' ? true : undefined,
      );
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    for (const [n, j] of JUDGED.entries()) {
      test(`judged ${n + 1}: ${j.name}`, async () => {
        const r = await query({ PageSize: 100, ...j.input(ds) });
        assert.equal(r.TotalNumberOfResults, j.total);
        const got = ids(r);
        assert.equal(got.length, j.ranking.flat().length);
        let at = 0;
        for (const group of j.ranking) {
          assert.deepEqual(got.slice(at, at + group.length).sort(), [...group].sort(), `results ${at + 1}..${at + group.length} of ${JSON.stringify(got)}`);
          at += group.length;
        }
        j.check?.(r);
      });
    }

    test('a result item: Type, title, excerpt, URI, every attribute, confidence, ids', async () => {
      const r = await query({ QueryText: 'zookeeper' });
      assert.match(r.QueryId!, /^[0-9a-f-]{36}$/);
      const item = r.ResultItems![0]!;
      const w05 = CORPUS.find((d) => d.id === 'w05')!;
      assert.equal(item.Type, 'DOCUMENT');
      assert.ok(item.Id!.startsWith(`${r.QueryId}-`));
      assert.ok(item.Id!.length <= 73);
      assert.equal(item.DocumentURI, sourceUri(w05));
      assert.deepEqual(item.DocumentTitle, { Text: 'Zookeeper retirement', Highlights: [{ BeginOffset: 0, EndOffset: 9, TopAnswer: false, Type: 'STANDARD' }] });
      assert.equal(item.DocumentExcerpt!.Text, w05.body);
      assert.equal(item.ScoreAttributes!.ScoreConfidence, 'VERY_HIGH');
      assert.ok(item.FeedbackToken!.length > 0);
      assert.deepEqual(item.DocumentAttributes, [
        { Key: '_data_source_id', Value: { StringValue: ds.wiki } },
        { Key: '_category', Value: { StringValue: 'reference' } },
        { Key: 'department', Value: { StringValue: 'Data' } },
        { Key: '_source_uri', Value: { StringValue: sourceUri(w05) } },
        { Key: '_created_at', Value: { DateValue: createdAt(w05) } },
        { Key: '_last_updated_at', Value: { DateValue: updatedAt(w05) } },
        { Key: 'tags', Value: { StringListValue: ['migration'] } },
        { Key: 'priority', Value: { LongValue: 5 } },
        { Key: '_view_count', Value: { LongValue: 12 } },
        { Key: '_file_type', Value: { StringValue: 'PLAIN_TEXT' } },
        { Key: '_language_code', Value: { StringValue: 'en' } },
      ]);
    });

    test('RequestedDocumentAttributes keeps only the attributes asked for', async () => {
      const r = await query({ QueryText: 'zookeeper', RequestedDocumentAttributes: ['priority', '_data_source_id', 'no_such_attribute'] });
      assert.deepEqual(r.ResultItems![0]!.DocumentAttributes, [
        { Key: '_data_source_id', Value: { StringValue: ds.wiki } },
        { Key: 'priority', Value: { LongValue: 5 } },
      ]);
    });

    test('highlights point at the query words in the title and the excerpt', async () => {
      const slices = (t: { Text?: string; Highlights?: { BeginOffset?: number; EndOffset?: number }[] }) => t.Highlights!.map((h) => t.Text!.slice(h.BeginOffset, h.EndOffset));
      const words = await query({ QueryText: 'backup encryption', AttributeFilter: eq('_data_source_id', { StringValue: ds.wiki }) });
      const w09 = words.ResultItems!.find((i) => i.DocumentId === 'w09')!;
      assert.deepEqual(slices(w09.DocumentTitle!), ['Backup', 'encryption']);
      assert.deepEqual(w09.DocumentExcerpt!.Text, CORPUS.find((d) => d.id === 'w09')!.body);
      assert.deepEqual(slices(w09.DocumentExcerpt!), ['backup', 'encrypted', 'Encryption']);
      // Every highlight of every result is one of the query's words (or a form of it).
      for (const item of words.ResultItems!)
        for (const s of [...slices(item.DocumentTitle!), ...slices(item.DocumentExcerpt!)]) assert.match(s.toLowerCase(), /^(backups?|encrypt(ed|ion)?)$/);

      const phrase = await query({ QueryText: '"disaster recovery"' });
      const w07 = phrase.ResultItems!.find((i) => i.DocumentId === 'w07')!;
      assert.deepEqual(slices(w07.DocumentTitle!), ['Disaster recovery']);
      assert.deepEqual(slices(w07.DocumentExcerpt!), ['disaster recovery', 'disaster recovery']);
      assert.ok(w07.DocumentExcerpt!.Highlights!.every((h) => h.TopAnswer === false && h.Type === 'STANDARD'));

      const prefix = await query({ QueryText: 'kuber*' });
      assert.deepEqual(slices(prefix.ResultItems![0]!.DocumentTitle!), ['Kubernetes']);
      const t03 = prefix.ResultItems!.find((i) => i.DocumentId === 't03')!;
      assert.deepEqual(slices(t03.DocumentExcerpt!), ['kubernetes']);
    });

    test('the excerpt of a long document is the window around its matches', async () => {
      const r = await query({ QueryText: 'semicolon' });
      assert.deepEqual(ids(r), ['w22']);
      const ex = r.ResultItems![0]!.DocumentExcerpt!;
      assert.ok(ex.Text!.length <= 400);
      assert.ok(ex.Highlights!.length >= 1);
      for (const h of ex.Highlights!) assert.equal(ex.Text!.slice(h.BeginOffset, h.EndOffset), 'semicolon');
      assert.ok(!CORPUS.find((d) => d.id === 'w22')!.body.startsWith(ex.Text!), 'the excerpt is not simply the start of the body');
    });

    test('ScoreConfidence: VERY_HIGH for the best match, LOW for a weak one, NOT_AVAILABLE without query text', async () => {
      const r = await query({ QueryText: 'two factor' });
      const conf = Object.fromEntries(r.ResultItems!.map((i) => [i.DocumentId, i.ScoreAttributes!.ScoreConfidence]));
      assert.equal(ids(r)[0], 't19');
      assert.equal(conf.t19, 'VERY_HIGH');
      assert.equal(conf.w08, 'LOW');
      const browse = await query({ AttributeFilter: eq('_category', { StringValue: 'faq' }) });
      assert.deepEqual(browse.ResultItems!.map((i) => i.ScoreAttributes!.ScoreConfidence), ['NOT_AVAILABLE', 'NOT_AVAILABLE', 'NOT_AVAILABLE', 'NOT_AVAILABLE']);
    });

    test('paging: pages do not overlap and together hold every match once', async () => {
      const wikiOnly = { AttributeFilter: eq('_data_source_id', { StringValue: ds.wiki }) };
      const pages = await Promise.all([1, 2, 3, 4].map((PageNumber) => query({ ...wikiOnly, PageNumber, PageSize: 10 })));
      assert.deepEqual(pages.map((p) => p.ResultItems!.length), [10, 10, 4, 0]);
      assert.deepEqual(pages.map((p) => p.TotalNumberOfResults), [24, 24, 24, 24]);
      const all = pages.flatMap(ids);
      assert.deepEqual(all, CORPUS.filter((d) => d.source === 'wiki').map((d) => d.id));

      const text = 'backup OR kubernetes OR password OR laptop OR coffee';
      const whole = ids(await query({ QueryText: text, PageSize: 100 }));
      assert.equal(whole.length, 15);
      const paged = await Promise.all([1, 2, 3, 4].map((PageNumber) => query({ QueryText: text, PageNumber, PageSize: 4 })));
      assert.deepEqual(paged.map((p) => p.ResultItems!.length), [4, 4, 4, 3]);
      assert.deepEqual(paged.flatMap(ids), whole);
    });

    test('QueryResultTypeFilter: DOCUMENT serves documents; ANSWER and QUESTION_ANSWER have none to serve', async () => {
      assert.deepEqual(ids(await query({ QueryText: 'zookeeper', QueryResultTypeFilter: 'DOCUMENT' })), ['w05']);
      for (const QueryResultTypeFilter of ['ANSWER', 'QUESTION_ANSWER'] as const) {
        const r = await query({ QueryText: 'zookeeper', QueryResultTypeFilter });
        assert.deepEqual([r.ResultItems, r.TotalNumberOfResults], [[], 0]);
      }
    });

    test('bad queries: each invalid member has its error code', async () => {
      const cases: [string, Input | QueryCommandInput, string][] = [
        ['QueryText over 1000 characters', { QueryText: 'word '.repeat(201) }, 'ValidationException'],
        ['two operators in one filter node', { AttributeFilter: { EqualsTo: { Key: 'priority', Value: { LongValue: 1 } }, LessThan: { Key: 'priority', Value: { LongValue: 3 } } } }, 'ValidationException'],
        ['a filter node with no operator', { AttributeFilter: { AndAllFilters: [eq('priority', { LongValue: 1 }), {}] } }, 'ValidationException'],
        ['an attribute value with two members', { AttributeFilter: eq('priority', { LongValue: 1, StringValue: '1' }) }, 'ValidationException'],
        ['an attribute value with no member', { AttributeFilter: eq('priority', {}) }, 'ValidationException'],
        ['GreaterThan on a string', { AttributeFilter: { GreaterThan: { Key: 'department', Value: { StringValue: 'Data' } } } }, 'ValidationException'],
        ['ContainsAll with a string', { AttributeFilter: { ContainsAll: { Key: 'tags', Value: { StringValue: 'backup' } } } }, 'ValidationException'],
        ['ContainsAny with an empty list', { AttributeFilter: { ContainsAny: { Key: 'tags', Value: { StringListValue: [] } } } }, 'ValidationException'],
        ['an empty AndAllFilters', { AttributeFilter: { AndAllFilters: [] } }, 'ValidationException'],
        ['a facet without a key', { Facets: [{ MaxResults: 3 }] }, 'ValidationException'],
        ['two nested facets in one facet', { Facets: [{ DocumentAttributeKey: '_category', Facets: [{ DocumentAttributeKey: 'department' }, { DocumentAttributeKey: 'priority' }] }] }, 'ValidationException'],
        ['facets three levels deep', { Facets: [{ DocumentAttributeKey: '_category', Facets: [{ DocumentAttributeKey: 'department', Facets: [{ DocumentAttributeKey: 'priority' }] }] }] }, 'ValidationException'],
        ['facet MaxResults above the model maximum', { Facets: [{ DocumentAttributeKey: '_category', MaxResults: 5001 }] }, 'ValidationException'],
        ['sorting by a string list', { QueryText: 'backup', SortingConfiguration: { DocumentAttributeKey: 'tags', SortOrder: 'ASC' } }, 'ValidationException'],
        ['SortingConfiguration and SortingConfigurations together', { SortingConfiguration: { DocumentAttributeKey: 'priority', SortOrder: 'ASC' }, SortingConfigurations: [{ DocumentAttributeKey: 'priority', SortOrder: 'ASC' }] }, 'ValidationException'],
        ['four sort keys', { SortingConfigurations: ['priority', '_created_at', 'department', '_view_count'].map((DocumentAttributeKey) => ({ DocumentAttributeKey, SortOrder: 'ASC' as const })) }, 'ValidationException'],
        ['PageNumber 0', { PageNumber: 0 }, 'ValidationException'],
        ['PageSize 0', { PageSize: 0 }, 'ValidationException'],
        ['an attribute key the model refuses', { RequestedDocumentAttributes: ['bad key!'] }, 'ValidationException'],
        ['an unknown QueryResultTypeFilter', { QueryResultTypeFilter: 'EVERYTHING' as never }, 'ValidationException'],
        ['an unknown index', { IndexId: '00000000-0000-0000-0000-000000000000', QueryText: 'backup' }, 'ResourceNotFoundException'],
      ];
      for (const [what, input, code] of cases) {
        const e = await rejectsWith(k.send(new QueryCommand({ IndexId: indexId, ...input })), code).catch((err: Error) => assert.fail(`${what}: ${err.message}`));
        assert.equal(e.$metadata?.httpStatusCode, 400, what);
      }
      const nested = await rejectsWith(query({ AttributeFilter: { OrAllFilters: [eq('priority', { LongValue: 1 }), { NotFilter: { GreaterThan: { Key: 'department', Value: { StringValue: 'x' } } } }] } }), 'ValidationException');
      assert.match(nested.message, /AttributeFilter\.OrAllFilters\[1\]\.NotFilter\.GreaterThan/);
    });

    test('PageSize above 100 serves 100 results; pages past the 100th result are empty', async () => {
      // A second index of 105 one-word documents.
      const big = await activeIndex(k, 'hundred');
      const source = await activeCustomDataSource(k, big, 'many');
      const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: big, Id: source }));
      for (let b = 0; b < 105; b += 10) {
        const Documents = Array.from({ length: Math.min(10, 105 - b) }, (_, i) => ({
          Id: `n${String(b + i).padStart(3, '0')}`, Blob: Buffer.from('needle in a haystack'), ContentType: 'PLAIN_TEXT' as const,
          Attributes: [{ Key: '_data_source_sync_job_execution_id', Value: { StringValue: ExecutionId! } }, { Key: '_data_source_id', Value: { StringValue: source } }],
        }));
        assert.deepEqual((await k.send(new BatchPutDocumentCommand({ IndexId: big, Documents }))).FailedDocuments, []);
      }
      await k.send(new StopDataSourceSyncJobCommand({ IndexId: big, Id: source }));
      assert.equal((await jobReaching(k, big, source, ExecutionId!, ['SUCCEEDED', 'INCOMPLETE', 'FAILED'], 30_000)).Status, 'SUCCEEDED');
      const q = (PageNumber: number, PageSize: number) => k.send(new QueryCommand({ IndexId: big, QueryText: 'needle', PageNumber, PageSize }));
      const cases: [number, number, number][] = [[1, 100, 100], [1, 500, 100], [2, 100, 0], [10, 10, 10], [11, 10, 0], [5, 24, 4], [6, 24, 0]];
      for (const [page, size, served] of cases) {
        const r = await q(page, size);
        assert.deepEqual([r.ResultItems!.length, r.TotalNumberOfResults], [served, 105], `page ${page} of ${size}`);
      }
      const first100 = (await q(1, 100)).ResultItems!.map((i) => i.DocumentId);
      assert.deepEqual(first100, Array.from({ length: 100 }, (_, i) => `n${String(i).padStart(3, '0')}`));
    });

    test('SubmitFeedback stores clicks and relevance for the results of a query', async () => {
      const r = await query({ QueryText: 'backup' });
      const [a, b] = r.ResultItems!;
      const ClickTime = new Date(Date.UTC(2024, 5, 1, 12, 0, 0));
      await k.send(new SubmitFeedbackCommand({
        IndexId: indexId, QueryId: r.QueryId,
        ClickFeedbackItems: [{ ResultId: a!.Id, ClickTime }],
        RelevanceFeedbackItems: [{ ResultId: a!.Id, RelevanceValue: 'RELEVANT' }, { ResultId: b!.Id, RelevanceValue: 'NOT_RELEVANT' }],
      }));
      const rows = await storeQuery<{ result_id: string; kind: string; relevance: string | null; click_time: number | null }>(
        store, 'SELECT result_id, kind, relevance, click_time FROM query_feedback WHERE index_id = ? AND query_id = ? ORDER BY seq', [indexId, r.QueryId],
      );
      assert.deepEqual(rows.map((x) => ({ ...x, click_time: x.click_time === null ? null : Number(x.click_time) })), [
        { result_id: a!.Id, kind: 'CLICK', relevance: null, click_time: ClickTime.getTime() },
        { result_id: a!.Id, kind: 'RELEVANCE', relevance: 'RELEVANT', click_time: null },
        { result_id: b!.Id, kind: 'RELEVANCE', relevance: 'NOT_RELEVANT', click_time: null },
      ]);
      const other = await query({ QueryText: 'kafka' });
      await rejectsWith(k.send(new SubmitFeedbackCommand({ IndexId: indexId, QueryId: r.QueryId, RelevanceFeedbackItems: [{ ResultId: other.ResultItems![0]!.Id, RelevanceValue: 'RELEVANT' }] })), 'ValidationException');
      await rejectsWith(k.send(new SubmitFeedbackCommand({ IndexId: '00000000-0000-0000-0000-000000000000', QueryId: r.QueryId, ClickFeedbackItems: [{ ResultId: a!.Id, ClickTime }] })), 'ResourceNotFoundException');
    });

    test('documents of a data source being deleted, and an index being deleted, are never served', async () => {
      // DELETING lasts as long as the purge: milliseconds here. The test holds it by setting the status
      // as DeleteDataSource / DeleteIndex do, without the due time that lets the life cycle worker purge.
      await storeQuery(store, "UPDATE data_sources SET status = 'DELETING' WHERE id = ?", [ds.tickets]);
      try {
        assert.equal((await query({})).TotalNumberOfResults, 24);
        assert.deepEqual(ids(await query({ QueryText: 'kubernetes' })), ['w01', 'w02']);
        assert.equal((await query({ AttributeFilter: eq('_data_source_id', { StringValue: ds.tickets }) })).TotalNumberOfResults, 0);
      } finally {
        await storeQuery(store, "UPDATE data_sources SET status = 'ACTIVE' WHERE id = ?", [ds.tickets]);
      }
      assert.equal((await query({})).TotalNumberOfResults, 44);

      await storeQuery(store, "UPDATE indices SET status = 'DELETING' WHERE id = ?", [indexId]);
      // Written from outside the server: its Query sees the index row within 100 ms (Indices.recent).
      await new Promise((r) => setTimeout(r, 150));
      try {
        await rejectsWith(query({ QueryText: 'kubernetes' }), 'ConflictException');
      } finally {
        await storeQuery(store, "UPDATE indices SET status = 'ACTIVE' WHERE id = ?", [indexId]);
      }

      // And for real: DeleteDataSource takes the tickets out of the index.
      await k.send(new DeleteDataSourceCommand({ IndexId: indexId, Id: ds.tickets }));
      await waitFor('tickets purged', async () => ((await query({})).TotalNumberOfResults === 24 ? true : undefined));
      assert.deepEqual(ids(await query({ QueryText: 'kubernetes' })), ['w01', 'w02']);
    });
  });

  describeOrSkip(`BatchGetDocumentStatus and what is searchable (DOC-2) [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store);
      k = server.client();
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('INDEXED, UPDATED, FAILED and UPDATE_FAILED with reasons, NOT_FOUND; failed text is not searchable, the last good text stays', async () => {
      const indexId = await activeIndex(k, 'status');
      const source = await activeCustomDataSource(k, indexId, 'status');
      const put = async (job: string, docs: { Id: string; text: string; ContentType?: 'PLAIN_TEXT' | 'PDF' }[]) => {
        const Documents = docs.map((d) => ({
          Id: d.Id, Blob: Buffer.from(d.text), ContentType: d.ContentType ?? ('PLAIN_TEXT' as const),
          Attributes: [{ Key: '_data_source_sync_job_execution_id', Value: { StringValue: job } }, { Key: '_data_source_id', Value: { StringValue: source } }],
        }));
        assert.deepEqual((await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents }))).FailedDocuments, []);
      };
      const sync = async (docs: Parameters<typeof put>[1], expected: string) => {
        const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: source }));
        await put(ExecutionId!, docs);
        await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: source }));
        assert.equal((await jobReaching(k, indexId, source, ExecutionId!, ['SUCCEEDED', 'INCOMPLETE', 'FAILED'])).Status, expected);
      };
      const status = async () => {
        const r = await k.send(new BatchGetDocumentStatusCommand({ IndexId: indexId, DocumentInfoList: ['a', 'b', 'c', 'nope'].map((DocumentId) => ({ DocumentId })) }));
        return Object.fromEntries(r.DocumentStatusList!.map((s) => [s.DocumentId, s]));
      };
      const found = async (QueryText: string) => ids(await k.send(new QueryCommand({ IndexId: indexId, QueryText }))).sort();

      await sync([{ Id: 'a', text: 'alpha apples' }, { Id: 'b', text: 'bravo bananas' }, { Id: 'c', text: 'alpha but not a pdf', ContentType: 'PDF' }], 'INCOMPLETE');
      let s = await status();
      assert.equal(s.a!.DocumentStatus, 'INDEXED');
      assert.equal(s.b!.DocumentStatus, 'INDEXED');
      assert.equal(s.c!.DocumentStatus, 'FAILED');
      assert.equal(s.c!.FailureCode, 'InvalidRequest');
      assert.ok(s.c!.FailureReason!.length > 0);
      assert.equal(s.nope!.DocumentStatus, 'NOT_FOUND');
      assert.deepEqual(await found('alpha'), ['a']);

      // b changes; a's new content cannot be extracted: UPDATE_FAILED, and its last good text stays searchable.
      await sync([{ Id: 'b', text: 'bravo cherries' }, { Id: 'a', text: 'still not a pdf', ContentType: 'PDF' }], 'INCOMPLETE');
      s = await status();
      assert.equal(s.b!.DocumentStatus, 'UPDATED');
      assert.equal(s.a!.DocumentStatus, 'UPDATE_FAILED');
      assert.ok(s.a!.FailureReason!.length > 0);
      assert.deepEqual(await found('cherries'), ['b']);
      assert.deepEqual(await found('bananas'), []);
      assert.deepEqual(await found('apples'), ['a']);
    });
  });

  describeOrSkip(`Query and Retrieve over what a connector synced (folder) [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let dir: string;
    before(async () => {
      store = await TestStore.create(backend.name);
      dir = mkdtempSync(path.join(tmpdir(), 'kendrite-query-folder-'));
      server = await TestServer.start(store, { config: { folders: { allowedRoots: [dir] } } });
      k = server.client();
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    test('documents, their side-file attributes and their passages are findable', async () => {
      const orchids = path.join(dir, 'orchids.txt');
      writeFileSync(orchids, 'Orchids need bright light. Water them weekly.');
      writeFileSync(`${orchids}.metadata.json`, JSON.stringify({ Attributes: { team: 'garden', rating: 5, _created_at: '2024-05-01T00:00:00Z' } }));
      writeFileSync(path.join(dir, 'cacti.md'), 'Cacti need little water.');
      const indexId = await activeIndex(k, 'folder');
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'plants', Type: 'TEMPLATE', Configuration: folderTemplate(dir) });
      const job = await syncToEnd(k, indexId, ds);
      assert.equal(job.Status, 'SUCCEEDED', job.ErrorMessage);
      assert.equal(metrics(job).added, '2');

      const r = await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'orchids' }));
      assert.deepEqual(ids(r), [orchids]);
      const item = r.ResultItems![0]!;
      assert.equal(item.DocumentURI, pathToFileURL(orchids).href);
      const attrs = Object.fromEntries(item.DocumentAttributes!.map((a) => [a.Key, a.Value]));
      assert.deepEqual(
        { ds: attrs._data_source_id, team: attrs.team, rating: attrs.rating, created: attrs._created_at, type: attrs._file_type },
        { ds: { StringValue: ds }, team: { StringValue: 'garden' }, rating: { LongValue: 5 }, created: { DateValue: new Date('2024-05-01T00:00:00Z') }, type: { StringValue: 'PLAIN_TEXT' } },
      );
      const filtered = await k.send(new QueryCommand({
        IndexId: indexId,
        AttributeFilter: { AndAllFilters: [{ EqualsTo: { Key: 'team', Value: { StringValue: 'garden' } } }, { GreaterThanOrEquals: { Key: '_created_at', Value: { DateValue: new Date('2024-04-01T00:00:00Z') } } }] },
      }));
      assert.deepEqual(ids(filtered), [orchids]);
      const water = await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'water', Facets: [{ DocumentAttributeKey: '_file_type' }] }));
      assert.equal(water.TotalNumberOfResults, 2);
      assert.deepEqual(facet(water, '_file_type'), { type: 'STRING_VALUE', pairs: [['MD', 1], ['PLAIN_TEXT', 1]] });
      const passages = await k.send(new RetrieveCommand({ IndexId: indexId, QueryText: 'water' }));
      assert.deepEqual(passages.ResultItems!.map((i) => i.Content).sort(), ['Cacti need little water.', 'Orchids need bright light. Water them weekly.']);
    });
  });
}
