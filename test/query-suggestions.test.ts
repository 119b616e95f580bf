import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  ClearQuerySuggestionsCommand,
  CreateQuerySuggestionsBlockListCommand,
  DeleteQuerySuggestionsBlockListCommand,
  DescribeQuerySuggestionsBlockListCommand,
  DescribeQuerySuggestionsConfigCommand,
  GetQuerySuggestionsCommand,
  ListQuerySuggestionsBlockListsCommand,
  QueryCommand,
  UpdateQuerySuggestionsBlockListCommand,
  UpdateQuerySuggestionsConfigCommand,
  type GetQuerySuggestionsCommandInput,
  type KendraClient,
} from '@aws-sdk/client-kendra';
import { suggestionsJson } from '../src/api/querySuggestions.js';
import { serializeOutput } from '../src/protocol/serialize.js';
import { putIndexed } from './support/acl.js';
import { activeIndex, rejectsWith, ROLE } from './support/kendra.js';
import { Bucket, Moto } from './support/moto.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';
import { execSql } from './support/sql.js';

const DAY = 86_400_000;
const text = (body: string) => ({ Blob: Buffer.from(body), ContentType: 'PLAIN_TEXT' as const });
const DOCS = [
  { Id: 'events', Title: "Upcoming events: What's happening in 2050", ...text('The upcoming events of 2050, and the elections.'),
    Attributes: [{ Key: 'department', Value: { StringValue: 'Events office' } }] },
  { Id: 'holidays', Title: 'Upcoming holidays', ...text('Holidays this year. What is new in the quarterly report.'),
    Attributes: [{ Key: 'department', Value: { StringValue: 'Human resources' } }] },
  { Id: 'secret', Title: 'Upcoming layoffs', ...text('Only for managers.'), AccessControlList: [{ Name: 'managers', Type: 'GROUP' as const, Access: 'ALLOW' as const }],
    Attributes: [{ Key: 'department', Value: { StringValue: 'Human resources' } }] },
];

let moto: Moto;
let bucket: Bucket;
before(async () => {
  moto = await Moto.start();
  bucket = await Bucket.create(moto.client(), 'suggestion-lists');
});
after(async () => {
  await moto?.stop();
});

