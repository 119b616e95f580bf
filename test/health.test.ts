// GET /health checks what it claims: the store answers through the pool requests use, within a
// short time, and the background worker renews its leases; otherwise 503 says what failed.
import assert from 'node:assert/strict';
import { VERSION } from '../src/version.js';
import { after, before, test } from 'node:test';
import { ListIndicesCommand } from '@aws-sdk/client-kendra';
import pg from 'pg';
import { activeIndex } from './support/kendra.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';

interface HealthBody {
  status: string;
  version: string;
  store: string;
  checks: { store: string; worker: string };
}

async function health(server: TestServer): Promise<{ status: number; body: HealthBody }> {
  const res = await fetch(`${server.url}/health`);
  return { status: res.status, body: (await res.json()) as HealthBody };
}

for (const backend of backends()) {
  describeOrSkip(`GET /health [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    before(async () => {
      store = await TestStore.create(backend.name);
      // A 1-second lease: renewals every third of a second, late after two missed.
      server = await TestServer.start(store, { env: { KENDRITE_LEASE_SECONDS: '1' } });
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('a working server: 200 with each check ok', async () => {
      assert.deepEqual(await health(server), {
        status: 200,
        body: { status: 'ok', version: VERSION, store: backend.name, checks: { store: 'ok', worker: 'ok' } },
      });
    });

    if (backend.name !== 'postgres') return;

    /** A transaction of the test's own holding `lock` on the server's database until `release`. */
    async function holding(lock: string): Promise<{ release(): Promise<void> }> {
      const c = new pg.Client({ connectionString: store.databaseUrl });
      await c.connect();
      await c.query('BEGIN');
      await c.query(lock);
      return {
        async release() {
          await c.query('COMMIT');
          await c.end();
        },
      };
    }

    test('every pooled connection held by stuck requests: 503 naming the pool, then 200 once they finish', async () => {
      const k = server.client();
      const indexId = await activeIndex(k);
      const lock = await holding('LOCK TABLE indices IN ACCESS EXCLUSIVE MODE');
      // More requests than the pool's 10 connections, each stuck on the lock with its connection.
      const stuck = Array.from({ length: 12 }, () => k.send(new ListIndicesCommand({})));
      const admin = new pg.Client({ connectionString: store.databaseUrl });
      await admin.connect();
      await waitFor('10 requests waiting on the lock', async () => {
        const { rows } = await admin.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        return rows[0]!.n === 10 ? true : undefined;
      });
      await admin.end();

      const { status, body } = await health(server);
      assert.equal(status, 503);
      assert.equal(body.status, 'unavailable');
      assert.equal(body.store, 'postgres');
      assert.match(body.checks.store, /^no answer within 2000 ms, waiting for a free pooled connection \(10 of 10 connections in use, \d+ waiting\)$/);
      assert.equal(body.checks.worker, 'ok');

      await lock.release();
      for (const r of await Promise.all(stuck)) assert.deepEqual(r.IndexConfigurationSummaryItems?.map((i) => i.Id), [indexId]);
      assert.equal((await health(server)).status, 200);
    });

    test('job leases not renewed: 503 naming the worker, then 200 once renewals resume', async () => {
      const lock = await holding('LOCK TABLE worker_heartbeats IN ACCESS EXCLUSIVE MODE');
      const late = await waitFor('a late lease renewal reported', async () => {
        const h = await health(server);
        return h.status === 503 ? h : undefined;
      });
      assert.equal(late.body.status, 'unavailable');
      assert.equal(late.body.checks.store, 'ok');
      assert.match(late.body.checks.worker, /^job leases last renewed \d+ ms ago \(every 333 ms expected; they expire after 1000 ms\)$/);
      await lock.release();
      await waitFor('renewals resumed', async () => ((await health(server)).status === 200 ? true : undefined));
    });
  });
}
