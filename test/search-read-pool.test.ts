// search.readThreads: on SQLite, searches run on worker threads with read-only connections of
// their own (src/search/readPool.ts). They answer exactly as the main thread does; a thread that
// dies fails only the search it was running; a search is answered while a sync writes. PostgreSQL
// runs its searches in its own server: the setting is accepted there and changes nothing.
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { after, before, describe, test } from 'node:test';
import {
  BatchGetDocumentStatusCommand,
  BatchPutDocumentCommand,
  ListDataSourceSyncJobsCommand,
  QueryCommand,
  RetrieveCommand,
  StartDataSourceSyncJobCommand,
  StopDataSourceSyncJobCommand,
  type KendraClient,
  type QueryCommandInput,
  type RetrieveCommandInput,
} from '@aws-sdk/client-kendra';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { analyzerFor } from '../src/search/analysis.js';
import type { DocumentSearch } from '../src/search/engine.js';
import { SearchCancelled } from '../src/search/errors.js';
import { fts5Engine } from '../src/search/fts5.js';
import { parseQueryText } from '../src/search/queryText.js';
import { ReadPool } from '../src/search/readPool.js';
import { activeCustomDataSource, activeIndex, jobReaching } from './support/kendra.js';
import { CORPUS, ingestCorpus, storeQuery } from './support/searchCorpus.js';
import { backends, describeOrSkip, REPO_ROOT, TestServer, TestStore, waitFor } from './support/server.js';

describe('search.readThreads and KENDRITE_SEARCH_READ_THREADS', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kendrite-read-threads-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const fromFile = (search: unknown) => {
    const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ search }));
    return loadConfig({ file, env: {} });
  };

  test('defaults to one thread per core; 0 and a count are taken, from the file or the environment', () => {
    assert.equal(loadConfig({ env: {} }).search.readThreads, availableParallelism());
    assert.equal(loadConfig({ env: { KENDRITE_SEARCH_READ_THREADS: '0' } }).search.readThreads, 0);
    assert.equal(loadConfig({ env: { KENDRITE_SEARCH_READ_THREADS: '3' } }).search.readThreads, 3);
    assert.equal(fromFile({ readThreads: 64 }).search.readThreads, 64);
    // The environment's variable sets the threads without undoing the file's time-out.
    const file = path.join(dir, 'both.json');
    writeFileSync(file, JSON.stringify({ search: { statementTimeoutMs: 1234 } }));
    assert.deepEqual(loadConfig({ file, env: { KENDRITE_SEARCH_READ_THREADS: '2' } }).search, { statementTimeoutMs: 1234, readThreads: 2, connections: Math.max(2, 2 * availableParallelism()) });
  });

  test('anything but an integer from 0 to 64 is refused, naming the setting', () => {
    assert.throws(() => loadConfig({ env: { KENDRITE_SEARCH_READ_THREADS: '-1' } }), new ConfigError("KENDRITE_SEARCH_READ_THREADS must be a non-negative integer, got '-1'"));
    assert.throws(() => loadConfig({ env: { KENDRITE_SEARCH_READ_THREADS: 'many' } }), new ConfigError("KENDRITE_SEARCH_READ_THREADS must be a non-negative integer, got 'many'"));
    for (const [bad, shown] of [[65, '65'], [1.5, '1.5'], ['2', '"2"'], [-1, '-1'], [null, 'null']] as const)
      assert.throws(() => fromFile({ readThreads: bad }), new ConfigError(`search.readThreads must be an integer from 0 to 64 (0: searches on the main thread), got ${shown}`));
  });
});