for (const backend of backends()) {
  describeOrSkip(`query suggestions [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    const search = async (QueryText: string, times = 1, UserId?: string) => {
      for (let i = 0; i < times; i++) await k.send(new QueryCommand({ IndexId: indexId, QueryText, ...(UserId ? { UserContext: { UserId } } : {}) }));
    };
    const suggest = async (QueryText: string, more: Partial<GetQuerySuggestionsCommandInput> = {}) =>
      (await k.send(new GetQuerySuggestionsCommand({ IndexId: indexId, QueryText, ...more }))).Suggestions!;
    const texts = async (QueryText: string, more: Partial<GetQuerySuggestionsCommandInput> = {}) => (await suggest(QueryText, more)).map((s) => s.Value!.Text!.Text!);
    const configure = (input: Record<string, unknown>) => k.send(new UpdateQuerySuggestionsConfigCommand({ IndexId: indexId, ...input }));
    const describeConfig = () => k.send(new DescribeQuerySuggestionsConfigCommand({ IndexId: indexId }));

    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, { env: moto.env, config: { queryLog: { suggestionsRefreshMs: 0 } } });
      k = server.client();
      indexId = await activeIndex(k, 'suggestions');
      await putIndexed(k, indexId, DOCS);
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test("the defaults are Kendra's; nothing is suggested before anything was searched", async () => {
      const c = await describeConfig();
      assert.deepEqual(
        { Mode: c.Mode, Status: c.Status, QueryLogLookBackWindowInDays: c.QueryLogLookBackWindowInDays, IncludeQueriesWithoutUserInformation: c.IncludeQueriesWithoutUserInformation,
          MinimumNumberOfQueryingUsers: c.MinimumNumberOfQueryingUsers, MinimumQueryCount: c.MinimumQueryCount, TotalSuggestionsCount: c.TotalSuggestionsCount,
          AttributeSuggestionsConfig: c.AttributeSuggestionsConfig, LastClearTime: c.LastClearTime },
        { Mode: 'ENABLED', Status: 'ACTIVE', QueryLogLookBackWindowInDays: 180, IncludeQueriesWithoutUserInformation: true, MinimumNumberOfQueryingUsers: 3, MinimumQueryCount: 5,
          TotalSuggestionsCount: 0, AttributeSuggestionsConfig: { AttributeSuggestionsMode: 'ACTIVE', SuggestableConfigList: [{ AttributeName: '_document_title', Suggestable: true }] }, LastClearTime: undefined },
      );
      assert.ok(c.LastSuggestionsBuildTime instanceof Date);
      assert.deepEqual(await suggest('upcoming'), []);
    });

    test("the guide's example: 'upcoming events 2050', searched often, completes 'upcoming events'", async () => {
      await configure({ MinimumQueryCount: 2 });
      await search('upcoming events 2050', 3);
      await search('upcoming elections', 2);
      await search('upcoming holidays', 1); // below MinimumQueryCount
      await search('"upcoming zzzzzz"', 3); // no result (a phrase no document holds)
      await search('what is new', 3); // has results, but no word of more than four characters
      await search('UPCOMING   "Events" 2050', 1); // the same query as the first, written otherwise
      const s = await suggest('Upcoming "E');
      assert.deepEqual(s.map((x) => x.Value!.Text), [
        { Text: 'upcoming events 2050', Highlights: [{ BeginOffset: 0, EndOffset: 10 }] },
        { Text: 'upcoming elections', Highlights: [{ BeginOffset: 0, EndOffset: 10 }] },
      ]);
      assert.equal(new Set(s.map((x) => x.Id)).size, 2);
      assert.deepEqual(await texts('upcoming events'), ['upcoming events 2050']);
      assert.deepEqual(await texts('upcoming', { MaxSuggestionsCount: 1 }), ['upcoming events 2050']);
      assert.deepEqual(await texts('what'), []);
      assert.deepEqual(await texts('u'), [], 'fewer than two characters');
      assert.deepEqual(await texts(`upcoming ${'e'.repeat(60)}`), [], 'more than 60 characters');
      assert.equal((await describeConfig()).TotalSuggestionsCount, 2);
      await rejectsWith(suggest('upcoming', { MaxSuggestionsCount: 0 }), 'ValidationException');
    });

    test('IncludeQueriesWithoutUserInformation false: only searches by known users count, by enough of them', async () => {
      await configure({ IncludeQueriesWithoutUserInformation: false, MinimumNumberOfQueryingUsers: 2, MinimumQueryCount: 3 });
      assert.deepEqual(await texts('upcoming'), [], 'the searches so far named no user');
      await search('quarterly report', 3, 'alice');
      assert.deepEqual(await texts('quarterly'), [], 'one user only');
      await search('quarterly report', 1, 'bob');
      assert.deepEqual(await texts('quarterly'), ['quarterly report']);
      await configure({ IncludeQueriesWithoutUserInformation: true, MinimumQueryCount: 2 });
      assert.deepEqual(await texts('upcoming'), ['upcoming events 2050', 'upcoming elections']);
    });

    test('LEARN_ONLY suggests nothing but keeps learning; ENABLED again serves what was learned', async () => {
      await configure({ Mode: 'LEARN_ONLY' });
      await search('upcoming holidays', 2);
      assert.deepEqual(await texts('upcoming'), []);
      await configure({ Mode: 'ENABLED' });
      assert.deepEqual(await texts('upcoming'), ['upcoming events 2050', 'upcoming holidays', 'upcoming elections']);
    });

    test('block lists from S3: suggestions holding a blocked word or phrase are not shown; update re-reads the file', async () => {
      await bucket.put('block.txt', 'Elections\n\n  holiday season \n');
      const { Id } = await k.send(new CreateQuerySuggestionsBlockListCommand({ IndexId: indexId, Name: 'offensive-words', Description: 'words', SourceS3Path: { Bucket: bucket.name, Key: 'block.txt' }, RoleArn: ROLE }));
      assert.deepEqual(await texts('upcoming'), ['upcoming events 2050', 'upcoming holidays']);
      const d = await k.send(new DescribeQuerySuggestionsBlockListCommand({ IndexId: indexId, Id }));
      assert.deepEqual({ Name: d.Name, Status: d.Status, ItemCount: d.ItemCount, FileSizeBytes: d.FileSizeBytes, SourceS3Path: d.SourceS3Path, RoleArn: d.RoleArn, Description: d.Description, ErrorMessage: d.ErrorMessage },
        { Name: 'offensive-words', Status: 'ACTIVE', ItemCount: 2, FileSizeBytes: 29, SourceS3Path: { Bucket: bucket.name, Key: 'block.txt' }, RoleArn: ROLE, Description: 'words', ErrorMessage: undefined });
      // Only whole words: 'holiday season' is not in 'upcoming holidays'.
      await bucket.put('block.txt', 'holidays\n');
      assert.deepEqual(await texts('upcoming'), ['upcoming events 2050', 'upcoming holidays'], 'the file alone changes nothing');
      await k.send(new UpdateQuerySuggestionsBlockListCommand({ IndexId: indexId, Id }));
      assert.deepEqual(await texts('upcoming'), ['upcoming events 2050', 'upcoming elections']);
      // A file that cannot be read: the update fails, the last good items still apply.
      await k.send(new UpdateQuerySuggestionsBlockListCommand({ IndexId: indexId, Id, SourceS3Path: { Bucket: bucket.name, Key: 'missing.txt' } }));
      const failed = await k.send(new DescribeQuerySuggestionsBlockListCommand({ IndexId: indexId, Id }));
      assert.equal(failed.Status, 'ACTIVE_BUT_UPDATE_FAILED');
      assert.match(failed.ErrorMessage!, /missing\.txt/);
      assert.deepEqual(await texts('upcoming'), ['upcoming events 2050', 'upcoming elections']);
      const { Id: broken } = await k.send(new CreateQuerySuggestionsBlockListCommand({ IndexId: indexId, Name: 'broken', SourceS3Path: { Bucket: bucket.name, Key: 'nothing.txt' }, RoleArn: ROLE }));
      assert.equal((await k.send(new DescribeQuerySuggestionsBlockListCommand({ IndexId: indexId, Id: broken }))).Status, 'FAILED');
      const first = await k.send(new ListQuerySuggestionsBlockListsCommand({ IndexId: indexId, MaxResults: 1 }));
      assert.deepEqual(first.BlockListSummaryItems!.map((b) => [b.Id, b.Name, b.Status, b.ItemCount]), [[Id, 'offensive-words', 'ACTIVE_BUT_UPDATE_FAILED', 1]]);
      const second = await k.send(new ListQuerySuggestionsBlockListsCommand({ IndexId: indexId, MaxResults: 1, NextToken: first.NextToken }));
      assert.deepEqual(second.BlockListSummaryItems!.map((b) => [b.Id, b.Name, b.Status, b.ItemCount]), [[broken, 'broken', 'FAILED', undefined]]);
      assert.equal(second.NextToken, undefined);
      await k.send(new DeleteQuerySuggestionsBlockListCommand({ IndexId: indexId, Id }));
      await k.send(new DeleteQuerySuggestionsBlockListCommand({ IndexId: indexId, Id: broken }));
      await rejectsWith(k.send(new DescribeQuerySuggestionsBlockListCommand({ IndexId: indexId, Id })), 'ResourceNotFoundException');
      assert.deepEqual(await texts('upcoming'), ['upcoming events 2050', 'upcoming holidays', 'upcoming elections']);
    });

    test('document fields: titles (and fields made suggestable) the caller may see, with their source documents', async () => {
      const fields = async (QueryText: string, config: Record<string, unknown> = {}) =>
        (await suggest(QueryText, { SuggestionTypes: ['DOCUMENT_ATTRIBUTES'], AttributeSuggestionsConfig: config })).map((s) => [s.Value!.Text!.Text, s.SourceDocuments]);
      assert.deepEqual(await fields('upcoming'), [
        ['Upcoming events: What\'s happening in 2050', [{ DocumentId: 'events', SuggestionAttributes: ['_document_title'], AdditionalAttributes: [] }]],
        ['Upcoming holidays', [{ DocumentId: 'holidays', SuggestionAttributes: ['_document_title'], AdditionalAttributes: [] }]],
      ]);
      assert.deepEqual((await fields('upcoming l', { UserContext: { Groups: ['managers'] } })).map((f) => f[0]), ['Upcoming layoffs']);
      assert.deepEqual(await fields('upcoming l'), [], 'hidden from a caller outside the group');
      await rejectsWith(suggest('human', { SuggestionTypes: ['DOCUMENT_ATTRIBUTES'], AttributeSuggestionsConfig: { SuggestionAttributes: ['department'] } }), 'ValidationException');
      await configure({ AttributeSuggestionsConfig: { SuggestableConfigList: [{ AttributeName: 'department', Suggestable: true }] } });
      assert.deepEqual((await describeConfig()).AttributeSuggestionsConfig!.SuggestableConfigList, [
        { AttributeName: '_document_title', Suggestable: true }, { AttributeName: 'department', Suggestable: true },
      ]);
      assert.deepEqual(await fields('human', { SuggestionAttributes: ['department'], AdditionalResponseAttributes: ['department'] }), [
        ['Human resources', [{ DocumentId: 'holidays', SuggestionAttributes: ['department'], AdditionalAttributes: [{ Key: 'department', Value: { StringValue: 'Human resources' } }] }]],
      ]);
      assert.deepEqual((await fields('human', { UserContext: { Groups: ['managers'] } })).map((f) => [f[0], (f[1] as { DocumentId: string }[]).map((d) => d.DocumentId)]), [['Human resources', ['holidays', 'secret']]]);
      assert.deepEqual((await fields('upcoming', { AttributeFilter: { EqualsTo: { Key: 'department', Value: { StringValue: 'Events office' } } } })).map((f) => f[0]),
        ['Upcoming events: What\'s happening in 2050']);
      await configure({ AttributeSuggestionsConfig: { AttributeSuggestionsMode: 'INACTIVE' } });
      assert.deepEqual(await fields('upcoming'), []);
      await configure({ AttributeSuggestionsConfig: { AttributeSuggestionsMode: 'ACTIVE' } });
    });

    test('ClearQuerySuggestions forgets what was learned; queries after it count again', async () => {
      await k.send(new ClearQuerySuggestionsCommand({ IndexId: indexId }));
      const c = await describeConfig();
      assert.ok(c.LastClearTime instanceof Date);
      assert.equal(c.TotalSuggestionsCount, 0);
      assert.deepEqual(await texts('upcoming'), []);
      await search('upcoming elections', 2);
      assert.deepEqual(await texts('upcoming'), ['upcoming elections']);
    });

    test('QueryLogLookBackWindowInDays: searches older than the window do not count', async () => {
      const old = Date.now() - 10 * DAY;
      await configure({ QueryLogLookBackWindowInDays: 30 });
      // Seeded history (the API cannot make old searches); after the clear, so the clear does not hide it.
      await server.stop();
      await execSql(store, [
        { sql: `UPDATE query_suggestions_settings SET last_clear_time = ? WHERE index_id = ?`, params: [old - DAY, indexId] },
        ...[0, 1].map(() => ({ sql: `INSERT INTO query_log (index_id, query_id, query_text, normalized_text, filter, result_count, user_id, results, at) VALUES (?, ?, 'upcoming festivals', 'upcoming festivals', NULL, 1, NULL, '[]', ?)`, params: [indexId, randomUUID(), old] })),
      ]);
      server = await TestServer.start(store, { env: moto.env, config: { queryLog: { suggestionsRefreshMs: 0 } } });
      k = server.client();
      assert.deepEqual(await texts('upcoming f'), ['upcoming festivals']);
      await configure({ QueryLogLookBackWindowInDays: 5 });
      assert.deepEqual(await texts('upcoming f'), []);
      await rejectsWith(configure({ QueryLogLookBackWindowInDays: 0 }), 'ValidationException');
      await rejectsWith(configure({ MinimumQueryCount: 0 }), 'ValidationException');
    });
  });
}

test('GetQuerySuggestions output written directly is the JSON the generic serializer makes of it', () => {
  const suggestion = (Text: string, end: number) => ({ Id: randomUUID(), Value: { Text: { Text, Highlights: [{ BeginOffset: 0, EndOffset: end }] } } });
  const outputs = [
    { QuerySuggestionsId: randomUUID(), Suggestions: [] },
    { QuerySuggestionsId: randomUUID(), Suggestions: [suggestion('upcoming events 2050', 4), suggestion('say "hi"\\ \u2028 naïve 😀 \ud800 \x01', 3)] },
    {
      QuerySuggestionsId: randomUUID(),
      Suggestions: [
        suggestion('upcoming events', 2),
        {
          ...suggestion('Upcoming holidays', 2),
          SourceDocuments: [{ DocumentId: 'holidays', SuggestionAttributes: ['_document_title'], AdditionalAttributes: [{ Key: 'day', Value: { DateValue: new Date(1_700_000_000_123) } }] }],
        },
      ],
    },
  ];
  for (const output of outputs) assert.equal(suggestionsJson(output), serializeOutput(output));
  // The date is written as serializeOutput writes every date (epoch seconds), not as JSON.stringify would.
  assert.match(suggestionsJson(outputs[2]!), /"DateValue":1700000000\.123/);
});
