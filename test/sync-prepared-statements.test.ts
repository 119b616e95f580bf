// A sync's writes on PostgreSQL go through statements prepared once per pooled connection
// (src/store/preparedStatements.ts), and a batch's synced rows are one statement (SyncDocumentStore.recordMany).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../src/store/schema.js';
import { backends, describeOrSkip } from './support/server.js';
import { openedStore } from './support/openedStore.js';

const row = (documentId: string) => ({
  index_id: 'ix', document_id: documentId, data_source_id: 'ds', title: 't', body: 'b', content_type: 'PLAIN_TEXT', attributes: '[]', language_code: 'en',
  search_title: null, search_body: null, source_uri: null, file_type: null, content_hash: 'h', status: 'INDEXED', failure_reason: null, text_bytes: 1,
  applied_seq: 0, created_at: 1, updated_at: 1,
});

/** The job 'job-1', held (report lines and synced rows name a job by its key, sync_jobs.seq); its key. */
async function heldJob(trx: Transaction<Database>): Promise<number> {
  const { rows } = await sql<{ seq: number }>`INSERT INTO sync_jobs (execution_id, index_id, data_source_id, data_source_type, start_time, status, data_source_snapshot)
    VALUES ('job-1', 'ix', 'ds', 'CUSTOM', 1, 'SYNCING', '{}') RETURNING seq`.execute(trx);
  return Number(rows[0]!.seq);
}

for (const backend of backends()) {
  describeOrSkip(`a batch's synced rows [${backend.name}]`, { skip: backend.skip }, () => {
    const store = openedStore(backend.name);

    test('recordMany writes each document its version once, the last one given for an id named twice', async () => {
      const s = store();
      let seq = 0;
      await s.db.transaction().execute(async (trx) => {
        for (const id of ['a', 'b']) await s.documents.insert(row(id), trx);
        seq = await heldJob(trx);
        await s.syncDocuments.recordMany('ix', 'ds', 'job-1', [{ id: 'a', version: '1' }, { id: 'b', version: null }, { id: 'a', version: '2' }, { id: 'gone', version: '9' }], trx);
      });
      const rows = await s.db.selectFrom('synced_documents as s').innerJoin('documents as d', 'd.doc_key', 's.doc_key').select(['d.document_id', 's.data_source_id', 's.version', 's.seen_by']).orderBy('d.document_id').execute();
      // PostgreSQL reads a BIGINT as a string.
      assert.deepEqual(rows.map((r) => ({ ...r, seen_by: Number(r.seen_by) })), [
        { document_id: 'a', data_source_id: 'ds', version: '2', seen_by: seq },
        { document_id: 'b', data_source_id: 'ds', version: null, seen_by: seq },
      ]);
      const versions = await s.syncDocuments.versions('ix', ['a', 'b', 'gone']);
      assert.deepEqual([...versions.keys()].sort(), ['a', 'b']);
      assert.equal(versions.get('a')!.version, '2');
    });
  });
}

describeOrSkip('statements prepared once per connection [postgres]', { skip: process.env.KENDRITE_TEST_POSTGRES_URL ? false : 'skipped: KENDRITE_TEST_POSTGRES_URL not set' }, () => {
  const store = openedStore('postgres');

  test("a sync's lookup, document write and report line are prepared on the connection once, whatever the values", async () => {
    const s = store();
    const prepared = await s.db.transaction().execute(async (trx) => {
      await s.documents.heldMany('ix', ['x'], trx);
      await s.documents.heldMany('ix', ['y', 'z'], trx);
      const docKey = await s.documents.insert(row('x'), trx);
      await s.documents.insert(row('y'), trx);
      await s.documents.update(docKey, { status: 'UPDATED', updated_at: 2 }, trx);
      // A report line names its job by the job's key: the job is held.
      await heldJob(trx);
      assert.equal(await s.reports.recordFirst('job-1', 'x', 'ADDED', ['ADDED', 'MODIFIED'], 1, trx), true);
      assert.equal(await s.reports.recordFirst('job-1', 'x', 'MODIFIED', ['ADDED', 'MODIFIED'], 1, trx), false);
      assert.equal(await s.reports.recordFirst('job-1', 'y', 'MODIFIED', ['ADDED', 'MODIFIED'], 1, trx), true);
      // The transaction holds one connection: its session's prepared statements.
      const { rows } = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements WHERE name LIKE 'kendrite\\_%' ORDER BY statement`.execute(trx);
      return rows.map((r) => r.statement.replace(/\s+/g, ' ').slice(0, 40));
    });
    assert.deepEqual(prepared, ['INSERT INTO documents (index_id, documen', 'INSERT INTO sync_report (job_seq, docume', 'SELECT d.document_id, d.doc_key, d.statu', 'UPDATE documents SET status = $1, update']);
    const lines = await s.db.selectFrom('sync_report').select(['document_id', 'action']).orderBy('document_id').execute();
    assert.deepEqual(lines, [{ document_id: 'x', action: 'ADDED' }, { document_id: 'y', action: 'MODIFIED' }]);
  });
});
