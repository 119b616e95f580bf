import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { KendraClient } from '@aws-sdk/client-kendra';
import { activeIndex, jobReaching } from './support/kendra.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';
import { execSql } from './support/sql.js';
import { activeDataSource, folderTemplate, metrics, syncToEnd } from './support/sync.js';

// A run whose last writes failed (its store went away as it finished) leaves its job SYNCING_INDEXING,
// owned by a live process: no lease runs out, so no reaper ends it. The owner's worker must.
for (const backend of backends()) {
  describeOrSkip(`a job its own live process left unfinished is ended [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let dir: string;
    before(async () => {
      store = await TestStore.create(backend.name);
      dir = mkdtempSync(path.join(tmpdir(), 'kendrite-orphan-'));
      for (let i = 0; i < 3; i++) writeFileSync(path.join(dir, `doc${i}.txt`), `document ${i}`);
      server = await TestServer.start(store, { config: { folders: { allowedRoots: [dir] } } });
      k = server.client();
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    test('SYNCING_INDEXING with no run behind it → FAILED, InternalError, saying why', async () => {
      const indexId = await activeIndex(k);
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'folder', Type: 'TEMPLATE', Configuration: folderTemplate(dir) });
      const done = await syncToEnd(k, indexId, ds);
      assert.equal(done.Status, 'SUCCEEDED');
      assert.deepEqual(metrics(done), { scanned: '3', added: '3', modified: '0', deleted: '0', failed: '0' });
      // The job as a failed final write leaves it: not ended, still owned by this (live) process.
      await execSql(store, [
        {
          sql: `UPDATE sync_jobs SET status = 'SYNCING_INDEXING', end_time = NULL, lease_owner = (SELECT worker_id FROM worker_heartbeats LIMIT 1) WHERE execution_id = ?`,
          params: [done.ExecutionId],
        },
      ]);
      const ended = await jobReaching(k, indexId, ds, done.ExecutionId!, ['FAILED'], 30_000);
      assert.equal(ended.ErrorCode, 'InternalError');
      assert.match(ended.ErrorMessage!, /interrupted while it finished: kendrite could not reach its store/);
      // What the run indexed stays counted.
      assert.deepEqual(metrics(ended), { scanned: '3', added: '3', modified: '0', deleted: '0', failed: '0' });
    });
  });
}
