// The reliability suite's PostgreSQL areas, fast subset: two kendrite processes on one database (the
// owner of a sync killed; a BatchPutDocument flood beside a live sync), and a PostgreSQL restart under
// load — on a private cluster made by initdb (privatePostgres.ts), so that the restart disturbs no one
// else's use of the machine's PostgreSQL. The full run (more files, longer load) is
// `npm run bench -- reliability`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { postgresRestart, twoProcesses } from './support/reliability/postgresAreas.js';
import { PrivatePostgres, privatePostgresSkip } from './support/reliability/privatePostgres.js';
import { describeOrSkip, TestStore } from './support/server.js';

// Like every PostgreSQL test, skipped when the machine's PostgreSQL is not named; the private cluster
// also needs the server binaries (and, as root, runuser).
const skip = process.env.KENDRITE_TEST_POSTGRES_URL ? privatePostgresSkip() : 'skipped: KENDRITE_TEST_POSTGRES_URL not set';

describeOrSkip('reliability: two processes on one PostgreSQL, and a PostgreSQL restart under load [postgres]', { skip }, () => {
  let cluster: PrivatePostgres;
  let root: string;
  before(async () => {
    cluster = await PrivatePostgres.start();
    root = mkdtempSync(path.join(tmpdir(), 'kendrite-rel-pg-'));
  });
  after(async () => {
    await cluster?.destroy();
    rmSync(root, { recursive: true, force: true });
  });

  test('two processes: the owner killed mid-sync (the other fails its job, the next sync is exact); a put flood on both beside a live sync (SUCCEEDED, exact)', async () => {
    const store = await TestStore.create('postgres', cluster.url);
    try {
      const r = await twoProcesses({ store, root, files: 200 });
      assert.deepEqual(r.failures, []);
      assert.equal(r.tried, 2);
      assert.equal(r.held, 2);
    } finally {
      await store.destroy();
    }
  });

  test('PostgreSQL restarted under reads, puts and a folder sync: the process lives, only 500s while it is down, every acknowledged put kept, the next sync exact', async () => {
    const store = await TestStore.create('postgres', cluster.url);
    try {
      const r = await postgresRestart({ cluster, store, root, files: 200, loadMs: 1500 });
      assert.deepEqual(r.failures, []);
      // process lives, under 5 s, only 200 or 500-while-down, all ok after, /health, puts, the sync.
      assert.equal(r.tried, 7);
      assert.equal(r.held, 7);
    } finally {
      await store.destroy().catch(() => undefined);
    }
  });
});
