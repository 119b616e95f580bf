import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ListDataSourceSyncJobsCommand, StartDataSourceSyncJobCommand, StopDataSourceSyncJobCommand, type KendraClient } from '@aws-sdk/client-kendra';
import { activeCustomDataSource, activeIndex, jobReaching } from './support/kendra.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';
import { execSql } from './support/sql.js';

const DAY = 86_400_000;

async function allJobs(k: KendraClient, IndexId: string, Id: string): Promise<string[]> {
  const ids: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await k.send(new ListDataSourceSyncJobsCommand({ IndexId, Id, NextToken }));
    ids.push(...page.History!.map((j) => j.ExecutionId!));
    NextToken = page.NextToken;
  } while (NextToken);
  return ids;
}

function oldJob(indexId: string, ds: string, startTime: number) {
  const id = randomUUID();
  return {
    id,
    statement: {
      sql: `INSERT INTO sync_jobs (execution_id, index_id, data_source_id, data_source_type, start_time, end_time, status, documents_added, documents_modified, documents_deleted, documents_failed, documents_scanned, data_source_snapshot, stop_requested)
            VALUES (?, ?, ?, 'CUSTOM', ?, ?, 'SUCCEEDED', 1, 0, 0, 0, 0, '{}', 0)`,
      params: [id, indexId, ds, startTime, startTime + 1000],
    },
  };
}

for (const backend of backends()) {
  describeOrSkip(`S-LIST-7 history retention [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    before(async () => {
      store = await TestStore.create(backend.name);
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('jobs older than the retention are deleted, but each data source keeps its newest K', async () => {
      server = await TestServer.start(store);
      let k = server.client();
      const indexId = await activeIndex(k);
      const busy = await activeCustomDataSource(k, indexId, 'busy');
      const quiet = await activeCustomDataSource(k, indexId, 'quiet');
      const recent: string[] = [];
      for (let i = 0; i < 2; i++) {
        const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: busy }));
        await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: busy }));
        await jobReaching(k, indexId, busy, ExecutionId!, ['SUCCEEDED']);
        recent.unshift(ExecutionId!);
      }
      await server.stop();
      const now = Date.now();
      const oldBusy = Array.from({ length: 10 }, (_, i) => oldJob(indexId, busy, now - 40 * DAY - i * 60_000));
      const oldQuiet = Array.from({ length: 2 }, (_, i) => oldJob(indexId, quiet, now - 50 * DAY - i * 60_000));
      await execSql(store, [...oldBusy, ...oldQuiet].map((j) => j.statement));

      // Without retention configured, everything is kept.
      server = await TestServer.start(store);
      k = server.client();
      assert.equal((await allJobs(k, indexId, busy)).length, 12);
      await server.stop();

      server = await TestServer.start(store, { config: { retention: { days: 30, keepLatest: 3 } } });
      k = server.client();
      const kept = await waitFor('retention applied', async () => {
        const ids = await allJobs(k, indexId, busy);
        return ids.length === 3 ? ids : undefined;
      });
      assert.deepEqual(kept, [...recent, oldBusy[0]!.id]);
      assert.deepEqual(await allJobs(k, indexId, quiet), oldQuiet.map((j) => j.id));
    });
  });
}
