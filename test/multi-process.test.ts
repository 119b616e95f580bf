import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ListDataSourceSyncJobsCommand, StartDataSourceSyncJobCommand, type KendraClient } from '@aws-sdk/client-kendra';
import { activeCustomDataSource, activeIndex, jobReaching } from './support/kendra.js';
import { describeOrSkip, TestServer, TestStore } from './support/server.js';

const pgSkip = process.env.KENDRITE_TEST_POSTGRES_URL ? undefined : 'skipped: KENDRITE_TEST_POSTGRES_URL not set';

describeOrSkip('two kendrite processes on one PostgreSQL [postgres]', { skip: pgSkip }, () => {
  let store: TestStore;
  let a: TestServer;
  let b: TestServer;
  let ka: KendraClient;
  let kb: KendraClient;
  before(async () => {
    store = await TestStore.create('postgres');
    [a, b] = await Promise.all([TestServer.start(store, { env: { KENDRITE_LEASE_SECONDS: '2' } }), TestServer.start(store, { env: { KENDRITE_LEASE_SECONDS: '2' } })]);
    ka = a.client();
    kb = b.client();
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await store?.destroy();
  });

  test('S-JOB-1: concurrent starts through both processes make exactly one job', async () => {
    const indexId = await activeIndex(ka);
    for (let round = 0; round < 3; round++) {
      const ds = await activeCustomDataSource(kb, indexId, `race-${round}`);
      const calls = Array.from({ length: 24 }, (_, i) => (i % 2 ? a : b).client().send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds })));
      const results = await Promise.allSettled(calls);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, `round ${round}`);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as Error).name, 'ResourceInUseException');
      assert.equal((await ka.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds }))).History!.length, 1);
    }
  });

  test('S-JOB-7: when one process dies, the other fails its job once the lease expires; tokens from one verify on the other', async () => {
    const indexId = await activeIndex(ka, 'lease');
    const ds = await activeCustomDataSource(ka, indexId, 'lease-ds');
    const { ExecutionId } = await ka.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
    await a.kill();
    const j = await jobReaching(kb, indexId, ds, ExecutionId!, ['FAILED', 'SUCCEEDED', 'ABORTED', 'INCOMPLETE'], 15_000);
    assert.equal(j.Status, 'FAILED');
    assert.equal(j.ErrorCode, 'InternalError');
    a = await TestServer.start(store, { env: { KENDRITE_LEASE_SECONDS: '2' } });
    ka = a.client();
    // The data source is free again: a new job starts through the other process.
    assert.ok((await kb.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }))).ExecutionId);
    const page = await kb.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds, MaxResults: 1 }));
    assert.ok(page.NextToken);
    const next = await ka.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds, MaxResults: 1, NextToken: page.NextToken }));
    assert.equal(next.History!.length, 1);
    assert.notEqual(next.History![0]!.ExecutionId, page.History![0]!.ExecutionId);
  });
});
