/**
 * GetQuerySuggestions answered at once (src/domain/querySuggestions.ts get): the usual request — from
 * the log only, its index's row held from a recent read, the structure fresh — is answered without a
 * promise (the request takes no turn of the event loop); any other goes the way that reads or builds
 * first. Both give the same answers and the same errors, in the domain and over HTTP (where the first
 * is thrown, not rejected: http/server.ts answers it alike, logged as every request is).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GetQuerySuggestionsCommand, type GetQuerySuggestionsCommandInput } from '@aws-sdk/client-kendra';
import { Indices } from '../src/domain/indices.js';
import { Lifecycle } from '../src/domain/lifecycle.js';
import type { PageTokens } from '../src/domain/pageToken.js';
import { QueryLog } from '../src/domain/queryLog.js';
import { QuerySuggestions, type GetSuggestionsInput } from '../src/domain/querySuggestions.js';
import type { UserContexts } from '../src/domain/userContext.js';
import type { SearchEngine } from '../src/search/engine.js';
import { activeIndex } from './support/kendra.js';
import { openedStore } from './support/openedStore.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';
import { execSql } from './support/sql.js';

const SCOPE = { accountId: '000000000000', region: 'us-east-1' };
const OTHER_ACCOUNT = { accountId: '111111111111', region: 'us-east-1' };
const NOW = 1_000_000_000;
/** Searched so often: more than MinimumQueryCount (5), each with a result. */
const LOGGED: [string, number][] = [['upcoming events 2050', 8], ['upcoming elections', 7], ['upcoming holidays', 6], ['quarterly report', 6]];

/** What every request below asks, the errors among them: the same on either path. */
const asked = (IndexId: string): GetSuggestionsInput[] => [
  { IndexId, QueryText: 'Upcoming "E' },
  { IndexId, QueryText: 'upcoming', MaxSuggestionsCount: 2 },
  { IndexId, QueryText: 'UPCOMING   holi', SuggestionTypes: ['QUERY'] },
  { IndexId, QueryText: 'u' },
  { IndexId, QueryText: `upcoming ${'e'.repeat(60)}` },
  { IndexId, QueryText: 'nothing like it' },
  { IndexId, QueryText: 'upcoming', MaxSuggestionsCount: 0 },
  { IndexId, QueryText: 'upcoming', MaxSuggestionsCount: 101 },
  { IndexId, QueryText: 'u', AttributeSuggestionsConfig: { AttributeFilter: {} } },
  { IndexId, QueryText: 'upcoming', AttributeSuggestionsConfig: { AttributeFilter: { EqualsTo: { Key: 'department', Value: { StringValue: 'x' } } } } },
];

type Outcome = { atOnce: boolean; answer?: unknown; error?: [string, string, string] };

/** How `get` answered: at once (a value, or thrown) or by a promise, and with what. */
async function outcome(qs: QuerySuggestions, scope: typeof SCOPE, input: GetSuggestionsInput): Promise<Outcome> {
  const failed = (e: unknown): [string, string, string] => [(e as Error).constructor.name, (e as { kind: string }).kind, (e as Error).message];
  let r: ReturnType<QuerySuggestions['get']>;
  try {
    r = qs.get(scope, input);
  } catch (e) {
    return { atOnce: true, error: failed(e) };
  }
  if (!(r instanceof Promise)) return { atOnce: true, answer: r };
  try {
    return { atOnce: false, answer: await r };
  } catch (e) {
    return { atOnce: false, error: failed(e) };
  }
}

