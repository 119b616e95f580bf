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

/** The job `executionId` (default 'job-1'), held (report lines and synced rows name a job by its key, sync_jobs.seq); its key. */
async function heldJob(trx: Transaction<Database>, executionId = 'job-1'): Promise<number> {
  const { rows } = await sql<{ seq: number }>`INSERT INTO sync_jobs (execution_id, index_id, data_source_id, data_source_type, start_time, status, data_source_snapshot)
    VALUES (${executionId}, 'ix', 'ds', 'CUSTOM', 1, 'SYNCING', '{}') RETURNING seq`.execute(trx);
  return Number(rows[0]!.seq);
}

for (const backend of backends()) {
  describeOrSkip(`a batch's synced rows [${backend.name}]`, { skip: backend.skip }, () => {
    const store = openedStore(backend.name);

    test('recordMany writes each document its version once, the last one given for an id named twice', async () => {
      const s = store();
      let seq = 0;
      await s.db.transaction().execute(async (trx) => {
        await s.documents.ensureKeys(['ix'], ['ds'], trx);
        for (const id of ['a', 'b']) await s.documents.insert(row(id), trx);
        seq = await heldJob(trx);
        await s.syncDocuments.recordMany('ix', 'ds', 'job-1', [{ id: 'a', version: '1' }, { id: 'b', version: null }, { id: 'a', version: '2' }, { id: 'gone', version: '9' }], trx);
      });
      const rows = await s.db.selectFrom('synced_documents as s').innerJoin('documents as d', 'd.doc_key', 's.doc_key').select(['d.document_id', sql<string>`(SELECT id FROM data_source_keys WHERE key = s.source_key)`.as('data_source_id'), 's.version', 's.seen_by']).orderBy('d.document_id').execute();
      // PostgreSQL reads a BIGINT as a string.
      assert.deepEqual(rows.map((r) => ({ ...r, seen_by: Number(r.seen_by) })), [
        { document_id: 'a', data_source_id: 'ds', version: '2', seen_by: seq },
        { document_id: 'b', data_source_id: 'ds', version: null, seen_by: seq },
      ]);
      const versions = await s.syncDocuments.versions('ix', ['a', 'b', 'gone']);
      assert.deepEqual([...versions.keys()].sort(), ['a', 'b']);
      assert.equal(versions.get('a')!.version, '2');
    });

    test('recordFirstMany records each line unless the job holds an ADDED or MODIFIED line of its document already', async () => {
      const s = store();
      const among = ['ADDED', 'MODIFIED'] as const;
      const recorded = await s.db.transaction().execute(async (trx) => {
        await heldJob(trx, 'job-2');
        await heldJob(trx, 'job-3');
        return [
          await s.reports.recordFirstMany('job-2', [['a', 'ADDED', 1], ['b', 'MODIFIED', 1]], [...among], trx),
          await s.reports.recordFirstMany('job-2', [['a', 'MODIFIED', 2], ['c', 'ADDED', 2], ['b', 'ADDED', 2]], [...among], trx),
          await s.reports.recordFirstMany('job-3', [['a', 'MODIFIED', 3]], [...among], trx),
          await s.reports.recordFirstMany('job-none', [['a', 'ADDED', 4]], [...among], trx),
        ];
      });
      // A job not held gets no line (as record and recordFirst).
      assert.deepEqual(recorded, [['ADDED', 'MODIFIED'], ['ADDED'], ['MODIFIED'], []]);
      const lines = await s.db.selectFrom('sync_report as r').innerJoin('sync_jobs as j', 'j.seq', 'r.job_seq').select(['j.execution_id', 'r.document_id', 'r.action', 'r.at']).orderBy('j.execution_id').orderBy('r.document_id').execute();
      assert.deepEqual(lines.map((l) => [l.execution_id, l.document_id, l.action, Number(l.at)]), [
        ['job-2', 'a', 'ADDED', 1], ['job-2', 'b', 'MODIFIED', 1], ['job-2', 'c', 'ADDED', 2], ['job-3', 'a', 'MODIFIED', 3],
      ]);
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
      // A batch gives its index and data source keys first (store/idKeys.ts): neither was made through the API here.
      await s.documents.ensureKeys(['ix'], ['ds'], trx);
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
    assert.deepEqual(prepared, ['INSERT INTO documents (index_key, docume', 'INSERT INTO sync_report (job_seq, docume', 'SELECT d.document_id, d.doc_key, d.statu', 'UPDATE documents SET status = $1, update', 'WITH i AS (INSERT INTO index_keys (id) S']);
    const lines = await s.db.selectFrom('sync_report').select(['document_id', 'action']).orderBy('document_id').execute();
    assert.deepEqual(lines, [{ document_id: 'x', action: 'ADDED' }, { document_id: 'y', action: 'MODIFIED' }]);
  });

  test("a batch's new documents are one statement, their attribute rows written by the statement's trigger", async () => {
    const s = store();
    const attributes = JSON.stringify([{ Key: '_data_source_id' }, { Key: 'tags', Value: { StringListValue: ['p', 'q'] } }, { Key: 'n', Value: { LongValue: 7 } }, { Key: 'at', Value: { DateValue: '2024-01-02T03:04:05.000Z' } }, { Key: 'k', Value: { StringValue: 'v' } }]);
    await s.db.transaction().execute(async (trx) => (await s.documents.ensureKeys(['ix'], ['ds'], trx), s.documents.insertMany([{ ...row('m1'), attributes }, { ...row('m2'), title: "it's \"quoted\" \\ here", body: '{a,b}' }], trx)));
    const docs = await s.db.selectFrom('documents').select(['document_id', 'title', 'body', 'text_bytes', 'applied_seq', 'created_at']).where('document_id', 'in', ['m1', 'm2']).orderBy('doc_key').execute();
    assert.deepEqual(docs.map((d) => [d.document_id, d.title, d.body, Number(d.text_bytes), Number(d.applied_seq), Number(d.created_at)]), [['m1', 't', 'b', 1, 0, 1], ['m2', 'it\'s "quoted" \\ here', '{a,b}', 1, 0, 1]]);
    const rows = await s.db.selectFrom('document_attributes as a').innerJoin('documents as d', 'd.doc_key', 'a.doc_key').select(['d.document_id', 'a.key', 'a.value_type', 'a.str', 'a.num'])
      .where('d.document_id', 'in', ['m1', 'm2']).orderBy('a.key').orderBy('a.str').execute();
    assert.deepEqual(rows.map((r) => [r.document_id, r.key, r.value_type, r.str, r.num === null ? null : Number(r.num)]), [
      ['m1', 'at', 'DATE', null, 1704164645000], ['m1', 'k', 'STRING', 'v', null], ['m1', 'n', 'LONG', null, 7], ['m1', 'tags', 'STRING_LIST', 'p', null], ['m1', 'tags', 'STRING_LIST', 'q', null],
    ]);
  });

  test("recordFirstMany probes the report's key per line, whatever the planner knows of the report", async () => {
    const s = store();
    const plan = await s.db.transaction().execute(async (trx) => {
      await s.reports.recordFirstMany('job-4', [['x', 'ADDED', 1]], ['ADDED', 'MODIFIED'], trx);
      const { rows } = await sql<{ name: string }>`SELECT name FROM pg_prepared_statements WHERE statement LIKE '%unnest($2::text[], $3::text[], $4::bigint[])%'`.execute(trx);
      assert.equal(rows.length, 1);
      await sql`SET LOCAL plan_cache_mode = force_generic_plan`.execute(trx);
      const explained = await sql<{ 'QUERY PLAN': unknown }>`EXPLAIN (FORMAT JSON) EXECUTE ${sql.raw(rows[0]!.name)}('job-4', '{y}', '{ADDED}', '{1}', 'ADDED', 'MODIFIED')`.execute(trx);
      return JSON.stringify(explained.rows[0]!['QUERY PLAN']);
    });
    // No join reading the job's report: the job's key found once (by its id), the lines unnested beside it, and two
    // subplans, each an index probe by job, action and document.
    assert.equal(plan.match(/"Node Type":"[^"]*"/g)?.join(' '), '"Node Type":"ModifyTable" "Node Type":"Nested Loop" "Node Type":"Index Scan" "Node Type":"Function Scan" "Node Type":"Index Only Scan" "Node Type":"Index Only Scan"');
    assert.match(plan, /"Relation Name":"sync_jobs"[^}]*"Index Cond":"\(execution_id = \$1\)"/);
    assert.equal(plan.match(/"Index Cond":"[^"]*document_id = w\.id[^"]*"/g)?.length, 2);
  });
});
