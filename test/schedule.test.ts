import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CreateDataSourceCommand, DescribeDataSourceCommand, ListDataSourceSyncJobsCommand, type KendraClient } from '@aws-sdk/client-kendra';
import { activeIndex, ROLE } from './support/kendra.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';

for (const backend of backends()) {
  describeOrSkip(`D-6 schedules start syncs [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    before(async () => {
      store = await TestStore.create(backend.name);
      // Nothing listens on port 9: the S3 connector fails fast instead of reaching for AWS.
      server = await TestServer.start(store, { env: { KENDRITE_S3_ENDPOINT: 'http://127.0.0.1:9' } });
      k = server.client();
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('a data source scheduled every minute gets a sync job at the next minute, in UTC, once per tick', async () => {
      const indexId = await activeIndex(k);
      const created = Date.now();
      const { Id } = await k.send(
        new CreateDataSourceCommand({ IndexId: indexId, Name: 'every-minute', Type: 'S3', RoleArn: ROLE, Schedule: 'cron(* * * * ? *)', Configuration: { S3Configuration: { BucketName: 'scheduled-bucket' } } }),
      );
      await waitFor('ACTIVE', async () => ((await k.send(new DescribeDataSourceCommand({ IndexId: indexId, Id }))).Status === 'ACTIVE' ? true : undefined));
      const nextMinute = Math.floor(created / 60_000) * 60_000 + 60_000;
      const history = await waitFor('a scheduled job', async () => {
        const h = (await k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id }))).History!;
        return h.length ? h : undefined;
      }, 75_000);
      assert.equal(history.length, 1);
      const start = history[0]!.StartTime!.getTime();
      assert.ok(start >= nextMinute, `started at ${new Date(start).toISOString()}, not before ${new Date(nextMinute).toISOString()}`);
      assert.ok(start < nextMinute + 120_000);
      // The log says the schedule fired, and which job it started.
      const fired = await waitFor('the log line', async () => {
        // Node's own warnings (the AWS SDK's, about Node versions) share stderr: the log's lines are the JSON ones.
        const lines = server.logs.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
        const found = lines.filter((l) => l.msg === 'schedule fired: sync started');
        return found.length ? found : undefined;
      });
      assert.deepEqual(fired.map((l) => [l.dataSourceId, l.executionId, l.schedule]), [[Id, history[0]!.ExecutionId, 'cron(* * * * ? *)']]);
    });
  });
}
