/**
 * The background loop's check (src/sync/workDue.ts): a turn skips a step only when it has nothing to
 * act on, and an idle turn skips them all. Each kind of work the steps act on is seeded alone and
 * must be seen; work that is not due yet, ended jobs and other workers' non-CUSTOM jobs must not be.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig } from '../src/config/config.js';
import { silentLog } from '../src/observe/log.js';
import type { DocumentIndexer } from '../src/sync/documentIndexer.js';
import type { LifecycleWorker } from '../src/sync/lifecycleWorker.js';
import type { JobRunner } from '../src/sync/runner.js';
import { BackgroundWorker } from '../src/sync/worker.js';
import { WorkDue, type Due } from '../src/sync/workDue.js';
import { openedStore } from './support/openedStore.js';
import { backends, describeOrSkip } from './support/server.js';

const NOW = 1_000_000_000;
const ME = 'worker-me';

for (const backend of backends()) {
  describeOrSkip(`background loop: the idle check sees every kind of due work [${backend.name}]`, { skip: backend.skip }, () => {
    const store = openedStore(backend.name);

    const due = () => new WorkDue(store(), ME).check(NOW);
    const only = (step: keyof Due): Due => ({ transitions: false, queued: false, jobs: false, schedules: false, [step]: true });
    const index = (transitionAt: number | null) =>
      store().db.insertInto('indices').values({
        id: 'ix', account_id: 'a', region: 'r', name: 'n', edition: 'DEVELOPER_EDITION', role_arn: 'arn', status: 'CREATING',
        settings: '{}', created_at: NOW, updated_at: NOW, transition_at: transitionAt,
      }).execute();
    const dataSource = (status: string, transitionAt: number | null, nextRunAt: number | null) =>
      store().db.insertInto('data_sources').values({
        id: 'ds', index_id: 'ix', account_id: 'a', region: 'r', name: 'n', type: 'CUSTOM', status,
        created_at: NOW, updated_at: NOW, transition_at: transitionAt, next_run_at: nextRunAt,
      }).execute();
    const job = (type: string, status: string, owner: string | null, endTime: number | null) =>
      store().db.insertInto('sync_jobs').values({
        execution_id: 'job', index_id: 'ix', data_source_id: 'ds', data_source_type: type, start_time: NOW, end_time: endTime, status,
        data_source_snapshot: '{}', lease_owner: owner, lease_expires_at: owner ? NOW + 30_000 : null, error_code: null, error_message: null,
        data_source_error_code: null, documents_added: 0, documents_modified: 0, documents_deleted: 0, documents_failed: 0, documents_scanned: 0,
        start_slot: null, stop_requested: 0, documents_expected: null,
      }).execute();
    const clear = async () => {
      for (const table of ['indices', 'data_sources', 'sync_jobs', 'document_queue'] as const) await store().db.deleteFrom(table).execute();
    };

    test('nothing stored, or nothing due yet: idle', async () => {
      assert.equal(await due(), undefined);
      await index(NOW + 1);
      await dataSource('ACTIVE', NOW + 1, NOW + 1);
      assert.equal(await due(), undefined);
      await clear();
    });

    test('an index or data source transition that is due', async () => {
      await index(NOW);
      assert.deepEqual(await due(), only('transitions'));
      await clear();
      await dataSource('CREATING', NOW, null);
      assert.deepEqual(await due(), only('transitions'));
      await clear();
    });

    test('a schedule that is due, only on an ACTIVE data source', async () => {
      await dataSource('UPDATING', null, NOW);
      assert.equal(await due(), undefined);
      await clear();
      await dataSource('ACTIVE', null, NOW);
      assert.deepEqual(await due(), only('schedules'));
      await clear();
    });

    test('a queued document operation, whoever claimed it', async () => {
      await store().documents.enqueue([{ index_id: 'ix', document_id: 'd', op: 'delete', data_source_id: null, execution_id: null, document: null, content: null }], NOW);
      assert.deepEqual(await due(), only('queued'));
      await store().documents.claim('worker-other', NOW, NOW + 60_000, 10);
      assert.deepEqual(await due(), only('queued'));
      await clear();
    });

    test("an active job this worker owns, or any active CUSTOM job finishing; not another worker's connector job, not an ended one", async () => {
      await job('S3', 'SYNCING', 'worker-other', null);
      assert.equal(await due(), undefined);
      await clear();
      await job('S3', 'SUCCEEDED', null, NOW);
      assert.equal(await due(), undefined);
      await clear();
      await job('S3', 'STOPPING', ME, null);
      assert.deepEqual(await due(), only('jobs'));
      await clear();
      await job('CUSTOM', 'SYNCING_INDEXING', 'worker-other', null);
      assert.deepEqual(await due(), only('jobs'));
      await clear();
    });

    test('soonest: when the first transition or ACTIVE schedule not yet due falls due; none set: undefined', async () => {
      const check = new WorkDue(store(), ME);
      await check.check(NOW);
      assert.equal(check.soonest, undefined);
      await index(NOW + 500);
      await dataSource('UPDATING', NOW + 700, NOW + 300);
      assert.equal(await check.check(NOW), undefined);
      assert.equal(check.soonest, NOW + 500); // the schedule of a data source not ACTIVE does not count
      await store().db.updateTable('data_sources').set({ status: 'ACTIVE', transition_at: NOW + 200 }).execute();
      assert.equal(await check.check(NOW), undefined);
      assert.equal(check.soonest, NOW + 200);
      await store().db.updateTable('data_sources').set({ transition_at: null }).execute();
      assert.equal(await check.check(NOW), undefined);
      assert.equal(check.soonest, NOW + 300);
      await clear();
    });

    test(`an idle loop looks ${backend.name === 'sqlite' ? 'once a second (one process only: everything in it wakes the loop)' : 'every sync.pollMs (another process may queue work)'}, and a wake runs a turn at once`, async () => {
      const config = defaultConfig();
      config.sync.pollMs = 50;
      const stub = {} as never;
      const worker = new BackgroundWorker(store(), Date.now, config, stub as DocumentIndexer, stub as LifecycleWorker, { stopAll: async () => undefined } as unknown as JobRunner, silentLog);
      const checks: number[] = [];
      const original = WorkDue.prototype.check;
      WorkDue.prototype.check = function (this: WorkDue, now: number) {
        checks.push(Date.now());
        return original.call(this, now);
      };
      try {
        await worker.start(stub);
        await new Promise((r) => setTimeout(r, 1500));
        const idle = checks.length;
        worker.wake();
        await new Promise((r) => setTimeout(r, 200));
        const woken = checks.length - idle;
        await worker.stop();
        if (backend.name === 'sqlite') {
          assert.ok(idle >= 1 && idle <= 3, `${idle} idle checks in 1.5 s`);
          assert.equal(woken, 1); // the wake's turn, and the next one a second later
        } else {
          assert.ok(idle >= 15, `${idle} idle checks in 1.5 s`);
          assert.ok(woken >= 1);
        }
      } finally {
        WorkDue.prototype.check = original;
      }
    });
  });
}