for (const backend of backends()) {
  describeOrSkip(`GetQuerySuggestions answered at once, or after a read: the same answers and errors [${backend.name}]`, { skip: backend.skip }, () => {
    const store = openedStore(backend.name);
    const logs: QueryLog[] = [];
    after(async () => {
      for (const l of logs) await l.close();
    });

    /** QuerySuggestions over the store; a structure younger than `refreshMs` is served as built (0: never, every request reads first). */
    const suggestions = (refreshMs: number) => {
      const s = store();
      const log = new QueryLog(s.queryLog, Date.now, { flushMs: 60_000, retentionDays: 365 });
      logs.push(log);
      // Rows held for a minute: a loaded machine's pauses do not change which way a request goes.
      const indices = new Indices(s, Date.now, new Lifecycle(0), {} as PageTokens, 60_000);
      return new QuerySuggestions(s, Date.now, indices, {} as SearchEngine, {} as UserContexts, log, refreshMs);
    };

    before(async () => {
      const s = store();
      await s.db.insertInto('indices').values({
        id: 'ix-once', account_id: SCOPE.accountId, region: SCOPE.region, name: 'ix-once', edition: 'DEVELOPER_EDITION', role_arn: 'arn', status: 'ACTIVE',
        settings: '{}', created_at: NOW, updated_at: NOW, transition_at: null, suggestions_version: 1,
      }).execute();
      let n = 0;
      await s.queryLog.insert(LOGGED.flatMap(([text, times]) => Array.from({ length: times }, () => ({
        index_id: 'ix-once', query_id: `q-${n++}`, query_text: text, normalized_text: text, filter: null, result_count: 1, user_id: null, results: '[]', at: Date.now(),
      }))));
    });

    test('the usual request is answered without a promise; its answers and errors are the read-first path\'s', async () => {
      const atOnce = suggestions(60_000);
      const readFirst = suggestions(0);
      const first = await outcome(atOnce, SCOPE, { IndexId: 'ix-once', QueryText: 'upcoming' });
      assert.deepEqual(first, { atOnce: false, answer: { queryTexts: ['upcoming events 2050', 'upcoming elections', 'upcoming holidays'], prefixLength: 8, fields: [] } }, 'the first request reads the row and builds');
      const fast: Outcome[] = [];
      const slow: Outcome[] = [];
      for (const input of asked('ix-once')) {
        fast.push(await outcome(atOnce, SCOPE, input));
        slow.push(await outcome(readFirst, SCOPE, input));
      }
      assert.deepEqual(fast.map((o) => o.atOnce), asked('ix-once').map(() => true));
      assert.deepEqual(slow.map((o) => o.atOnce), asked('ix-once').map(() => false));
      const strip = (os: Outcome[]) => os.map(({ answer, error }) => ({ answer, error }));
      assert.deepEqual(strip(fast), strip(slow));
      // What they are, so that "the same" is not two of the same mistake.
      assert.deepEqual(strip(fast), [
        { answer: { queryTexts: ['upcoming events 2050', 'upcoming elections'], prefixLength: 10, fields: [] }, error: undefined },
        { answer: { queryTexts: ['upcoming events 2050', 'upcoming elections'], prefixLength: 8, fields: [] }, error: undefined },
        { answer: { queryTexts: ['upcoming holidays'], prefixLength: 13, fields: [] }, error: undefined },
        { answer: { queryTexts: [], prefixLength: 1, fields: [] }, error: undefined },
        { answer: { queryTexts: [], prefixLength: 69, fields: [] }, error: undefined },
        { answer: { queryTexts: [], prefixLength: 15, fields: [] }, error: undefined },
        { answer: undefined, error: ['DomainError', 'Invalid', 'MaxSuggestionsCount must be 1-100; got 0.'] },
        { answer: undefined, error: ['DomainError', 'Invalid', 'MaxSuggestionsCount must be 1-100; got 101.'] },
        { answer: undefined, error: ['DomainError', 'Invalid', 'AttributeFilter has 0 operators; each filter takes exactly one.'] },
        { answer: { queryTexts: ['upcoming events 2050', 'upcoming elections', 'upcoming holidays'], prefixLength: 8, fields: [] }, error: undefined },
      ]);
    });

    test('not at once: another account, an unknown index, suggestions from document fields, a change of settings', async () => {
      const atOnce = suggestions(60_000);
      await atOnce.get(SCOPE, { IndexId: 'ix-once', QueryText: 'upcoming' });
      assert.equal((await outcome(atOnce, SCOPE, { IndexId: 'ix-once', QueryText: 'quarterly' })).atOnce, true);
      // The row held is the owner's: another account is told the index does not exist, as by a read.
      assert.deepEqual(await outcome(atOnce, OTHER_ACCOUNT, { IndexId: 'ix-once', QueryText: 'quarterly' }),
        { atOnce: false, error: ['DomainError', 'NotFound', 'Index ix-once does not exist.'] });
      assert.deepEqual(await outcome(atOnce, SCOPE, { IndexId: 'ix-none', QueryText: 'quarterly' }),
        { atOnce: false, error: ['DomainError', 'NotFound', 'Index ix-none does not exist.'] });
      // Field suggestions read the index's access settings as they are now (and what the caller may see): never at once.
      await atOnce.updateConfig(SCOPE, { IndexId: 'ix-once', AttributeSuggestionsConfig: { AttributeSuggestionsMode: 'INACTIVE' } });
      assert.deepEqual(await outcome(atOnce, SCOPE, { IndexId: 'ix-once', QueryText: 'quarterly', SuggestionTypes: ['QUERY', 'DOCUMENT_ATTRIBUTES'] }),
        { atOnce: false, answer: { queryTexts: ['quarterly report'], prefixLength: 9, fields: [] } });
      // A change of settings is served from the next request on: it rebuilds (not at once), then at once again.
      await atOnce.updateConfig(SCOPE, { IndexId: 'ix-once', Mode: 'LEARN_ONLY' });
      assert.deepEqual(await outcome(atOnce, SCOPE, { IndexId: 'ix-once', QueryText: 'quarterly' }), { atOnce: false, answer: { queryTexts: [], prefixLength: 9, fields: [] } });
      assert.deepEqual(await outcome(atOnce, SCOPE, { IndexId: 'ix-once', QueryText: 'quarterly' }), { atOnce: true, answer: { queryTexts: [], prefixLength: 9, fields: [] } });
      await atOnce.updateConfig(SCOPE, { IndexId: 'ix-once', Mode: 'ENABLED' });
      assert.deepEqual(await outcome(atOnce, SCOPE, { IndexId: 'ix-once', QueryText: 'quarterly' }), { atOnce: false, answer: { queryTexts: ['quarterly report'], prefixLength: 9, fields: [] } });
      assert.deepEqual(await outcome(atOnce, SCOPE, { IndexId: 'ix-once', QueryText: 'quarterly' }), { atOnce: true, answer: { queryTexts: ['quarterly report'], prefixLength: 9, fields: [] } });
    });
  });

  describeOrSkip(`GetQuerySuggestions over HTTP: an answer or error given at once is the one given after a read, and logged alike [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    before(async () => {
      store = await TestStore.create(backend.name);
    });
    after(async () => {
      await store?.destroy();
    });

    test('the same bodies and errors from a server that answers at once and from one that reads first', async () => {
      let server = await TestServer.start(store, { config: { queryLog: { suggestionsRefreshMs: 0 } } });
      const indexId = await activeIndex(server.client(), 'at-once');
      await server.stop();
      let n = 0;
      await execSql(store, LOGGED.flatMap(([text, times]) => Array.from({ length: times }, () => ({
        sql: `INSERT INTO query_log (index_id, query_id, query_text, normalized_text, filter, result_count, user_id, results, at) VALUES (?, ?, ?, ?, NULL, 1, NULL, '[]', ?)`,
        params: [indexId, `q-${n++}`, text, text, Date.now()],
      }))));
      const requests: GetQuerySuggestionsCommandInput[] = asked(indexId).map((input) => input as GetQuerySuggestionsCommandInput);
      /** Each request's HTTP status, and its answer's texts and highlights (ids are random) or its error's code and message. */
      const answers = async (refreshMs: number) => {
        server = await TestServer.start(store, { config: { queryLog: { suggestionsRefreshMs: refreshMs } } });
        try {
          const k = server.client();
          // The first request builds (after a read); the rest are answered at once where the server can.
          await k.send(new GetQuerySuggestionsCommand({ IndexId: indexId, QueryText: 'upcoming' }));
          const out: unknown[] = [];
          for (const input of requests) {
            try {
              const r = await k.send(new GetQuerySuggestionsCommand(input));
              out.push([r.$metadata.httpStatusCode, r.Suggestions!.map((s) => [s.Value!.Text!.Text, s.Value!.Text!.Highlights, typeof s.Id])]);
            } catch (e) {
              const err = e as Error & { $metadata: { httpStatusCode?: number } };
              out.push([err.$metadata.httpStatusCode, err.name, err.message]);
            }
          }
          await server.stop();
          // Every request has its line (the error's type on those refused), at once or not.
          const lines = server.logs.join('').split('\n').filter((l) => l.includes('"msg":"request"') && l.includes('"operation":"GetQuerySuggestions"'));
          return { out, lines: lines.map((l) => { const j = JSON.parse(l) as { status: number; errorType?: string; account?: string }; return [j.status, j.errorType, j.account]; }) };
        } finally {
          await server.stop();
        }
      };
      const atOnce = await answers(60_000);
      const readFirst = await answers(0);
      assert.deepEqual(atOnce, readFirst);
      const refused = (message: string) => [400, 'ValidationException', message];
      const texts = (highlight: number, ...t: string[]) => [200, t.map((x) => [x, [{ BeginOffset: 0, EndOffset: highlight }], 'string'])];
      assert.deepEqual(atOnce.out, [
        texts(10, 'upcoming events 2050', 'upcoming elections'),
        texts(8, 'upcoming events 2050', 'upcoming elections'),
        texts(13, 'upcoming holidays'),
        texts(1), texts(69), texts(15),
        refused('MaxSuggestionsCount must be 1-100; got 0.'),
        refused('MaxSuggestionsCount must be 1-100; got 101.'),
        refused('AttributeFilter has 0 operators; each filter takes exactly one.'),
        texts(8, 'upcoming events 2050', 'upcoming elections', 'upcoming holidays'),
      ]);
      assert.deepEqual(atOnce.lines, [
        [200, undefined, SCOPE.accountId], ...atOnce.out.map((o) => [(o as [number])[0], (o as [number, string])[0] === 400 ? 'ValidationException' : undefined, SCOPE.accountId]),
      ]);
    });
  });
}
