/**
 * Indices.recent (src/domain/indices.ts), what GetQuerySuggestions reads its index by: a row is served
 * for at most RECENT_MS after its read (100 ms; 1,000 here, so that a loaded machine's late timers
 * fall inside the windows); one served past half of that is read again after the request, not during
 * it; a row gone meanwhile is not served again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Indices } from '../src/domain/indices.js';
import { Lifecycle } from '../src/domain/lifecycle.js';
import type { PageTokens } from '../src/domain/pageToken.js';
import { openedStore } from './support/openedStore.js';
import { backends, describeOrSkip } from './support/server.js';

const SCOPE = { accountId: '000000000000', region: 'us-east-1' };
const NOW = 1_000_000_000;
const RECENT_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until `ms` after `from` (performance.now()), and checks it is not yet `before`. */
const at = async (from: number, ms: number, before: number) => {
  await sleep(from + ms - performance.now());
  assert.ok(performance.now() - from < before, `the machine was too slow: ${Math.round(performance.now() - from)} ms, not under ${before}`);
};

for (const backend of backends()) {
  describeOrSkip(`Indices.recent: rows served at most RECENT_MS after their read, read again off the request's path [${backend.name}]`, { skip: backend.skip }, () => {
    const store = openedStore(backend.name);

    /** Indices over the store, counting the reads of index rows, and when each began (before or after `recent` answered). */
    const counted = () => {
      const reads: string[] = [];
      const s = store();
      const get = s.indices.get.bind(s.indices);
      const indices = new Indices(
        { ...s, indices: Object.assign(Object.create(s.indices) as typeof s.indices, { get: (scope: typeof SCOPE, id: string) => (reads.push(id), get(scope, id)) }) } as typeof s,
        Date.now,
        new Lifecycle(0),
        {} as PageTokens,
        RECENT_MS,
      );
      return { indices, reads };
    };
    const insert = (id: string, version: number) =>
      store().db.insertInto('indices').values({
        id, account_id: SCOPE.accountId, region: SCOPE.region, name: id, edition: 'DEVELOPER_EDITION', role_arn: 'arn', status: 'ACTIVE',
        settings: '{}', created_at: NOW, updated_at: NOW, transition_at: null, suggestions_version: version,
      }).execute();

    test('read on the first request; served as read until half of RECENT_MS; then read again after the request, its change served from then on', async () => {
      const { indices, reads } = counted();
      await insert('ix-a', 1);
      const read = performance.now();
      assert.equal(Number((await indices.recent(SCOPE, 'ix-a')).suggestions_version), 1);
      assert.equal(reads.length, 1);
      await store().db.updateTable('indices').set({ suggestions_version: 2 }).where('id', '=', 'ix-a').execute();
      assert.equal(Number((await indices.recent(SCOPE, 'ix-a')).suggestions_version), 1);
      assert.equal(reads.length, 1);
      await at(read, 600, 900);
      // Past half of RECENT_MS: still the row read, answered without a read of its own.
      assert.equal(Number((await indices.recent(SCOPE, 'ix-a')).suggestions_version), 1);
      assert.equal(reads.length, 1);
      await sleep(50);
      assert.equal(reads.length, 2);
      assert.equal(Number((await indices.recent(SCOPE, 'ix-a')).suggestions_version), 2);
      assert.equal(reads.length, 2);
    });

    test('a row the background read finds gone is not served again: the next request reads it and is told the index does not exist', async () => {
      const { indices, reads } = counted();
      await insert('ix-b', 1);
      const read = performance.now();
      await indices.recent(SCOPE, 'ix-b');
      await store().db.deleteFrom('indices').where('id', '=', 'ix-b').execute();
      await at(read, 600, 900);
      await indices.recent(SCOPE, 'ix-b');
      await sleep(50);
      assert.equal(reads.length, 2);
      await assert.rejects(indices.recent(SCOPE, 'ix-b'), { message: 'Index ix-b does not exist.' });
      assert.equal(reads.length, 3);
    });

    test("a write of this process to an index row or a features table, once ended, makes every held row read again (store/indexRowWrites.ts)", async () => {
      const { indices, reads } = counted();
      await insert('ix-d', 1);
      await insert('ix-e', 1);
      await indices.recent(SCOPE, 'ix-d');
      await indices.recent(SCOPE, 'ix-e');
      await indices.recent(SCOPE, 'ix-d');
      assert.equal(reads.length, 2);
      // A write through the store (not through Indices, which forgets its rows itself): a thesaurus of ix-d.
      await store().thesauri.insert({
        id: 'th-d', index_id: 'ix-d', name: 'th', description: null, role_arn: 'arn', s3_bucket: 'b', s3_key: 'k', status: 'ACTIVE',
        error_message: null, rules: '[]', file_size_bytes: 0, term_count: 0, synonym_rule_count: 0, created_at: NOW, updated_at: NOW,
      });
      assert.equal(Number((await indices.recent(SCOPE, 'ix-d')).features_version), 1); // the trigger's bump, read at once
      assert.equal(reads.length, 3);
      await indices.recent(SCOPE, 'ix-e'); // held rows of other indexes too: the counter is not per index
      assert.equal(reads.length, 4);
      await indices.recent(SCOPE, 'ix-d');
      await indices.recent(SCOPE, 'ix-e');
      assert.equal(reads.length, 4);
    });

    test('a row not asked for within RECENT_MS is read on the request that asks', async () => {
      const { indices, reads } = counted();
      await insert('ix-c', 1);
      await indices.recent(SCOPE, 'ix-c');
      await store().db.updateTable('indices').set({ suggestions_version: 5 }).where('id', '=', 'ix-c').execute();
      await sleep(RECENT_MS + 20);
      const answered = indices.recent(SCOPE, 'ix-c');
      assert.equal(reads.length, 2); // begun before it answered
      assert.equal(Number((await answered).suggestions_version), 5);
    });
  });
}