describe('search.connections and KENDRITE_SEARCH_CONNECTIONS', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kendrite-search-connections-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const fromFile = (search: unknown) => {
    const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ search }));
    return loadConfig({ file, env: {} });
  };

  test('defaults to two per core (at least 2); a count is taken from the file or the environment', () => {
    assert.equal(loadConfig({ env: {} }).search.connections, Math.max(2, 2 * availableParallelism()));
    assert.equal(loadConfig({ env: { KENDRITE_SEARCH_CONNECTIONS: '3' } }).search.connections, 3);
    assert.equal(fromFile({ connections: 100 }).search.connections, 100);
    assert.equal(fromFile({ connections: 1 }).search.connections, 1);
  });

  test('anything but an integer from 1 to 100 is refused, naming the setting', () => {
    assert.throws(() => loadConfig({ env: { KENDRITE_SEARCH_CONNECTIONS: '0' } }), new ConfigError('search.connections must be an integer from 1 to 100, got 0'));
    assert.throws(() => loadConfig({ env: { KENDRITE_SEARCH_CONNECTIONS: 'many' } }), new ConfigError("KENDRITE_SEARCH_CONNECTIONS must be a non-negative integer, got 'many'"));
    for (const [bad, shown] of [[101, '101'], [1.5, '1.5'], ['2', '"2"'], [0, '0'], [null, 'null']] as const)
      assert.throws(() => fromFile({ connections: bad }), new ConfigError(`search.connections must be an integer from 1 to 100, got ${shown}`));
  });
});

type Input = Omit<QueryCommandInput, 'IndexId'>;

/** Queries of every shape the engine serves: text, phrase, boolean, wildcard, filters, facets, sorting, paging, a user. */
const QUERIES: Input[] = [
  {},
  { QueryText: 'kubernetes' },
  { QueryText: 'cluster upgrade', PageSize: 3, PageNumber: 2 },
  { QueryText: '"engineer on call"' },
  { QueryText: 'kafka OR zookeeper NOT retired' },
  { QueryText: 'deploy*' },
  { QueryText: 'the' },
  { QueryText: 'team', AttributeFilter: { EqualsTo: { Key: 'department', Value: { StringValue: 'Platform' } } } },
  { QueryText: 'team', Facets: [{ DocumentAttributeKey: 'department', Facets: [{ DocumentAttributeKey: '_category' }] }, { DocumentAttributeKey: 'priority' }] },
  { SortingConfiguration: { DocumentAttributeKey: 'priority', SortOrder: 'DESC' }, PageSize: 20 },
  { QueryText: 'kubernetes', UserContext: { UserId: 'ana', Groups: ['platform'] } },
  { QueryText: 'kubernetes', PageSize: 10, PageNumber: 11 },
];
const RETRIEVES: Omit<RetrieveCommandInput, 'IndexId'>[] = [{ QueryText: 'kubernetes' }, { QueryText: 'dashboards latency', PageSize: 2 }];

/** An answer without what is new every time (query and result ids, feedback tokens). */
function comparable(r: object): unknown {
  return JSON.parse(JSON.stringify(r, (k, v) => (k === '$metadata' || k === 'QueryId' || k === 'Id' || k === 'FeedbackToken' ? undefined : v)));
}

async function answers(k: KendraClient, IndexId: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const q of QUERIES) out.push(comparable(await k.send(new QueryCommand({ IndexId, ...q }))));
  for (const q of RETRIEVES) out.push(comparable(await k.send(new RetrieveCommand({ IndexId, ...q }))));
  return out;
}

