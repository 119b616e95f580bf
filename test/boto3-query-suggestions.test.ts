import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Moto } from './support/moto.js';
import { boto3Skip, runBoto3 } from './support/boto3Script.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';


const scenario = (url: string, s3: string, name: string) => runBoto3('boto3_query_suggestions.py', [url, s3, name]);

let moto: Moto;
before(async () => {
  moto = await Moto.start();
});
after(async () => {
  await moto?.stop();
});

for (const backend of backends()) {
  describeOrSkip(`query suggestions and analytics through boto3 [${backend.name}]`, { skip: backend.skip || boto3Skip }, () => {
    let store: TestStore;
    let server: TestServer;
    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, { env: moto.env, config: { queryLog: { suggestionsRefreshMs: 0 } } });
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('query suggestions: settings, suggestions, block list, document fields, clear', async () => {
      const out = await scenario(server.url, moto.endpoint, 'suggestions');
      assert.deepEqual(out, {
        defaults: {
          Mode: 'ENABLED', Status: 'ACTIVE', QueryLogLookBackWindowInDays: 180, IncludeQueriesWithoutUserInformation: true, MinimumNumberOfQueryingUsers: 3,
          MinimumQueryCount: 5, LastSuggestionsBuildTime: '<datetime>', TotalSuggestionsCount: 0,
          AttributeSuggestionsConfig: { SuggestableConfigList: [{ AttributeName: '_document_title', Suggestable: true }], AttributeSuggestionsMode: 'ACTIVE' },
        },
        suggestions: [
          { Text: { Text: 'upcoming events 2050', Highlights: [{ BeginOffset: 0, EndOffset: 10 }] } },
          { Text: { Text: 'upcoming elections', Highlights: [{ BeginOffset: 0, EndOffset: 10 }] } },
        ],
        blockList: {
          IndexId: true, Id: true, Name: 'offensive-words', Status: 'ACTIVE', CreatedAt: '<datetime>', UpdatedAt: '<datetime>',
          SourceS3Path: { Bucket: 'boto3-block-lists', Key: 'block.txt' }, ItemCount: 1, FileSizeBytes: 10, RoleArn: 'arn:aws:iam::000000000000:role/kendra',
        },
        listed: [{ Id: true, Name: 'offensive-words', Status: 'ACTIVE', CreatedAt: '<datetime>', UpdatedAt: '<datetime>', ItemCount: 1 }],
        blocked: ['upcoming events 2050'],
        fields: [["Upcoming events: What's happening in 2050", [{ DocumentId: 'events', SuggestionAttributes: ['_document_title'], AdditionalAttributes: [] }]]],
        deleted: 'ResourceNotFoundException',
        afterClear: { TotalSuggestionsCount: 0, LastClearTime: true, MinimumQueryCount: 2 },
        tooShort: [],
        badCount: 'ValidationException',
      });
    });

    test("analytics: GetSnapshots answers every MetricType with Kendra's shape (THIS_WEEK ends before today, so today's search is not in it)", async () => {
      const out = await scenario(server.url, moto.endpoint, 'analytics');
      const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
      const days = Array.from({ length: new Date(today).getUTCDay() }, (_, i) => new Date(today - (new Date(today).getUTCDay() - i) * 86_400_000).toISOString().slice(0, 10));
      const filter = ['EndTime', 'StartTime'];
      assert.deepEqual(out, {
        QUERIES_BY_COUNT: { header: ['query_content', 'count'], data: [], filter },
        QUERIES_BY_ZERO_CLICK_RATE: { header: ['query_content', 'zero_click_rate', 'count'], data: [], filter },
        QUERIES_BY_ZERO_RESULT_RATE: { header: ['query_content', 'zero_result_rate', 'count'], data: [], filter },
        DOCS_BY_CLICK_COUNT: { header: ['document_id', 'click_count'], data: [], filter },
        AGG_QUERY_DOC_METRICS: { header: ['total_queries', 'unique_queries', 'click_through_rate', 'zero_click_rate', 'zero_result_rate', 'instant_answer_rate'], data: [['0', '0', '0', '0', '0', '0']], filter },
        TREND_QUERY_DOC_METRICS: {
          header: ['date', 'total_queries', 'click_through_rate', 'zero_click_rate', 'zero_result_rate', 'instant_answer_rate'],
          data: days.map((d) => [d, '0', '0', '0', '0', '0']),
          filter,
        },
        badInterval: 'ValidationException',
        badToken: 'ValidationException',
      });
    });
  });
}
