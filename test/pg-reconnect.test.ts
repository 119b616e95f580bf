// PostgreSQL ends connections when it restarts, fails over or an operator terminates a backend:
// kendrite must outlive that, say so in its log, and serve the next request on a new connection.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DescribeIndexCommand, ListIndicesCommand, type KendraClient } from '@aws-sdk/client-kendra';
import pg from 'pg';
import { activeIndex } from './support/kendra.js';
import { describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';

const adminUrl = process.env.KENDRITE_TEST_POSTGRES_URL;

/** Terminates every backend connected to the test's database; how many it ended. */
async function terminateBackends(databaseUrl: string): Promise<number> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ ended: boolean }>(
      'SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [new URL(databaseUrl).pathname.slice(1)],
    );
    return rows.filter((r) => r.ended).length;
  } finally {
    await admin.end();
  }
}

describeOrSkip('PostgreSQL connections terminated under a running server', { skip: adminUrl ? undefined : 'skipped: KENDRITE_TEST_POSTGRES_URL not set' }, () => {
  let store: TestStore;
  let server: TestServer;
  let k: KendraClient;
  before(async () => {
    store = await TestStore.create('postgres');
    server = await TestServer.start(store);
    k = server.client();
  });
  after(async () => {
    await server?.stop();
    await store?.destroy();
  });

  test('idle and busy connections terminated: the process lives, logs it, and serves the next requests', async () => {
    const indexId = await activeIndex(k);
    const lost = () => server.logs.join('').split('\n').filter((l) => l.includes('PostgreSQL connection lost')).length;

    // Each terminated connection is noticed (and logged) when its notice arrives; a request that
    // takes one just before that fails, the ones after the notice must not.
    const noticed = (count: number) =>
      waitFor(`${count} lost connections logged`, async () => {
        if (server.proc.exitCode !== null) throw new Error(`kendrite exited with ${server.proc.exitCode}: ${server.logs.join('')}`);
        return lost() >= count ? true : undefined;
      });

    // Idle pooled connections (the server has just answered and polls its queue every 100 ms).
    const idle = await terminateBackends(store.databaseUrl!);
    assert.ok(idle >= 1);
    await noticed(idle);
    assert.equal(server.proc.exitCode, null);
    assert.equal((await k.send(new DescribeIndexCommand({ Id: indexId }))).Status, 'ACTIVE');

    // Again while requests are in flight: those may fail, the ones after must not.
    const flight = Array.from({ length: 40 }, () => k.send(new ListIndicesCommand({})).then(() => 'ok', (e: Error) => e.name));
    const ended = await terminateBackends(store.databaseUrl!);
    assert.ok(ended >= 1);
    const outcomes = await Promise.all(flight);
    assert.ok(outcomes.every((o) => o === 'ok' || o === 'InternalServerException'), outcomes.join(', '));
    await noticed(idle + ended);
    assert.equal(server.proc.exitCode, null);
    for (let i = 0; i < 20; i++) {
      const { IndexConfigurationSummaryItems } = await k.send(new ListIndicesCommand({}));
      assert.deepEqual(IndexConfigurationSummaryItems?.map((x) => x.Id), [indexId]);
    }
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
    // The requests' pool, which lost connections above, says so once it connects again (the leases' pool may too).
    const reconnected = await waitFor('the pools to log their reconnection', async () => {
      const pools = server.logs.join('').split('\n').filter((l) => l.includes('PostgreSQL connection re-established')).map((l) => (JSON.parse(l) as { pool: string }).pool);
      return pools.includes('pool') ? pools : undefined;
    });
    assert.ok(reconnected.every((p) => p === 'pool' || p === 'leases'), reconnected.join(', '));
  });
});
