import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import {
  ListDataSourceSyncJobsCommand,
  StartDataSourceSyncJobCommand,
  StopDataSourceSyncJobCommand,
  UpdateIndexCommand,
  type KendraClient,
} from '@aws-sdk/client-kendra';
import { activeCustomDataSource, activeIndex, jobReaching, rejectsWith } from './support/kendra.js';
import { backends, describeOrSkip, REPO_ROOT, TestServer, TestStore, waitFor } from './support/server.js';

const run = promisify(execFile);
const WRITER = { accessKeyId: 'AKIDWRITER', secretAccessKey: 'writer-secret' };
const READER = { accessKeyId: 'AKIDREADER', secretAccessKey: 'reader-secret' };

for (const backend of backends()) {
  describeOrSkip(`sync job operations: every error kendrite can produce, by its code [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let writer: KendraClient;
    let reader: KendraClient;
    let indexId: string;
    let ds: string;
    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, {
        config: {
          credentials: [
            { ...WRITER, accountId: '000000000000', permissions: 'read-write' },
            { ...READER, accountId: '000000000000', permissions: 'read' },
          ],
          transitionDelayMs: 300,
        },
      });
      writer = server.client(WRITER);
      reader = server.client(READER);
      indexId = await activeIndex(writer);
      ds = await activeCustomDataSource(writer, indexId, 'errors');
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('AccessDeniedException: a read-only key can list the history but not start or stop a job', async () => {
      await rejectsWith(reader.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds })), 'AccessDeniedException');
      await rejectsWith(reader.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds })), 'AccessDeniedException');
      assert.deepEqual((await reader.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds }))).History, []);
    });

    test('ValidationException on each operation for a malformed id', async () => {
      await rejectsWith(writer.send(new StartDataSourceSyncJobCommand({ IndexId: 'short', Id: ds })), 'ValidationException');
      await rejectsWith(writer.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: 'bad id!' })), 'ValidationException');
      await rejectsWith(writer.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds, StatusFilter: 'DONE' as never })), 'ValidationException');
    });

    test('ConflictException: no sync starts while the index is not ACTIVE (X-3)', async () => {
      await writer.send(new UpdateIndexCommand({ Id: indexId, Description: 'changing' }));
      const e = await rejectsWith(writer.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds })), 'ConflictException');
      assert.match(e.message, /UPDATING/);
      await waitFor('ACTIVE again', async () => {
        try {
          const { ExecutionId } = await writer.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
          return ExecutionId;
        } catch (err) {
          return (err as Error).name === 'ConflictException' ? undefined : Promise.reject(err);
        }
      });
    });

    test('`kendrite jobs` prints the history, newest first, with metrics', async () => {
      await writer.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const history = (await writer.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds }))).History!;
      assert.equal(history.length, 1);
      await jobReaching(writer, indexId, ds, history[0]!.ExecutionId!, ['SUCCEEDED']);
      const { stdout } = await run(process.execPath, [path.join(REPO_ROOT, 'dist/src/cli/main.js'), 'jobs', indexId, ds, '--endpoint', server.url], {
        env: { ...process.env, AWS_ACCESS_KEY_ID: READER.accessKeyId, AWS_SECRET_ACCESS_KEY: READER.secretAccessKey, AWS_REGION: 'us-east-1' },
      });
      const lines = stdout.trim().split('\n');
      assert.match(lines[0]!, /^EXECUTION ID\s+STATUS\s+START\s+END\s+ADDED\s+MODIFIED\s+DELETED\s+FAILED\s+SCANNED$/);
      assert.equal(lines.length, 2);
      assert.deepEqual(lines[1]!.split(/\s+/).filter((c) => !/^\d{4}-/.test(c)), [history[0]!.ExecutionId, 'SUCCEEDED', '0', '0', '0', '0', '-']);
    });
  });

  describeOrSkip(`P-10 throttling of sync job operations [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, {
        config: { throttle: { StopDataSourceSyncJob: { ratePerSecond: 0.001, burst: 3 }, ListDataSourceSyncJobs: { ratePerSecond: 0.001, burst: 1 } } },
      });
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('ThrottlingException past the configured burst, for that operation only', async () => {
      const k = server.client();
      const indexId = await activeIndex(k);
      const ds = await activeCustomDataSource(k, indexId, 'throttled');
      for (let i = 0; i < 3; i++) await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      await rejectsWith(k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds })), 'ThrottlingException');
      assert.deepEqual((await k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds }))).History, []);
      await rejectsWith(k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds })), 'ThrottlingException');
    });
  });
}
