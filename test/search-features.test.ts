// Issue 12 items 1, 3, 4, 5 through the JS SDK on both backends: FAQs, featured results, thesaurus
// and spell correction, each against the example of Kendra's developer guide (S3 is moto's server).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  BatchDeleteFeaturedResultsSetCommand,
  CreateFaqCommand,
  CreateFeaturedResultsSetCommand,
  CreateThesaurusCommand,
  DeleteFaqCommand,
  DeleteThesaurusCommand,
  DescribeFaqCommand,
  DescribeFeaturedResultsSetCommand,
  DescribeIndexCommand,
  DescribeThesaurusCommand,
  ListFaqsCommand,
  ListFeaturedResultsSetsCommand,
  ListThesauriCommand,
  QueryCommand,
  UpdateFeaturedResultsSetCommand,
  UpdateThesaurusCommand,
  type FaqFileFormat,
  type KendraClient,
  type QueryCommandInput,
} from '@aws-sdk/client-kendra';
import { putIndexed } from './support/acl.js';
import { activeIndex, rejectsWith, ROLE } from './support/kendra.js';
import { Bucket, Moto } from './support/moto.js';
import { FAQ_BAD_CSV, FAQ_CSV, FAQ_CSV_WITH_HEADER, FAQ_FRENCH_CSV, FAQ_JSON, FEATURE_DOCS, THESAURUS, THESAURUS_BAD } from './support/searchFeatures.js';
import { boto3Skip, runBoto3 } from './support/boto3Script.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';

