// One process per SQLite data directory, held by an OS lock (src/store/dataDirLock.ts), not a PID:
// a second server is refused whatever a PID file says, also when both are PID 1 in their own PID
// namespaces (two containers on one volume); a holder killed with -9 leaves the directory usable.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateIndexCommand, ListIndicesCommand } from '@aws-sdk/client-kendra';
import { ROLE } from './support/kendra.js';
import { TestServer, TestStore } from './support/server.js';

// Its own PID namespace (PID 1 inside), by a user namespace so that no root is needed.
const PID_1 = ['unshare', '--user', '--map-root-user', '--pid', '--mount-proc', '--kill-child', '--'];
const canUnshare = spawnSync(PID_1[0]!, [...PID_1.slice(1, -1), 'true'], { stdio: 'ignore' }).status === 0;

/** A server that should be refused; one that starts all the same is stopped (then the assertion fails). */
async function startSecond(store: TestStore, opts: Parameters<typeof TestServer.start>[1] = {}): Promise<void> {
  await (await TestServer.start(store, opts)).stop();
}

const refused = (holder: string) => new RegExp(`exited with 2 before listening:[\\s\\S]*is in use by kendrite process ${holder} on host \\S+ \\(since `);

describe('SQLite data directory lock', () => {
  let store: TestStore;
  before(async () => {
    store = await TestStore.create('sqlite');
  });
  after(async () => {
    await store?.destroy();
  });

  test('a second server is refused naming the holder, even when the PID file of older versions names a dead PID', async () => {
    const first = await TestServer.start(store);
    try {
      await first.client().send(new CreateIndexCommand({ Name: 'kept', RoleArn: ROLE }));
      writeFileSync(path.join(store.dataDir, 'kendrite.lock'), '2147483646');
      await assert.rejects(startSecond(store), refused(String(first.proc.pid)));
      assert.equal((await first.client().send(new ListIndicesCommand({}))).IndexConfigurationSummaryItems!.length, 1);
    } finally {
      await first.stop();
    }
  });

  test('two servers that are both PID 1 (own PID namespaces): the second is refused', { skip: !canUnshare && 'skipped: unshare cannot make a PID namespace here' }, async () => {
    const first = await TestServer.start(store, { wrap: PID_1 });
    try {
      await assert.rejects(startSecond(store, { wrap: PID_1 }), refused('1'));
      assert.equal((await first.client().send(new ListIndicesCommand({}))).IndexConfigurationSummaryItems!.length, 1);
    } finally {
      await first.stop();
    }

  });

  test('a holder killed with -9 leaves the directory usable: the next server starts and has the data', async () => {
    const first = await TestServer.start(store);
    await first.kill();
    const next = await TestServer.start(store);
    try {
      const names = (await next.client().send(new ListIndicesCommand({}))).IndexConfigurationSummaryItems!.map((i) => i.Name);
      assert.deepEqual(names, ['kept']);
      // And it holds the lock in turn.
      await assert.rejects(startSecond(store), refused(String(next.proc.pid)));
    } finally {
      await next.stop();
    }
  });
});
