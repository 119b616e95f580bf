// The reliability suite's kill -9 points, fast subset: a full sync, the deletion phase and CUSTOM
// batches in flight, each killed and restarted, on both backends; then the index equals the source
// document by document. The full run (every point, more files) is `npm run bench -- reliability`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { killPoints } from './support/reliability/kills.js';
import { backends, describeOrSkip, TestStore } from './support/server.js';

for (const backend of backends()) {
  describeOrSkip(`reliability: kill -9 mid-sync, restart, index = source [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let root: string;
    before(async () => {
      store = await TestStore.create(backend.name);
      root = mkdtempSync(path.join(tmpdir(), 'kendrite-rel-kill-'));
    });
    after(async () => {
      await store?.destroy();
      rmSync(root, { recursive: true, force: true });
    });

    test('killed in a full sync, in the deletion phase, with CUSTOM batches in flight: each job ends, nothing acknowledged is lost, the next sync is exact', async () => {
      const r = await killPoints({ store, backend: backend.name, root, files: 2000, points: ["full sync", "deletion phase"], customRounds: 1 });
      assert.deepEqual(r.failures, []);
      // 2 folder points, 1 CUSTOM round, the kill while stopping, the final comparison.
      assert.equal(r.tried, 5);
      assert.equal(r.held, 5);
    });
  });
}