let moto: Moto;
let bucket: Bucket;
before(async () => {
  moto = await Moto.start();
  bucket = await Bucket.create(moto.client(), 'features');
  await bucket.put('faq/basic.csv', FAQ_CSV);
  await bucket.put('faq/header.csv', FAQ_CSV_WITH_HEADER);
  await bucket.put('faq/faq.json', FAQ_JSON);
  await bucket.put('faq/french.csv', FAQ_FRENCH_CSV);
  await bucket.put('faq/bad.csv', FAQ_BAD_CSV);
  await bucket.put('thesaurus/synonyms.txt', THESAURUS);
  await bucket.put('thesaurus/bad.txt', THESAURUS_BAD);
});
after(async () => {
  await moto?.stop();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;


const hl = (BeginOffset: number, EndOffset: number) => ({ BeginOffset, EndOffset, TopAnswer: false, Type: 'STANDARD' });

for (const backend of backends()) {
  describeOrSkip(`search features: FAQs, featured results, thesaurus, spell correction [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    const query = (input: Omit<QueryCommandInput, 'IndexId'>) => k.send(new QueryCommand({ IndexId: indexId, ...input }));
    const faqStatus = (Id: string) => k.send(new DescribeFaqCommand({ IndexId: indexId, Id })).then((r) => r.Status);
    const createFaq = async (Name: string, Key: string, FileFormat?: FaqFileFormat, LanguageCode?: string) => {
      const { Id } = await k.send(new CreateFaqCommand({ IndexId: indexId, Name, RoleArn: ROLE, S3Path: { Bucket: 'features', Key }, FileFormat, LanguageCode }));
      assert.equal(await faqStatus(Id!), 'CREATING');
      const final = await waitFor(`FAQ ${Name} done`, async () => {
        const s = await faqStatus(Id!);
        return s === 'CREATING' ? undefined : s;
      });
      return { Id: Id!, final };
    };
    const thesaurusOf = (Id: string) => k.send(new DescribeThesaurusCommand({ IndexId: indexId, Id }));
    const thesaurusSettled = (Id: string) => waitFor(`thesaurus ${Id} settled`, async () => {
      const t = await thesaurusOf(Id);
      return t.Status === 'CREATING' || t.Status === 'UPDATING' ? undefined : t;
    });

    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, { env: moto.env });
      k = server.client();
      indexId = await activeIndex(k, 'features');
      await putIndexed(k, indexId, FEATURE_DOCS);
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('FAQs: CSV, CSV_WITH_HEADER and JSON files become QUESTION_ANSWER results ahead of documents; a bad line FAILS the FAQ naming it', async () => {
      const basic = await createFaq('basic', 'faq/basic.csv');
      const header = await createFaq('header', 'faq/header.csv', 'CSV_WITH_HEADER');
      const json = await createFaq('json', 'faq/faq.json', 'JSON');
      const bad = await createFaq('bad', 'faq/bad.csv', 'CSV');
      assert.deepEqual([basic.final, header.final, json.final, bad.final], ['ACTIVE', 'ACTIVE', 'ACTIVE', 'FAILED']);
      const failed = await k.send(new DescribeFaqCommand({ IndexId: indexId, Id: bad.Id }));
      assert.equal(failed.ErrorMessage, 'The CSV file s3://features/faq/bad.csv cannot be used: line 3: the record has 1 field; a CSV FAQ record is question,answer[,source URI].');
      const described = await k.send(new DescribeFaqCommand({ IndexId: indexId, Id: header.Id }));
      assert.deepEqual(
        { ...described, CreatedAt: undefined, UpdatedAt: undefined, $metadata: undefined },
        { Id: header.Id, IndexId: indexId, Name: 'header', S3Path: { Bucket: 'features', Key: 'faq/header.csv' }, Status: 'ACTIVE', RoleArn: ROLE, FileFormat: 'CSV_WITH_HEADER', LanguageCode: 'en', CreatedAt: undefined, UpdatedAt: undefined, $metadata: undefined },
      );
      const listed = await k.send(new ListFaqsCommand({ IndexId: indexId, MaxResults: 3 }));
      assert.deepEqual(listed.FaqSummaryItems!.map((f) => [f.Name, f.Status, f.FileFormat, f.LanguageCode]), [['basic', 'ACTIVE', 'CSV', 'en'], ['header', 'ACTIVE', 'CSV_WITH_HEADER', 'en'], ['json', 'ACTIVE', 'JSON', 'en']]);
      const rest = await k.send(new ListFaqsCommand({ IndexId: indexId, MaxResults: 3, NextToken: listed.NextToken }));
      assert.deepEqual(rest.FaqSummaryItems!.map((f) => f.Name), ['bad']);
      assert.equal(rest.NextToken, undefined);
      assert.equal((await k.send(new DescribeIndexCommand({ Id: indexId }))).IndexStatistics!.FaqStatistics!.IndexedQuestionAnswersCount, 4);

      const r = await query({ QueryText: 'How do I rotate an API key?' });
      assert.deepEqual(r.ResultItems!.map((i) => [i.Type, i.DocumentId === 'rotate' ? 'rotate' : i.Type === 'QUESTION_ANSWER' ? 'faq' : i.DocumentId]), [['ANSWER', 'rotate'], ['QUESTION_ANSWER', 'faq'], ['DOCUMENT', 'rotate']]);
      const qa = r.ResultItems![1]!;
      assert.deepEqual(qa.AdditionalAttributes, [
        { Key: 'QuestionText', ValueType: 'TEXT_WITH_HIGHLIGHTS_VALUE', Value: { TextWithHighlightsValue: { Text: 'How do I rotate an API key?', Highlights: [hl(9, 15), hl(19, 22), hl(23, 26)] } } },
        { Key: 'AnswerText', ValueType: 'TEXT_WITH_HIGHLIGHTS_VALUE', Value: { TextWithHighlightsValue: { Text: 'Open the console and choose Rotate.', Highlights: [hl(28, 34)] } } },
      ]);
      assert.deepEqual(qa.DocumentExcerpt, { Text: 'Open the console and choose Rotate.', Highlights: [hl(28, 34)] });
      assert.equal(qa.DocumentURI, 'https://example.com/faq/rotate');
      assert.deepEqual(qa.ScoreAttributes, { ScoreConfidence: 'VERY_HIGH' });
      assert.match(qa.DocumentId!, new RegExp(`^${basic.Id}-\\d+$`));
      assert.equal(r.TotalNumberOfResults, 3);

      // CSV_WITH_HEADER: _source_uri and the custom attribute; JSON: its Attributes.
      const pw = (await query({ QueryText: 'reset my password' })).ResultItems!;
      assert.deepEqual(pw.map((i) => i.Type), ['QUESTION_ANSWER']);
      assert.equal(pw[0]!.DocumentURI, 'https://example.com/faq/password');
      assert.deepEqual(pw[0]!.DocumentAttributes!.map((a) => [a.Key, a.Value!.StringValue]), [['_faq_id', header.Id], ['_source_uri', 'https://example.com/faq/password'], ['team', 'it'], ['_language_code', 'en']]);
      assert.equal(pw[0]!.ScoreAttributes!.ScoreConfidence, 'VERY_HIGH');
      const parking = (await query({ QueryText: 'parking garage' })).ResultItems!;
      assert.deepEqual(parking.map((i) => [i.Type, i.DocumentURI]), [['QUESTION_ANSWER', 'https://example.com/faq/parking']]);
      assert.deepEqual(parking[0]!.DocumentAttributes!.filter((a) => a.Key === 'floor' || a.Key === '_view_count').map((a) => [a.Key, a.Value]), [['floor', { StringValue: 'B2' }], ['_view_count', { LongValue: 3 }]]);
      // Half the question's words: LOW confidence, still first.
      const partial = (await query({ QueryText: 'parking' })).ResultItems!;
      assert.deepEqual(partial.map((i) => [i.Type, i.ScoreAttributes!.ScoreConfidence]), [['QUESTION_ANSWER', 'LOW']]);
      assert.deepEqual((await query({ QueryText: 'lunch' })).ResultItems, []);

      // QueryResultTypeFilter keeps one kind; answers are on the first page only.
      assert.deepEqual((await query({ QueryText: 'How do I rotate an API key?', QueryResultTypeFilter: 'QUESTION_ANSWER' })).ResultItems!.map((i) => i.Type), ['QUESTION_ANSWER']);
      assert.deepEqual((await query({ QueryText: 'How do I rotate an API key?', QueryResultTypeFilter: 'ANSWER' })).ResultItems!.map((i) => i.Type), ['ANSWER']);
      assert.deepEqual((await query({ QueryText: 'How do I rotate an API key?', QueryResultTypeFilter: 'DOCUMENT' })).ResultItems!.map((i) => i.DocumentId), ['rotate']);
      assert.deepEqual((await query({ QueryText: 'How do I rotate an API key?', PageNumber: 2 })).ResultItems, []);

      // LanguageCode: a French FAQ answers French searches only.
      const french = await createFaq('french', 'faq/french.csv', 'CSV', 'fr');
      assert.equal(french.final, 'ACTIVE');
      assert.deepEqual((await query({ QueryText: 'changer mot de passe' })).ResultItems, []);
      const fr = await query({ QueryText: 'changer mot de passe', AttributeFilter: { EqualsTo: { Key: '_language_code', Value: { StringValue: 'fr' } } } });
      assert.deepEqual(fr.ResultItems!.map((i) => [i.Type, i.AdditionalAttributes![0]!.Value!.TextWithHighlightsValue!.Text]), [['QUESTION_ANSWER', 'Comment changer mon mot de passe ?']]);

      await k.send(new DeleteFaqCommand({ IndexId: indexId, Id: basic.Id }));
      await rejectsWith(k.send(new DescribeFaqCommand({ IndexId: indexId, Id: basic.Id })), 'ResourceNotFoundException');
      assert.deepEqual((await query({ QueryText: 'How do I rotate an API key?' })).ResultItems!.map((i) => i.Type), ['ANSWER', 'DOCUMENT']);
      assert.equal((await k.send(new DescribeIndexCommand({ Id: indexId }))).IndexStatistics!.FaqStatistics!.IndexedQuestionAnswersCount, 3);
      await rejectsWith(k.send(new DeleteFaqCommand({ IndexId: indexId, Id: basic.Id })), 'ResourceNotFoundException');
    });

    test('featured results: an exact query text puts its documents first, only those the user may see, never twice; one active set per query text', async () => {
      const created = await k.send(new CreateFeaturedResultsSetCommand({
        IndexId: indexId, FeaturedResultsSetName: 'holidays', Description: 'time off', QueryTexts: ['vacation policy', 'time off'],
        FeaturedDocuments: [{ Id: 'onboarding' }, { Id: 'budget' }, { Id: 'ghost' }],
      }));
      const set = created.FeaturedResultsSet!;
      assert.deepEqual([set.FeaturedResultsSetName, set.Status, set.QueryTexts, set.FeaturedDocuments], ['holidays', 'ACTIVE', ['vacation policy', 'time off'], [{ Id: 'onboarding' }, { Id: 'budget' }, { Id: 'ghost' }]]);
      assert.equal(typeof set.CreationTimestamp, 'number');

      // Exact text (case and spaces aside): featured first, and not again among the results.
      const r = await query({ QueryText: '  Vacation   Policy ' });
      assert.deepEqual(r.FeaturedResultsItems!.map((i) => [i.Type, i.DocumentId, i.DocumentTitle!.Text]), [['DOCUMENT', 'onboarding', 'Onboarding guide']]);
      assert.equal(r.FeaturedResultsItems![0]!.FeedbackToken!.startsWith('kendrite1.'), true);
      assert.deepEqual(r.ResultItems!.map((i) => i.DocumentId), ['vacation']);
      // The finance group may see the budget: featured too, in the set's order.
      const finance = await query({ QueryText: 'vacation policy', UserContext: { Groups: ['finance'] } });
      assert.deepEqual(finance.FeaturedResultsItems!.map((i) => i.DocumentId), ['onboarding', 'budget']);
      // Not the whole query: nothing featured.
      assert.equal((await query({ QueryText: 'vacation' })).FeaturedResultsItems, undefined);
      assert.equal((await query({ QueryText: 'vacation policy', PageNumber: 2 })).FeaturedResultsItems, undefined);

      const described = await k.send(new DescribeFeaturedResultsSetCommand({ IndexId: indexId, FeaturedResultsSetId: set.FeaturedResultsSetId }));
      assert.deepEqual(described.FeaturedDocumentsWithMetadata, [{ Id: 'onboarding', Title: 'Onboarding guide' }, { Id: 'budget', Title: 'Budget statements' }]);
      assert.deepEqual(described.FeaturedDocumentsMissing, [{ Id: 'ghost' }]);
      assert.equal(described.Description, 'time off');

      // A query text of an ACTIVE set cannot be in another ACTIVE set.
      const err = await rejectsWith(k.send(new CreateFeaturedResultsSetCommand({ IndexId: indexId, FeaturedResultsSetName: 'other', QueryTexts: ['VACATION  policy', 'new'], FeaturedDocuments: [{ Id: 'rotate' }] })), 'FeaturedResultsConflictException');
      assert.deepEqual((err as unknown as { ConflictingItems: unknown }).ConflictingItems, [{ QueryText: 'VACATION  policy', SetName: 'holidays', SetId: set.FeaturedResultsSetId }]);
      const inactive = (await k.send(new CreateFeaturedResultsSetCommand({ IndexId: indexId, FeaturedResultsSetName: 'other', Status: 'INACTIVE', QueryTexts: ['vacation policy'], FeaturedDocuments: [{ Id: 'rotate' }] }))).FeaturedResultsSet!;
      await rejectsWith(k.send(new UpdateFeaturedResultsSetCommand({ IndexId: indexId, FeaturedResultsSetId: inactive.FeaturedResultsSetId, Status: 'ACTIVE' })), 'FeaturedResultsConflictException');
      await rejectsWith(k.send(new CreateFeaturedResultsSetCommand({ IndexId: indexId, FeaturedResultsSetName: 'holidays', QueryTexts: ['x'] })), 'ConflictException');
      await rejectsWith(k.send(new CreateFeaturedResultsSetCommand({ IndexId: indexId, FeaturedResultsSetName: 'five', FeaturedDocuments: ['a', 'b', 'c', 'd', 'e'].map((Id) => ({ Id })) })), 'ValidationException');

      // Deactivating the first set frees its texts: the other set may take them.
      await k.send(new UpdateFeaturedResultsSetCommand({ IndexId: indexId, FeaturedResultsSetId: set.FeaturedResultsSetId, Status: 'INACTIVE' }));
      const moved = await k.send(new UpdateFeaturedResultsSetCommand({ IndexId: indexId, FeaturedResultsSetId: inactive.FeaturedResultsSetId, Status: 'ACTIVE' }));
      assert.equal(moved.FeaturedResultsSet!.Status, 'ACTIVE');
      assert.deepEqual((await query({ QueryText: 'vacation policy' })).FeaturedResultsItems!.map((i) => i.DocumentId), ['rotate']);

      const list = await k.send(new ListFeaturedResultsSetsCommand({ IndexId: indexId }));
      assert.deepEqual(list.FeaturedResultsSetSummaryItems!.map((s) => [s.FeaturedResultsSetName, s.Status]), [['holidays', 'INACTIVE'], ['other', 'ACTIVE']]);
      const unknown = '00000000-0000-0000-0000-000000000000';
      const deleted = await k.send(new BatchDeleteFeaturedResultsSetCommand({ IndexId: indexId, FeaturedResultsSetIds: [inactive.FeaturedResultsSetId!, unknown] }));
      assert.deepEqual(deleted.Errors, [{ Id: unknown, ErrorCode: 'InvalidRequest', ErrorMessage: `Featured results set ${unknown} does not exist in index ${indexId}.` }]);
      assert.deepEqual((await k.send(new ListFeaturedResultsSetsCommand({ IndexId: indexId }))).FeaturedResultsSetSummaryItems!.map((s) => s.FeaturedResultsSetName), ['holidays']);
      assert.equal((await query({ QueryText: 'vacation policy' })).FeaturedResultsItems, undefined);
      await rejectsWith(k.send(new DescribeFeaturedResultsSetCommand({ IndexId: indexId, FeaturedResultsSetId: inactive.FeaturedResultsSetId })), 'ResourceNotFoundException');
    });

    test('thesaurus: Solr synonyms expand queries (one-way and equivalent), visible in highlights; a bad update keeps the rules in use', async () => {
      assert.equal((await query({ QueryText: 'ML' })).TotalNumberOfResults, 0);
      const { Id } = await k.send(new CreateThesaurusCommand({ IndexId: indexId, Name: 'synonyms', RoleArn: ROLE, SourceS3Path: { Bucket: 'features', Key: 'thesaurus/synonyms.txt' } }));
      assert.equal((await thesaurusOf(Id!)).Status, 'CREATING');
      const t = await thesaurusSettled(Id!);
      assert.deepEqual([t.Status, t.FileSizeBytes, t.TermCount, t.SynonymRuleCount, t.ErrorMessage], ['ACTIVE', Buffer.byteLength(THESAURUS), 7, 3, undefined]);

      // One way: ML searches for "machine learning", highlighted.
      const ml = await query({ QueryText: 'ML' });
      assert.deepEqual(ml.ResultItems!.map((i) => i.DocumentId), ['ml']);
      assert.deepEqual(ml.ResultItems![0]!.DocumentTitle, { Text: 'Machine learning models', Highlights: [hl(0, 16)] });
      // ...and not the other way round.
      assert.deepEqual((await query({ QueryText: '"machine learning"' })).ResultItems!.map((i) => i.DocumentId), ['ml']);
      // Equivalent terms: holiday finds vacation.
      const holiday = await query({ QueryText: 'holiday' });
      assert.deepEqual(holiday.ResultItems!.map((i) => i.DocumentId), ['vacation']);
      assert.deepEqual(holiday.ResultItems![0]!.DocumentTitle, { Text: 'Vacation policy', Highlights: [hl(0, 8)] });
      assert.deepEqual((await query({ QueryText: 'k8s' })).ResultItems, []);

      await rejectsWith(k.send(new CreateThesaurusCommand({ IndexId: indexId, Name: 'second', RoleArn: ROLE, SourceS3Path: { Bucket: 'features', Key: 'thesaurus/synonyms.txt' } })), 'ServiceQuotaExceededException');
      await k.send(new UpdateThesaurusCommand({ IndexId: indexId, Id, SourceS3Path: { Bucket: 'features', Key: 'thesaurus/bad.txt' } }));
      const failed = await thesaurusSettled(Id!);
      assert.deepEqual([failed.Status, failed.ErrorMessage, failed.SynonymRuleCount], ['ACTIVE_BUT_UPDATE_FAILED', "The thesaurus file s3://features/thesaurus/bad.txt cannot be used: line 2: more than one '=>'.", 3]);
      assert.deepEqual((await query({ QueryText: 'ML' })).ResultItems!.map((i) => i.DocumentId), ['ml']);
      assert.deepEqual((await k.send(new ListThesauriCommand({ IndexId: indexId }))).ThesaurusSummaryItems!.map((s) => [s.Id, s.Name, s.Status]), [[Id, 'synonyms', 'ACTIVE_BUT_UPDATE_FAILED']]);

      await k.send(new DeleteThesaurusCommand({ IndexId: indexId, Id }));
      await rejectsWith(thesaurusOf(Id!), 'ResourceNotFoundException');
      assert.equal((await query({ QueryText: 'ML' })).TotalNumberOfResults, 0);
    });

    test("spell correction: misspelled words corrected from the index's own words, never a word the index holds", async () => {
      const spell = { IncludeQuerySpellCheckSuggestions: true };
      const r = await query({ QueryText: 'vacaton polcy', SpellCorrectionConfiguration: spell });
      assert.deepEqual(r.SpellCorrectedQueries, [{
        SuggestedQueryText: 'vacation policy',
        Corrections: [{ BeginOffset: 0, EndOffset: 7, Term: 'vacaton', CorrectedTerm: 'vacation' }, { BeginOffset: 8, EndOffset: 13, Term: 'polcy', CorrectedTerm: 'policy' }],
      }]);
      // The documented example: 'statments' in a query about year-end statements.
      const statements = await query({ QueryText: 'financial statments', SpellCorrectionConfiguration: spell });
      assert.deepEqual(statements.SpellCorrectedQueries!.map((q) => q.SuggestedQueryText), ['financial statements']);
      // Known words (or a form of one: 'deploys' has the stem of 'deploying'), digits, short words: no suggestion.
      for (const QueryText of ['kubernetes deploys', 'k9s', 'ab vacation', 'zzzzzzzz'])
        assert.deepEqual((await query({ QueryText, SpellCorrectionConfiguration: spell })).SpellCorrectedQueries, [], QueryText);
      assert.equal((await query({ QueryText: 'vacaton' })).SpellCorrectedQueries, undefined);
      // A new document's words are suggested from then on.
      await putIndexed(k, indexId, [{ Id: 'zebra', Title: 'Zebra crossing', Blob: Buffer.from('A zebra crossing is striped.'), ContentType: 'PLAIN_TEXT' }]);
      assert.deepEqual((await query({ QueryText: 'zebrra', SpellCorrectionConfiguration: spell })).SpellCorrectedQueries!.map((q) => q.SuggestedQueryText), ['zebra']);
    });

    test('boto3: the four features as a Python application sees them, errors with their extra members', { skip: boto3Skip }, async () => {
      const out = await runBoto3('boto3_search_features.py', [server.url, moto.endpoint]);
      assert.match(out.faqList[0].Id, UUID);
      assert.match(out.conflict.items[0].SetId, UUID);
      out.faqList[0].Id = '<uuid>';
      out.conflict.items[0].SetId = '<uuid>';
      const th = '# synonyms\nML => machine learning\nholiday, vacation\n';
      assert.deepEqual(out, {
        faqStates: ['CREATING', 'ACTIVE'],
        faqList: [{ Id: '<uuid>', Name: 'basic', Status: 'ACTIVE', CreatedAt: '<datetime>', UpdatedAt: '<datetime>', FileFormat: 'CSV', LanguageCode: 'en' }],
        faqQuery: [['ANSWER', 'rotate'], ['QUESTION_ANSWER', 'faq'], ['DOCUMENT', 'rotate']],
        faqAttributes: [
          { Key: 'QuestionText', ValueType: 'TEXT_WITH_HIGHLIGHTS_VALUE', Value: { TextWithHighlightsValue: { Text: 'How do I rotate an API key?', Highlights: [hl(9, 15), hl(19, 22), hl(23, 26)] } } },
          { Key: 'AnswerText', ValueType: 'TEXT_WITH_HIGHLIGHTS_VALUE', Value: { TextWithHighlightsValue: { Text: 'Open the console and choose Rotate.', Highlights: [hl(28, 34)] } } },
        ],
        faqConfidence: { ScoreConfidence: 'VERY_HIGH' },
        faqAfterDelete: [['ANSWER', 'rotate'], ['DOCUMENT', 'rotate']],
        featured: [['DOCUMENT', 'onboarding']],
        featuredResults: [['DOCUMENT', 'vacation']],
        conflict: { code: 'FeaturedResultsConflictException', items: [{ QueryText: 'Vacation Policy', SetName: 'launch', SetId: '<uuid>' }], isSet: true },
        featuredDelete: [],
        thesaurusStates: ['CREATING', 'ACTIVE'],
        thesaurusCounts: [Buffer.byteLength(th), 4, 2],
        thesaurusQuery: [['DOCUMENT', 'ml']],
        thesaurusTitle: { Text: 'Machine learning models', Highlights: [hl(0, 16)] },
        holiday: [['DOCUMENT', 'vacation']],
        spell: [{ SuggestedQueryText: 'vacation policy', Corrections: [{ BeginOffset: 0, EndOffset: 7, Term: 'vacaton', CorrectedTerm: 'vacation' }, { BeginOffset: 8, EndOffset: 13, Term: 'polcy', CorrectedTerm: 'policy' }] }],
      });
    });
  });
}
