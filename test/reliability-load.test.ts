// The reliability suite, fast subset: the generated hostile-file corpus synced from a folder while
// /health and RSS are sampled; the SigV4 attack table; 100 concurrent starts — on both backends.
// The full run is `npm run bench -- reliability`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { hostileFiles } from './support/reliability/hostile.js';
import { sigv4Attacks, ATTACKS } from './support/reliability/sigv4.js';
import { concurrentStarts } from './support/reliability/starts.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';

for (const backend of backends()) {
  describeOrSkip(`reliability: hostile files, SigV4 attacks, concurrent starts [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let root: string;
    before(async () => {
      root = mkdtempSync(path.join(tmpdir(), 'kendrite-rel-load-'));
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, { config: { folders: { allowedRoots: [root] } }, env: { KENDRITE_TRANSITION_DELAY_MS: '20' } });
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
      rmSync(root, { recursive: true, force: true });
    });

    test('the hostile corpus (bombs inflating to 128 MB) synced: each fails alone or is indexed; peak RSS < 1 GB; /health answers throughout', async () => {
      const r = await hostileFiles({ server, store, backend: backend.name, dir: path.join(root, 'hostile'), bombBytes: 128 * 1024 * 1024 });
      assert.deepEqual(r.failures, []);
      assert.equal(r.held, r.tried);
      assert.equal(r.tried, 46);
    });

    test('100 concurrent StartDataSourceSyncJob make exactly one job, twice', async () => {
      const r = await concurrentStarts({ servers: [server], backend: backend.name, rounds: 2, concurrency: 100 });
      assert.deepEqual(r.failures, []);
      assert.equal(r.held, 2);
    });

    test(`the SigV4 attack table: each of ${ATTACKS.length} attacks refused with its exact code; nothing written`, async () => {
      await server.stop();
      const r = await sigv4Attacks({ store, backend: backend.name });
      assert.deepEqual(r.failures, []);
      assert.equal(r.tried, ATTACKS.length + 2);
      assert.equal(r.held, r.tried);
    });
  });
}
