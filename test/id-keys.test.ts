// documents and synced_documents name their index and data source by an integer key (src/store/idKeys.ts): every
// index and data source gets one when it is made, a key is never reused (not after a delete either), and the
// documents of a deleted data source keep naming it by id while they are purged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { backends, describeOrSkip } from './support/server.js';
import { openedStore } from './support/openedStore.js';

const NOW = 1_700_000_000_000;

const row = (documentId: string, dataSourceId: string | null) => ({
  index_id: 'ix-1', document_id: documentId, data_source_id: dataSourceId, title: 't', body: 'b', content_type: 'PLAIN_TEXT', attributes: '[]', language_code: 'en',
  search_title: null, search_body: null, source_uri: null, file_type: null, content_hash: 'h', status: 'INDEXED', failure_reason: null, text_bytes: 1,
  applied_seq: 0, created_at: 1, updated_at: 1,
});

for (const backend of backends()) {
  describeOrSkip(`integer keys of indices and data sources [${backend.name}]`, { skip: backend.skip }, () => {
    const store = openedStore(backend.name);
    const index = (id: string) =>
      store().db.insertInto('indices').values({
        id, account_id: 'a', region: 'r', name: id, edition: 'DEVELOPER_EDITION', role_arn: 'arn', status: 'ACTIVE', settings: '{}', created_at: NOW, updated_at: NOW, transition_at: null,
      }).execute();
    const dataSource = (id: string) =>
      store().db.insertInto('data_sources').values({
        id, index_id: 'ix-1', account_id: 'a', region: 'r', name: id, type: 'CUSTOM', status: 'ACTIVE', created_at: NOW, updated_at: NOW, transition_at: null, next_run_at: null,
      }).execute();
    const keys = async (table: 'index_keys' | 'data_source_keys') =>
      (await store().db.selectFrom(table).select(['key', 'id']).orderBy('key').execute()).map((r) => [Number(r.key), r.id]);

    test('an index or data source made gets the next key; one deleted keeps its key, which is never given again', async () => {
      await index('ix-1');
      await index('ix-2');
      assert.deepEqual(await keys('index_keys'), [[1, 'ix-1'], [2, 'ix-2']]);
      await store().db.deleteFrom('indices').where('id', '=', 'ix-2').execute();
      await index('ix-3');
      assert.deepEqual(await keys('index_keys'), [[1, 'ix-1'], [2, 'ix-2'], [3, 'ix-3']]);
      await dataSource('ds-1');
      await dataSource('ds-2');
      assert.deepEqual(await keys('data_source_keys'), [[1, 'ds-1'], [2, 'ds-2']]);
    });

    test('a batch gives an id that was never made a key once (a second batch, and an id made already, add none, nor use up a key)', async () => {
      const s = store();
      await s.db.transaction().execute((trx) => s.documents.ensureKeys(['ix-1', 'ix-bench', 'ix-bench'], ['ds-1', null, 'ds-bench'], trx));
      await s.db.transaction().execute((trx) => s.documents.ensureKeys(['ix-bench'], ['ds-bench'], trx));
      await index('ix-4');
      assert.deepEqual(await keys('index_keys'), [[1, 'ix-1'], [2, 'ix-2'], [3, 'ix-3'], [4, 'ix-bench'], [5, 'ix-4']]);
      assert.deepEqual(await keys('data_source_keys'), [[1, 'ds-1'], [2, 'ds-2'], [3, 'ds-bench']]);
    });

    test('a document stores its index and data source as keys and reads back their ids, also once the data source is deleted (its documents being purged)', async () => {
      const s = store();
      await s.db.transaction().execute(async (trx) => {
        await s.documents.insert(row('a', 'ds-2'), trx);
        await s.documents.insert(row('b', null), trx);
      });
      const stored = await s.db.selectFrom('documents').select(['document_id', 'index_key', 'source_key']).orderBy('document_id').execute();
      assert.deepEqual(stored.map((r) => [r.document_id, Number(r.index_key), r.source_key === null ? null : Number(r.source_key)]), [['a', 1, 2], ['b', 1, null]]);
      await s.db.deleteFrom('data_sources').where('id', '=', 'ds-2').execute();
      const read = await s.documents.getMany('ix-1', ['a', 'b', 'c']);
      assert.deepEqual(read.map((r) => [r.document_id, r.index_id, r.data_source_id]).sort(), [['a', 'ix-1', 'ds-2'], ['b', 'ix-1', null]]);
      const held = await s.documents.heldMany('ix-1', ['a', 'b']);
      assert.deepEqual([...held].map(([id, h]) => [id, h.data_source_id]).sort(), [['a', 'ds-2'], ['b', null]]);
      // Another index's key finds none of them; the purge of the deleted data source finds its own.
      assert.deepEqual(await s.documents.getMany('ix-3', ['a', 'b']), []);
      assert.equal(await s.documents.purge({ indexId: 'ix-1', dataSourceId: 'ds-2' }), 1);
      assert.deepEqual((await s.documents.getMany('ix-1', ['a', 'b'])).map((r) => r.document_id), ['b']);
      // A change of data source is written as its key.
      const [b] = await s.documents.getMany('ix-1', ['b']);
      await s.db.transaction().execute((trx) => s.documents.update(b!.doc_key, { data_source_id: 'ds-1' }, trx));
      assert.deepEqual((await s.documents.heldMany('ix-1', ['b'])).get('b')?.data_source_id, 'ds-1');
      const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM documents WHERE source_key = 1`.execute(s.db);
      assert.equal(Number(rows[0]!.n), 1);
    });
  });
}
