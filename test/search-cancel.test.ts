// PostgreSQL: every search statement has a time-out (search.statementTimeoutMs), and a search whose
// client goes away is cancelled in the server, not left running. (SQLite has neither: better-sqlite3
// runs a statement to its end; there the bounds on filters and query text keep every search cheap,
// see input-bounds.test.ts.) A table lock held by the test makes a search wait for as long as the
// test wants, whatever the machine's speed.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { BatchPutDocumentCommand, QueryCommand, StartDataSourceSyncJobCommand, StopDataSourceSyncJobCommand, type KendraClient } from '@aws-sdk/client-kendra';
import pg from 'pg';
import { activeCustomDataSource, activeIndex, jobReaching, rejectsWith } from './support/kendra.js';
import { signedRequest, target } from './support/rawClient.js';
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
});