for (const backend of backends()) {
  describeOrSkip(`searches on read threads [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    const threads = (n: number) => ({ env: { KENDRITE_SEARCH_READ_THREADS: String(n) } });
    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, threads(2));
      k = server.client();
      indexId = await activeIndex(k);
      await ingestCorpus(k, indexId);
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('Query and Retrieve answer the same on read threads as on the main thread', async () => {
      const browse = await k.send(new QueryCommand({ IndexId: indexId }));
      assert.equal(browse.TotalNumberOfResults, CORPUS.length);
      const onThreads = await answers(k, indexId);
      await server.stop();
      server = await TestServer.start(store, threads(0));
      k = server.client();
      const onMain = await answers(k, indexId);
      assert.equal(onMain.length, QUERIES.length + RETRIEVES.length);
      for (const [i, a] of onThreads.entries()) assert.deepEqual(a, onMain[i], `answer ${i}: ${JSON.stringify(QUERIES[i] ?? RETRIEVES[i - QUERIES.length])}`);
      await server.stop();
      server = await TestServer.start(store, threads(2));
      k = server.client();
    });

    test('a query is answered while a sync job indexes documents, as it is before', async () => {
      const idle = comparable(await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'kubernetes' })));
      const ds = await activeCustomDataSource(k, indexId, 'during');
      const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const Attributes = [
        { Key: '_data_source_id', Value: { StringValue: ds } },
        { Key: '_data_source_sync_job_execution_id', Value: { StringValue: ExecutionId! } },
      ];
      const batch = (b: number) =>
        Array.from({ length: 10 }, (_, i) => ({ Id: `during-${b}-${i}`, Title: `Sync batch ${b}`, Blob: Buffer.from(`walrus ${'plankton '.repeat(200)}${b} ${i}`), ContentType: 'PLAIN_TEXT' as const, Attributes }));
      for (let b = 0; b < 5; b++) {
        const put = await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: batch(b) }));
        assert.deepEqual(put.FailedDocuments, []);
        // The documents just put are being indexed; the search answers meanwhile, unchanged.
        assert.deepEqual(comparable(await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'kubernetes' }))), idle);
      }
      const jobs = await k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds }));
      assert.deepEqual(jobs.History!.map((j) => [j.ExecutionId, j.Status]), [[ExecutionId, 'SYNCING']]);
      await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      await jobReaching(k, indexId, ds, ExecutionId!, ['SUCCEEDED']);
      assert.equal((await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'walrus' }))).TotalNumberOfResults, 50);
    });
  });
}

describe('the read thread pool over a SQLite store', () => {
  let store: TestStore;
  let indexId: string;
  let file: string;
  let pool: ReadPool;
  let main: ReturnType<typeof fts5Engine>;
  before(async () => {
    store = await TestStore.create('sqlite');
    const server = await TestServer.start(store, { env: { KENDRITE_SEARCH_READ_THREADS: '0' } });
    try {
      const k = server.client();
      indexId = await activeIndex(k);
      await ingestCorpus(k, indexId);
      // Two documents whose bodies, read whole, need more heap than a small thread has (8 MB each as
      // JavaScript strings: a character outside Latin-1 makes V8 keep two bytes per character).
      const big = (n: number) => `${n} ${'ballast€ '.repeat(440_000)}`;
      const put = await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: [0, 1].map((n) => ({ Id: `big-${n}`, Title: `Ballast ${n}`, Blob: Buffer.from(big(n)), ContentType: 'PLAIN_TEXT' as const })) }));
      assert.deepEqual(put.FailedDocuments, []);
      // Indexing 10 MB of text takes seconds, many on a busy machine.
      await waitFor('the big documents indexed', async () => {
        const r = await k.send(new BatchGetDocumentStatusCommand({ IndexId: indexId, DocumentInfoList: [{ DocumentId: 'big-0' }, { DocumentId: 'big-1' }] }));
        return r.DocumentStatusList!.every((x) => x.DocumentStatus === 'INDEXED') ? true : undefined;
      }, 180_000);
    } finally {
      await server.stop();
    }
    file = path.join(store.dataDir, 'kendrite.db');
    main = fts5Engine(file);
  });
  after(async () => {
    await pool?.close();
    await main?.close();
    await store?.destroy();
  });

  const search = (text: string): DocumentSearch => ({ indexId, language: 'en', query: parseQueryText(text, analyzerFor('en')) });

  test('every engine call answers as on the main thread', async () => {
    pool = new ReadPool({ databaseFile: file, threads: 2, statementTimeoutMs: 10_000 });
    assert.equal(pool.size, 0, 'no thread before the first search');
    const req = { ...search('team OR kubernetes'), filter: { EqualsTo: { Key: 'department', Value: { StringValue: 'Platform' } } } };
    const ranked = await main.rankDocuments(req, [], 0, 100);
    assert.ok(ranked.total > 1 && ranked.total === ranked.items.length, `the query finds several documents: ${ranked.total}`);
    assert.deepEqual(await pool.rankDocuments(req, [], 0, 100), ranked);
    assert.deepEqual(await pool.rankDocuments(req, [{ key: 'priority', order: 'ASC', type: 'LONG' }], 1, 3), await main.rankDocuments(req, [{ key: 'priority', order: 'ASC', type: 'LONG' }], 1, 3));
    assert.equal(await pool.countDocuments(req), ranked.total);
    const keys = ranked.items.map((r) => r.docKey);
    assert.deepEqual(await pool.documents(keys, 40), await main.documents(keys, 40));
    // The first result's page, with the last result read too (as Query reads featured documents).
    const page = await pool.rankPage(req, [], 0, 1, 40, [keys.at(-1)!]);
    assert.deepEqual(page, await main.rankPage(req, [], 0, 1, 40, [keys.at(-1)!]));
    const byKey = (a: number, b: number) => a - b;
    assert.deepEqual(page.documents.map((d) => d.docKey).sort(byKey), [keys.at(-1)!, keys[0]!].sort(byKey));
    const facet = { key: 'department', maxResults: 5, nested: { key: '_category', maxResults: 5 } };
    assert.deepEqual(await pool.facet(search('team'), facet), await main.facet(search('team'), facet));
    assert.deepEqual(await pool.valueTypes(indexId, 'priority'), ['LONG']);
    assert.deepEqual(await pool.rankPassages(search('cluster'), 0, 5), await main.rankPassages(search('cluster'), 0, 5));
    assert.equal(pool.size, 1, 'one caller at a time needs one thread');
  });

  test('searches at once on the main thread engine (readThreads 0) each report their own total', async () => {
    const searches: DocumentSearch[] = [search('zookeeper'), search('ballast'), search('kubernetes OR team OR cluster OR deploy'), { indexId, language: 'en' }];
    const alone = [];
    for (const q of searches) alone.push(await main.rankDocuments(q, [], 0, 2));
    assert.deepEqual(alone.map((r) => r.total), [1, 2, alone[2]!.total, CORPUS.length + 2]);
    assert.ok(alone[2]!.total > 2 && alone[2]!.total < CORPUS.length, `kubernetes OR team OR cluster OR deploy: ${alone[2]!.total}`);
    assert.deepEqual(await Promise.all(searches.map((q) => main.rankDocuments(q, [], 0, 2))), alone);
  });

  test('a thread that dies fails only its own call; the pool starts another', async () => {
    await pool.close();
    pool = new ReadPool({ databaseFile: file, threads: 2, statementTimeoutMs: 10_000, heapMb: 16 });
    const [big] = await storeQuery<{ doc_key: number }>(store, "SELECT doc_key FROM documents WHERE document_id = 'big-0'");
    const [other] = await storeQuery<{ doc_key: number }>(store, "SELECT doc_key FROM documents WHERE document_id = 'big-1'");
    const expected = await main.rankDocuments(search('kubernetes'), [], 0, 10);
    // Both bodies whole (16 MB) in a thread of a 16 MB heap, while another thread ranks.
    const [dying, alongside] = await Promise.allSettled([pool.documents([big!.doc_key, other!.doc_key], 10_000_000), pool.rankDocuments(search('kubernetes'), [], 0, 10)]);
    assert.equal(dying.status, 'rejected');
    assert.match((dying as PromiseRejectedResult).reason.message, /^the search thread failed: .*memory/i);
    assert.deepEqual(alongside, { status: 'fulfilled', value: expected });
    assert.equal(pool.size, 1, 'the dead thread is gone');
    // The next calls are served, by the thread left and one started in the dead one's place.
    const again = await Promise.all([pool.rankDocuments(search('kubernetes'), [], 0, 10), pool.rankDocuments(search('kubernetes'), [], 0, 10)]);
    assert.deepEqual(again, [expected, expected]);
    assert.equal(pool.size, 2);
  });

  test('a busy thread is handed a call ahead of time: one behind a dying call goes to another thread, one whose client leaves is answered at once', async () => {
    const one = new ReadPool({ databaseFile: file, threads: 1, statementTimeoutMs: 10_000, heapMb: 16 });
    try {
      const [big] = await storeQuery<{ doc_key: number }>(store, "SELECT doc_key FROM documents WHERE document_id = 'big-0'");
      const [other] = await storeQuery<{ doc_key: number }>(store, "SELECT doc_key FROM documents WHERE document_id = 'big-1'");
      const expected = await main.rankDocuments(search('kubernetes'), [], 0, 10);
      // The second call is sent to the one thread behind the first, which dies; the third waits in the pool.
      const calls = [one.documents([big!.doc_key, other!.doc_key], 10_000_000), one.rankDocuments(search('kubernetes'), [], 0, 10), one.rankDocuments(search('kubernetes'), [], 0, 10)];
      const [dying, behind, waiting] = await Promise.allSettled(calls);
      assert.equal(dying.status, 'rejected');
      assert.match((dying as PromiseRejectedResult).reason.message, /^the search thread failed: .*memory/i);
      assert.deepEqual([behind, waiting], [{ status: 'fulfilled', value: expected }, { status: 'fulfilled', value: expected }]);
      assert.equal(one.size, 1, 'the dead thread replaced');
      // The second call's client leaves while it is queued in the thread: answered at once, the others as alone.
      const gone = new AbortController();
      const [first, left, last] = [one.rankDocuments(search('kubernetes'), [], 0, 10), one.rankDocuments({ ...search('kubernetes'), signal: gone.signal }, [], 0, 10), one.rankDocuments(search('kubernetes'), [], 0, 10)];
      gone.abort();
      await assert.rejects(left, (e) => e instanceof SearchCancelled && e.message === 'the client went away');
      assert.deepEqual(await Promise.all([first, last]), [expected, expected]);
      assert.equal(one.size, 1, 'a call left while queued does not end its thread');
    } finally {
      await one.close();
    }
  });

  // A thread loads its code (and opens its connection) when it starts, long after the server did: a
  // dist/ rebuilt or upgraded in place under a running server failed the first Query after it with
  // InternalServerException (the scale bench's first query, "keve", once). A start that fails here
  // stands for it: the database is not there at the first start, and is there at the next.
  test('a thread that cannot start runs no call, so fails none: the calls wait for one started after a pause', async () => {
    const later = path.join(store.dataDir, 'later.db');
    const snapshot = new BetterSqlite3(file, { readonly: true });
    const image = snapshot.serialize();
    snapshot.close();
    const told: string[] = [];
    const log = {
      warn: (o: object, msg: string) => {
        told.push(`${msg}: ${JSON.stringify(o)}`);
        if (told.length === 1) writeFileSync(later, image); // before the next start, whenever that is
      },
      error: (o: object, msg: string) => void told.push(`${msg}: ${JSON.stringify(o)}`),
    } as unknown as ConstructorParameters<typeof ReadPool>[0]['log'];
    const retried = new ReadPool({ databaseFile: later, threads: 1, statementTimeoutMs: 10_000, log });
    try {
      const expected = await main.rankDocuments(search('kubernetes'), [], 0, 10);
      assert.deepEqual(await Promise.all([retried.rankDocuments(search('kubernetes'), [], 0, 10), retried.rankDocuments(search('kubernetes'), [], 0, 10)]), [expected, expected]);
      assert.equal(told.length, 1, told.join('\n'));
      assert.match(told[0]!, /^a search thread could not start; another is started after a pause: \{"error":"the search thread failed: SQLITE_CANTOPEN","attempt":1,"retryInMs":100\}$/);
    } finally {
      await retried.close();
    }
  });

  test('threads that cannot start at all: after 6 attempts in a row the calls waiting fail, saying why', async () => {
    const told: string[] = [];
    const log = {
      warn: (_: object, msg: string) => void told.push(msg),
      error: (_: object, msg: string) => void told.push(msg),
    } as unknown as ConstructorParameters<typeof ReadPool>[0]['log'];
    const never = new ReadPool({ databaseFile: path.join(store.dataDir, 'never.db'), threads: 1, statementTimeoutMs: 10_000, log });
    try {
      await assert.rejects(never.rankDocuments(search('kubernetes'), [], 0, 10), { message: 'the search threads could not start: the search thread failed: SQLITE_CANTOPEN' });
      assert.deepEqual(told, [...Array(5).fill('a search thread could not start; another is started after a pause'), 'search threads could not start; the searches waiting for one fail']);
      assert.equal(never.size, 0);
    } finally {
      await never.close();
    }
  });

  test('a call whose client has gone away is not run, and a closed pool refuses calls', async () => {
    const gone = new AbortController();
    gone.abort();
    await assert.rejects(pool.rankDocuments({ ...search('kubernetes'), signal: gone.signal }, [], 0, 10), (e) => e instanceof SearchCancelled && e.message === 'the client went away');
    await pool.close();
    assert.equal(pool.size, 0);
    await assert.rejects(pool.valueTypes(indexId, 'priority'), { message: 'the search engine is closed' });
  });
});

describe('a server whose dist/ changes under it', () => {
  // The read threads load their code when they start, at the first search: a module of theirs missing
  // for a moment (a rebuild or an upgrade in place under the running server) failed that search with
  // InternalServerException. The server runs from a copy of dist/src here, so that one can go.
  test('the first Query while a module the read threads load is missing for a moment is answered, not InternalServerException', async () => {
    const copy = mkdtempSync(path.join(REPO_ROOT, 'dist', '.copy-'));
    const store = await TestStore.create('sqlite');
    let server: TestServer | undefined;
    try {
      cpSync(path.join(REPO_ROOT, 'dist/src'), path.join(copy, 'dist/src'), { recursive: true });
      copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(copy, 'package.json'));
      server = await TestServer.start(store, { cli: path.join(copy, 'dist/src/cli/main.js') });
      const k = server.client();
      const indexId = await activeIndex(k);
      await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: [{ Id: 'd1', Title: 'keve', Blob: Buffer.from('keve text'), ContentType: 'PLAIN_TEXT' }] }));
      await waitFor('d1 indexed', async () => {
        const r = await k.send(new BatchGetDocumentStatusCommand({ IndexId: indexId, DocumentInfoList: [{ DocumentId: 'd1' }] }));
        return r.DocumentStatusList![0]!.DocumentStatus === 'INDEXED' ? true : undefined;
      });
      // Loaded by the server's main thread at its start; a read thread loads it when it starts.
      const module = path.join(copy, 'dist/src/search/matchSyntax.js');
      renameSync(module, `${module}.away`);
      const outcome = k.send(new QueryCommand({ IndexId: indexId, QueryText: 'keve' })).then((r) => r, (e: Error) => e);
      let settled = false;
      void outcome.then(() => (settled = true));
      try {
        await waitFor('a read thread failing to start, or the answer', async () => (settled || server!.logs.join('').includes('a search thread could not start') ? true : undefined));
      } finally {
        renameSync(`${module}.away`, module);
      }
      const r = await outcome;
      if (r instanceof Error) assert.fail(`the Query failed: ${r.name}: ${r.message}`);
      assert.deepEqual(r.ResultItems!.map((i) => i.DocumentId), ['d1']);
    } finally {
      await server?.stop();
      await store.destroy();
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
