// Issue 12 item 2 through the JS SDK and boto3 on both backends: ANSWER results, an answer found in
// a document's passage for a question-like query (src/search/answers.ts, src/domain/documentAnswers.ts).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GetSnapshotsCommand, QueryCommand, type AttributeFilter, type Document, type KendraClient, type QueryCommandInput, type QueryResultItem } from '@aws-sdk/client-kendra';
import { putIndexed } from './support/acl.js';
import { activeIndex } from './support/kendra.js';
import { boto3Skip, runBoto3 } from './support/boto3Script.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';
import { execSql } from './support/sql.js';

const DAY = 86_400_000;

const doc = (Id: string, Title: string, body: string, extra: Partial<Document> = {}): Document => ({ Id, Title, Blob: Buffer.from(body), ContentType: 'PLAIN_TEXT', ...extra });
const category = (c: string, uri?: string) => ({
  Attributes: [{ Key: '_category', Value: { StringValue: c } }, ...(uri ? [{ Key: '_source_uri', Value: { StringValue: uri } }] : [])],
});
const DOCS: Document[] = [
  doc('rotate', 'Rotating API keys', 'To rotate an API key, open the console and choose Rotate. Keys expire after ninety days.', category('security', 'https://example.com/rotate')),
  doc('history', 'Company history', 'Acme was founded by Jane Doe in 1999 in Seattle. It makes rockets.', category('company')),
  doc('budget', 'Budget approval', 'The finance team approves the budget in March. Quarterly statements follow.', {
    AccessControlList: [{ Name: 'finance', Type: 'GROUP', Access: 'ALLOW' }],
  }),
  doc('cles', 'Clés API', 'Les clés API expirent après quatre-vingt-dix jours.', { Attributes: [{ Key: '_language_code', Value: { StringValue: 'fr' } }] }),
];

const hl = (BeginOffset: number, EndOffset: number, TopAnswer = false) => ({ BeginOffset, EndOffset, TopAnswer, Type: 'STANDARD' });
const answerText = (i: QueryResultItem) => {
  const a = i.AdditionalAttributes!;
  assert.deepEqual(a.map((x) => [x.Key, x.ValueType]), [['AnswerText', 'TEXT_WITH_HIGHLIGHTS_VALUE']]);
  return a[0]!.Value!.TextWithHighlightsValue!;
};
/** The top answer's words. */
const topAnswer = (i: QueryResultItem) => {
  const t = answerText(i);
  const top = t.Highlights!.filter((h) => h.TopAnswer);
  assert.equal(top.length, 1);
  return t.Text!.slice(top[0]!.BeginOffset, top[0]!.EndOffset);
};
const lang = (code: string): AttributeFilter => ({ EqualsTo: { Key: '_language_code', Value: { StringValue: code } } });


