// Found by the reliability suite's kill -9 points: documents stayed PROCESSING after a restart. A
// queued operation claimed by a worker that then died (kill -9), or by a drain of this worker that
// threw (the database restarted under it), stayed claimed for the whole claim time (a minute) and
// nobody applied it. Claims of a worker whose heartbeat is dead are taken over at once, and a worker
// takes back its own leftover claims (its drains run one at a time, so one it still holds when a new
// drain starts belongs to a drain that failed). Live claims of another worker are still left alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NewQueuedOp } from '../src/store/documents.js';
import { openedStore } from './support/openedStore.js';
import { backends, describeOrSkip } from './support/server.js';

const NOW = 1_000_000_000;
const CLAIM_MS = 60_000;

const op = (documentId: string): NewQueuedOp => ({
  index_id: 'claims-index', document_id: documentId, op: 'delete', data_source_id: null, execution_id: null, document: null, content: null,
});

for (const backend of backends()) {
  describeOrSkip(`reliability: queued document claims after a worker dies or a drain fails [${backend.name}]`, { skip: backend.skip }, () => {
    const store = openedStore(backend.name);

    const ids = (ops: { document_id: string }[]) => ops.map((o) => o.document_id);
    const claimedBy = async () =>
      (await store().db.selectFrom('document_queue').select(['document_id', 'claimed_by']).orderBy('seq').execute()).map((r) => `${r.document_id}:${r.claimed_by ?? '-'}`);

    test("a live worker's claims are left alone; a dead worker's are taken over at once; a worker takes back its own", async () => {
      assert.equal(await store().documents.enqueue([op('d1'), op('d2'), op('d3')], NOW), true);
      await store().syncJobs.renewLeases('worker-a', NOW + 5_000);
      await store().syncJobs.renewLeases('worker-b', NOW + 5_000);

      // worker-a claims two; worker-b gets the third; worker-c finds nothing while both live.
      assert.deepEqual(ids(await store().documents.claim('worker-a', NOW, NOW + CLAIM_MS, 2)), ['d1', 'd2']);
      assert.deepEqual(ids(await store().documents.claim('worker-b', NOW + 1, NOW + 1 + CLAIM_MS, 10)), ['d3']);
      await store().syncJobs.renewLeases('worker-c', NOW + 5_000);
      assert.deepEqual(ids(await store().documents.claim('worker-c', NOW + 2, NOW + 2 + CLAIM_MS, 10)), []);
      assert.deepEqual(await claimedBy(), ['d1:worker-a', 'd2:worker-a', 'd3:worker-b']);

      // worker-b's drain failed, leaving its claim: its next drain takes it back (not worker-a's).
      assert.deepEqual(ids(await store().documents.claim('worker-b', NOW + 3, NOW + 3 + CLAIM_MS, 10)), ['d3']);

      // worker-a is killed: its heartbeat runs out long before its claims would; worker-b takes them at once.
      await store().syncJobs.renewLeases('worker-b', NOW + 20_000);
      const later = NOW + 10_000;
      assert.ok(later < NOW + CLAIM_MS);
      assert.deepEqual(ids(await store().documents.claim('worker-b', later, later + CLAIM_MS, 10)), ['d1', 'd2', 'd3']);
      assert.deepEqual(await claimedBy(), ['d1:worker-b', 'd2:worker-b', 'd3:worker-b']);
      await store().documents.dequeue((await store().db.selectFrom('document_queue').select('seq').execute()).map((r) => Number(r.seq)));

      // A claimer with no heartbeat at all is dead too.
      assert.equal(await store().documents.enqueue([op('d4')], NOW), true);
      assert.deepEqual(ids(await store().documents.claim('worker-x', later, later + CLAIM_MS, 10)), ['d4']);
      assert.deepEqual(ids(await store().documents.claim('worker-b', later + 1, later + 1 + CLAIM_MS, 10)), ['d4']);

      // A live worker's claim whose time ran out is free again, as before.
      await store().syncJobs.renewLeases('worker-b', later + 10 * CLAIM_MS);
      await store().syncJobs.renewLeases('worker-c', later + 10 * CLAIM_MS);
      assert.deepEqual(ids(await store().documents.claim('worker-c', later + 2, later + 2 + CLAIM_MS, 10)), []);
      assert.deepEqual(ids(await store().documents.claim('worker-c', later + 2 + CLAIM_MS, later + 3 * CLAIM_MS, 10)), ['d4']);
      assert.deepEqual(await claimedBy(), ['d4:worker-c']);
    });
  });
}
