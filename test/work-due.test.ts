/**
 * The background loop's check (src/sync/workDue.ts): a turn skips a step only when it has nothing to
 * act on, and an idle turn skips them all. Each kind of work the steps act on is seeded alone and
 * must be seen; work that is not due yet, ended jobs and other workers' non-CUSTOM jobs must not be.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
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
  });
}