for (const backend of backends()) {
  describeOrSkip(`ANSWER results: answers found in documents [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    const query = (input: Omit<QueryCommandInput, 'IndexId'>, IndexId = indexId) => k.send(new QueryCommand({ IndexId, ...input }));
    const types = async (input: Omit<QueryCommandInput, 'IndexId'>) => (await query(input)).ResultItems!.map((i) => [i.Type, i.DocumentId]);

    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store);
      k = server.client();
      indexId = await activeIndex(k, 'answers');
      await putIndexed(k, indexId, DOCS);
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('a question answered by a passage: an ANSWER result before the documents, the answer highlighted as the top answer', async () => {
      const r = await query({ QueryText: 'How do I rotate an API key?' });
      assert.deepEqual(r.ResultItems!.map((i) => [i.Type, i.DocumentId]), [['ANSWER', 'rotate'], ['DOCUMENT', 'rotate']]);
      assert.equal(r.TotalNumberOfResults, 2);
      const a = r.ResultItems![0]!;
      const text = 'To rotate an API key, open the console and choose Rotate. Keys expire after ninety days.';
      assert.match(a.Id!, new RegExp(`^${r.QueryId}-`));
      assert.equal(a.FeedbackToken!.startsWith('kendrite1.'), true);
      assert.deepEqual({ ...a, Id: undefined, FeedbackToken: undefined }, {
        Id: undefined, FeedbackToken: undefined,
        Type: 'ANSWER', Format: 'TEXT', DocumentId: 'rotate', DocumentURI: 'https://example.com/rotate',
        AdditionalAttributes: [{ Key: 'AnswerText', ValueType: 'TEXT_WITH_HIGHLIGHTS_VALUE', Value: { TextWithHighlightsValue: { Text: text, Highlights: [hl(3, 9), hl(13, 16), hl(17, 20), hl(22, 56, true), hl(58, 62)] } } }],
        DocumentTitle: { Text: 'Rotating API keys', Highlights: [hl(0, 8), hl(9, 12), hl(13, 17)] },
        DocumentExcerpt: { Text: text, Highlights: [hl(3, 9), hl(13, 16), hl(17, 20), hl(50, 56), hl(58, 62)] },
        DocumentAttributes: [
          { Key: '_category', Value: { StringValue: 'security' } }, { Key: '_source_uri', Value: { StringValue: 'https://example.com/rotate' } },
          { Key: '_file_type', Value: { StringValue: 'PLAIN_TEXT' } }, { Key: '_language_code', Value: { StringValue: 'en' } },
        ],
        ScoreAttributes: { ScoreConfidence: 'VERY_HIGH' },
      });
      assert.equal(topAnswer(a), 'open the console and choose Rotate');
      // RequestedDocumentAttributes applies to the answer as to the documents.
      const only = await query({ QueryText: 'How do I rotate an API key?', RequestedDocumentAttributes: ['_language_code'] });
      assert.deepEqual(only.ResultItems!.map((i) => i.DocumentAttributes), [[{ Key: '_language_code', Value: { StringValue: 'en' } }], [{ Key: '_language_code', Value: { StringValue: 'en' } }]]);
    });

    test('the kind of answer follows the question word: a time, a person, a place; the sentence before gives context', async () => {
      const when = (await query({ QueryText: 'When do API keys expire?' })).ResultItems![0]!;
      assert.deepEqual(answerText(when), {
        Text: 'To rotate an API key, open the console and choose Rotate. Keys expire after ninety days.',
        Highlights: [hl(13, 16), hl(17, 20), hl(58, 62), hl(63, 69), hl(70, 87, true)],
      });
      assert.equal(when.ScoreAttributes!.ScoreConfidence, 'HIGH');
      const who = (await query({ QueryText: 'Who founded Acme?' })).ResultItems![0]!;
      assert.deepEqual(answerText(who), { Text: 'Acme was founded by Jane Doe in 1999 in Seattle. It makes rockets.', Highlights: [hl(0, 4), hl(9, 16), hl(20, 28, true)] });
      assert.equal(topAnswer((await query({ QueryText: 'Where was Acme founded?' })).ResultItems![0]!), 'in Seattle');
      assert.equal(topAnswer((await query({ QueryText: 'When was Acme founded?' })).ResultItems![0]!), 'in 1999');
      assert.equal(topAnswer((await query({ QueryText: 'what does acme make?' })).ResultItems![0]!), 'rockets');
    });

    test('no ANSWER for a query that is not a question, nor when the best passage does not hold the answer', async () => {
      assert.deepEqual(await types({ QueryText: 'rotate API key' }), [['DOCUMENT', 'rotate']]);
      assert.deepEqual(await types({ QueryText: 'Acme founded' }), [['DOCUMENT', 'history']]);
      // Half the question's words only.
      assert.deepEqual(await types({ QueryText: 'How do I rotate a password?' }), [['DOCUMENT', 'rotate']]);
      // The words are there, but no time.
      assert.deepEqual(await types({ QueryText: 'When does Acme make rockets?' }), [['DOCUMENT', 'history']]);
      // Nothing searchable, nothing found.
      assert.deepEqual(await types({ QueryText: 'Who is it?' }), []);
      assert.deepEqual(await types({ QueryText: 'Why do zebras sing?' }), []);
    });

    test('QueryResultTypeFilter, paging, attribute filters, access control and the language searched', async () => {
      const q = 'How do I rotate an API key?';
      assert.deepEqual(await types({ QueryText: q, QueryResultTypeFilter: 'ANSWER' }), [['ANSWER', 'rotate']]);
      assert.deepEqual(await types({ QueryText: q, QueryResultTypeFilter: 'DOCUMENT' }), [['DOCUMENT', 'rotate']]);
      assert.deepEqual(await types({ QueryText: q, QueryResultTypeFilter: 'QUESTION_ANSWER' }), []);
      assert.deepEqual(await types({ QueryText: q, PageNumber: 2 }), []);
      // A filter that leaves the document out leaves its answer out.
      const company: AttributeFilter = { EqualsTo: { Key: '_category', Value: { StringValue: 'company' } } };
      assert.deepEqual(await types({ QueryText: q, AttributeFilter: company }), []);
      assert.deepEqual(await types({ QueryText: 'Who founded Acme?', AttributeFilter: company }), [['ANSWER', 'history'], ['DOCUMENT', 'history']]);
      // Only those who may see the document get its answer.
      const budget = 'When does the finance team approve the budget?';
      assert.deepEqual(await types({ QueryText: budget }), []);
      assert.deepEqual(await types({ QueryText: budget, UserContext: { Groups: ['sales'] } }), []);
      const finance = await query({ QueryText: budget, UserContext: { Groups: ['finance'] } });
      assert.deepEqual(finance.ResultItems!.map((i) => [i.Type, i.DocumentId]), [['ANSWER', 'budget'], ['DOCUMENT', 'budget']]);
      assert.equal(topAnswer(finance.ResultItems![0]!), 'in March');
      // One language per search: the English documents answer no French search, the French one answers it.
      assert.deepEqual(await types({ QueryText: 'When do API keys expire?', AttributeFilter: lang('fr') }), [['DOCUMENT', 'cles']]);
      const fr = await query({ QueryText: 'Les clés API expirent quand ?', AttributeFilter: lang('fr') });
      assert.deepEqual(fr.ResultItems!.map((i) => [i.Type, i.DocumentId]), [['ANSWER', 'cles'], ['DOCUMENT', 'cles']]);
      assert.deepEqual(answerText(fr.ResultItems![0]!), { Text: 'Les clés API expirent après quatre-vingt-dix jours.', Highlights: [hl(4, 8), hl(9, 12), hl(13, 21), hl(22, 50, true)] });
      assert.equal(fr.ResultItems![0]!.ScoreAttributes!.ScoreConfidence, 'HIGH');
    });

    test("the query log counts answered queries in GetSnapshots' instant_answer_rate", async () => {
      const logged = await activeIndex(k, 'answers-log');
      await putIndexed(k, logged, DOCS.slice(0, 2));
      for (const QueryText of ['How do I rotate an API key?', 'Who founded Acme?', 'rotate API key', 'When does Acme make rockets?']) await query({ QueryText }, logged);
      // A week into the past, where ONE_WEEK_AGO counts them (today's searches are not in any interval yet).
      await server.stop();
      await execSql(store, [{ sql: 'UPDATE query_log SET at = at - ? WHERE index_id = ?', params: [7 * DAY, logged] }]);
      server = await TestServer.start(store);
      k = server.client();
      const r = await k.send(new GetSnapshotsCommand({ IndexId: logged, Interval: 'ONE_WEEK_AGO', MetricType: 'AGG_QUERY_DOC_METRICS' }));
      assert.deepEqual([r.SnapshotsDataHeader, ...r.SnapshotsData!], [
        ['total_queries', 'unique_queries', 'click_through_rate', 'zero_click_rate', 'zero_result_rate', 'instant_answer_rate'],
        ['4', '4', '0', '1', '0', '0.5'],
      ]);
    });

    test('boto3: ANSWER results as a Python application sees them', { skip: boto3Skip }, async () => {
      const out = await runBoto3('boto3_answers.py', [server.url]);
      const text = 'To rotate an API key, open the console and choose Rotate. Keys expire after ninety days.';
      assert.deepEqual(out, {
        rotate: [['ANSWER', 'rotate'], ['DOCUMENT', 'rotate']],
        rotateAnswer: {
          Type: 'ANSWER', Format: 'TEXT', DocumentId: 'rotate',
          AdditionalAttributes: [{ Key: 'AnswerText', ValueType: 'TEXT_WITH_HIGHLIGHTS_VALUE', Value: { TextWithHighlightsValue: { Text: text, Highlights: [hl(3, 9), hl(13, 16), hl(17, 20), hl(22, 56, true), hl(58, 62)] } } }],
          DocumentTitle: { Text: 'Rotating API keys', Highlights: [hl(0, 8), hl(9, 12), hl(13, 17)] },
          DocumentExcerpt: { Text: text, Highlights: [hl(3, 9), hl(13, 16), hl(17, 20), hl(50, 56), hl(58, 62)] },
          DocumentAttributes: [{ Key: '_file_type', Value: { StringValue: 'PLAIN_TEXT' } }, { Key: '_language_code', Value: { StringValue: 'en' } }],
          ScoreAttributes: { ScoreConfidence: 'VERY_HIGH' },
        },
        who: [{ Key: 'AnswerText', ValueType: 'TEXT_WITH_HIGHLIGHTS_VALUE', Value: { TextWithHighlightsValue: { Text: 'Acme was founded by Jane Doe in 1999 in Seattle. It makes rockets.', Highlights: [hl(0, 4), hl(9, 16), hl(20, 28, true)] } } }],
        notQuestion: [['DOCUMENT', 'rotate']],
        weak: [['DOCUMENT', 'history']],
        answerOnly: [['ANSWER', 'history']],
        documentOnly: [['DOCUMENT', 'history']],
        budgetAnonymous: [],
        budgetFinance: [['ANSWER', 'budget'], ['DOCUMENT', 'budget']],
        french: [],
      });
    });
  });
}
