// PostgreSQL: every search statement has a time-out (search.statementTimeoutMs), and a search whose
// client goes away is cancelled in the server, not left running. (SQLite has neither: better-sqlite3
// runs a statement to its end; there the bounds on filters and query text keep every search cheap,
// see input-bounds.test.ts.) A table lock held by the test makes a search wait for as long as the
// test wants, whatever the machine's speed.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { BatchPutDocumentCommand, QueryCommand, StartDataSourceSyncJobCommand, StopDataSourceSyncJobCommand, type KendraClient } from '@aws-sdk/client-kendra';
import pg from 'pg';
import { analyzerFor } from '../src/search/analysis.js';
import { SearchCancelled } from '../src/search/errors.js';
import { postgresEngine } from '../src/search/postgres.js';
import { parseQueryText } from '../src/search/queryText.js';
import { activeCustomDataSource, activeIndex, jobReaching, rejectsWith } from './support/kendra.js';
import { requestBytes, signedRequest, target } from './support/rawClient.js';
import { describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';

const pgSkip = process.env.KENDRITE_TEST_POSTGRES_URL ? undefined : 'skipped: KENDRITE_TEST_POSTGRES_URL not set';

describeOrSkip('search statements: time-out and cancellation [postgres]', { skip: pgSkip }, () => {
  let store: TestStore;
  let quick: TestServer;
  let patient: TestServer;
  let k: KendraClient;
  let indexId: string;
  let locker: pg.Client;
  let watcher: pg.Client;
  before(async () => {
    store = await TestStore.create('postgres');
    quick = await TestServer.start(store, { env: { KENDRITE_SEARCH_STATEMENT_TIMEOUT_MS: '300' } });
    patient = await TestServer.start(store, { config: { search: { statementTimeoutMs: 600_000 } } });
    k = quick.client();
    indexId = await activeIndex(k);
    const ds = await activeCustomDataSource(k, indexId);
    const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
    const Attributes = [
      { Key: '_data_source_id', Value: { StringValue: ds } },
      { Key: '_data_source_sync_job_execution_id', Value: { StringValue: ExecutionId! } },
    ];
    await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: [{ Id: 'd1', Title: 'lockable', Blob: Buffer.from('wombat text'), ContentType: 'PLAIN_TEXT', Attributes }] }));
    await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
    await jobReaching(k, indexId, ds, ExecutionId!, ['SUCCEEDED']);
    locker = new pg.Client({ connectionString: store.databaseUrl });
    await locker.connect();
    // Not the locker: inside a transaction, pg_stat_activity shows the snapshot of its first read.
    watcher = new pg.Client({ connectionString: store.databaseUrl });
    await watcher.connect();
  });
  after(async () => {
    await locker?.end();
    await watcher?.end();
    await quick?.stop();
    await patient?.stop();
    await store?.destroy();
  });

  const lockDocuments = () => locker.query('BEGIN; LOCK TABLE documents IN ACCESS EXCLUSIVE MODE');
  const unlock = () => locker.query('ROLLBACK');
  /** kendrite's search statements running now (not the connection that cancels them). */
  const searching = async () =>
    Number((await watcher.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'kendrite-search' AND state = 'active'`)).rows[0].n);

  test('a search past the statement time-out → ValidationException, and the server serves the next one', async () => {
    await lockDocuments();
    try {
      // Without a time-out the search would wait for the lock for ever: the client gives up after a minute.
      const e = await rejectsWith(k.send(new QueryCommand({ IndexId: indexId, QueryText: 'wombat' }), { abortSignal: AbortSignal.timeout(60_000) }), 'ValidationException');
      assert.match(e.message, /cancelled: the search ran past the statement time-out \(search\.statementTimeoutMs\)/);
      assert.equal(e.$metadata?.httpStatusCode, 400);
    } finally {
      await unlock();
    }
    const r = await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'wombat' }));
    assert.deepEqual(r.ResultItems!.map((i) => i.DocumentId), ['d1']);
  });

  test('a client that goes away: its search statement is cancelled in PostgreSQL', async () => {
    await lockDocuments();
    try {
      const wire = await signedRequest(patient.url, { target: target('Query'), body: { IndexId: indexId, QueryText: 'wombat' } });
      const req = http.request(patient.url, { method: 'POST', headers: wire.headers });
      req.on('error', () => undefined);
      req.end(wire.body);
      await waitFor('the search waiting on the lock', async () => ((await searching()) === 1 ? true : undefined));
      req.destroy();
      await waitFor('the search cancelled', async () => ((await searching()) === 0 ? true : undefined));
    } finally {
      await unlock();
    }
    const r = await patient.client().send(new QueryCommand({ IndexId: indexId, QueryText: 'wombat' }));
    assert.deepEqual(r.ResultItems!.map((i) => i.DocumentId), ['d1']);
  });

  test('a client gone before its search statement starts: the search is cancelled (ValidationException, as on SQLite), not an AbortError answered InternalServerException', async () => {
    // The index's row locked: the Query waits for it before its search, while the server reads the
    // client's half-close (sent with the request), which aborts the request's signal. The server holds
    // an index row it read for 100 ms (Indices.recent): past that, this Query reads it again.
    await new Promise((r) => setTimeout(r, 150));
    await locker.query('BEGIN; LOCK TABLE indices IN ACCESS EXCLUSIVE MODE');
    let answer: Promise<string>;
    try {
      const bytes = await requestBytes(patient.url, { target: target('Query'), body: { IndexId: indexId, QueryText: 'wombat' } });
      const url = new URL(patient.url);
      answer = new Promise<string>((resolve, reject) => {
        const s = net.connect(Number(url.port), url.hostname, () => s.end(bytes));
        let got = '';
        s.on('data', (d: Buffer) => (got += d.toString()));
        s.on('close', () => resolve(got));
        s.on('error', reject);
      });
      await waitFor('the Query waiting for the index row', async () =>
        Number((await watcher.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'select * from "indices" where "id" = $1 and "account_id" = $2%'`)).rows[0].n) > 0 ? true : undefined,
      );
    } finally {
      await unlock();
    }
    const got = await answer;
    assert.match(got, /^HTTP\/1\.1 400 /);
    assert.deepEqual(JSON.parse(got.slice(got.indexOf('\r\n\r\n') + 4)), { __type: 'ValidationException', message: 'The query was cancelled: the client went away. Narrow its text or filter.' });
    assert.doesNotMatch(patient.logs.join(''), /request failed/);
  });

  test('the engine: a search whose signal is already aborted is SearchCancelled, never started', async () => {
    const pool = new pg.Pool({ connectionString: store.databaseUrl, max: 1 });
    const engine = postgresEngine(pool);
    try {
      const query = parseQueryText('wombat', analyzerFor('en'));
      await assert.rejects(engine.rankDocuments({ indexId, language: 'en', query, signal: AbortSignal.abort() }, [], 0, 10), (e: Error) => e instanceof SearchCancelled && e.message === 'the client went away');
      assert.equal(pool.totalCount, 0);
      assert.equal((await engine.rankDocuments({ indexId, language: 'en', query }, [], 0, 10)).total, 1);
    } finally {
      await engine.close();
    }
  });

  // pg_cancel_backend goes on a connection of its own and can land after the statement it was meant for
  // has ended: were the connection pooled again, it would stop whichever search ran on it next (an
  // innocent client's, answered "ran past the statement time-out"). The connection is closed instead.
  test('the engine: the connection a cancel was sent for is closed, not pooled for the next search', async () => {
    const pool = new pg.Pool({ connectionString: store.databaseUrl, max: 1 });
    const engine = postgresEngine(pool);
    const query = parseQueryText('wombat', analyzerFor('en'));
    try {
      await lockDocuments();
      try {
        const gone = new AbortController();
        const search = engine.rankDocuments({ indexId, language: 'en', query, signal: gone.signal }, [], 0, 10);
        search.catch(() => undefined);
        await waitFor('the search waiting on the lock', async () =>
          Number((await watcher.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND application_name = ''`)).rows[0].n) === 1 ? true : undefined,
        );
        gone.abort();
        await assert.rejects(search, (e: Error) => e instanceof SearchCancelled && e.message === 'the client went away');
        assert.equal(pool.totalCount, 0);
      } finally {
        await unlock();
      }
      assert.equal((await engine.rankDocuments({ indexId, language: 'en', query }, [], 0, 10)).total, 1);
    } finally {
      await engine.close();
    }
  });
});
