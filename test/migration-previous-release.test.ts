// A data dir written by the previous release (test/fixtures/migration-previous-release, made by
// scripts/migrationFixture.ts) opened by this one: the schema is migrated in place, and every document,
// search answer, passage and sync job the previous release served is served alike; later writes
// (a modification and a deletion of documents the previous release indexed) land in the new schema.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { QueryCommand, type KendraClient } from '@aws-sdk/client-kendra';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { POSTGRES_MIGRATIONS } from '../src/store/migrations/postgres.js';
import { SQLITE_MIGRATIONS } from '../src/store/migrations/sqlite.js';
import { jobOf } from './support/kendra.js';
import { customJob, FIXTURE_DIR, fixtureDoc, observeFixture, statuses } from './support/migrationFixture.js';
import { storeQuery } from './support/searchCorpus.js';
import { backends, describeOrSkip, REPO_ROOT, TestServer, TestStore } from './support/server.js';

const fixture = path.join(REPO_ROOT, FIXTURE_DIR);
/** The modified document's new text: long enough to be stored packed on SQLite (store/packedText.ts). */
// Long enough to be stored packed on SQLite (store/packedText.ts packs texts of 500 characters and more).
const HARBOUR_TEXT = `The harbour master retired and flew away in a zeppelin, far over the hills and far over the grey sea. ${'Gulls circled the empty quay at dawn and at dusk. '.repeat(24)}`;
const expectedAll = JSON.parse(readFileSync(path.join(fixture, 'expected.json'), 'utf8')) as Record<string, { indexId: string; dataSourceId: string } & Record<string, unknown>>;

async function schemaVersion(store: TestStore): Promise<number> {
  if (store.backend === 'sqlite') {
    const db = new BetterSqlite3(path.join(store.dataDir, 'kendrite.db'), { readonly: true });
    try {
      return (db.prepare('SELECT max(version) AS v FROM kendrite_migrations').get() as { v: number }).v;
    } finally {
      db.close();
    }
  }
  const c = new pg.Client({ connectionString: store.databaseUrl });
  await c.connect();
  try {
    return Number((await c.query<{ v: number }>('SELECT max(version) AS v FROM kendrite_migrations')).rows[0]!.v);
  } finally {
    await c.end();
  }
}

/** The tables that held a second copy of the text, cut into passages, and its full-text indexes (dropped by the newest schema). */
async function passageTables(store: TestStore): Promise<string[]> {
  const rows = await storeQuery<{ name: string }>(
    store,
    store.backend === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE name IN ('document_passages', 'passages_fts', 'passages_fts_plain') ORDER BY name"
      : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'document_passages'",
  );
  return rows.map((r) => r.name);
}

/** document_attributes rows of the attributes that are columns of documents, by key. */
async function columnAttributeRows(store: TestStore): Promise<Record<string, number>> {
  const rows = await storeQuery<{ key: string; n: number }>(store, "SELECT key, count(*) AS n FROM document_attributes WHERE key IN ('_data_source_id', '_file_type', '_language_code', '_source_uri') GROUP BY key ORDER BY key");
  return Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));
}

/**
 * The fixture's documents were put without _source_uri: each indexed one gets one as the previous release stored it
 * (the attribute in its JSON, which that release's trigger copies into document_attributes, and the column).
 */
/** The attribute rows of every document but those of the attributes held by columns, in a stable order. */
function valueRows(store: TestStore): Promise<unknown[]> {
  return storeQuery(store, "SELECT doc_key, index_id, key, value_type, str, num FROM document_attributes WHERE key NOT IN ('_data_source_id', '_language_code', '_source_uri', '_file_type') ORDER BY doc_key, key, value_type, str, num");
}

async function addSourceUris(store: TestStore): Promise<void> {
  const value = "'https://fixture.example/' || document_id";
  await storeQuery(
    store,
    store.backend === 'sqlite'
      ? `UPDATE documents SET source_uri = ${value}, attributes = json_insert(attributes, '$[#]', json_object('Key', '_source_uri', 'Value', json_object('StringValue', ${value}))) WHERE status <> 'FAILED'`
      : `UPDATE documents SET source_uri = ${value}, attributes = (attributes::jsonb || jsonb_build_array(jsonb_build_object('Key', '_source_uri', 'Value', jsonb_build_object('StringValue', ${value}))))::text WHERE status <> 'FAILED'`,
  );
}

/**
 * The fixture's documents have the _file_type the previous release filled in from their content type (PLAIN_TEXT):
 * ledger is given one of its own, as a document that named one was stored (its JSON, copied into document_attributes).
 */
async function nameFileType(store: TestStore): Promise<void> {
  await storeQuery(store, `UPDATE documents SET attributes = replace(attributes, '"_file_type","Value":{"StringValue":"PLAIN_TEXT"}', '"_file_type","Value":{"StringValue":"MD"}') WHERE document_id = 'ledger'`);
}

async function ids(k: KendraClient, indexId: string, QueryText: string): Promise<{ total: number | undefined; ids: string[] }> {
  const r = await k.send(new QueryCommand({ IndexId: indexId, QueryText, PageSize: 20 }));
  return { total: r.TotalNumberOfResults, ids: r.ResultItems!.map((i) => i.DocumentId!) };
}

for (const backend of backends()) {
  describeOrSkip(`a data dir of the previous release, migrated in place [${backend.name}]`, { skip: backend.skip }, () => {
    const { indexId, dataSourceId, ...served } = expectedAll[backend.name]!;
    // Retrieve's passages are now ranked by kendrite itself, alike on both backends, by the BM25 the previous release ranked them by on SQLite.
    const expected = { ...served, retrieve: expectedAll.sqlite!.retrieve };
    const latest = backend.name === 'sqlite' ? SQLITE_MIGRATIONS.length : POSTGRES_MIGRATIONS.length;
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let before_: number;
    let passageTablesBefore: string[];
    let reportBefore: unknown[] = [];
    let columnRowsBefore: Record<string, number> = {};
    let syncedBefore: unknown[] = [];
    let attributeRowsBefore: unknown[] = [];
    let fileTypeRowsBefore: unknown[] = [];
    let namedBefore: unknown[] = [];
    before(async () => {
      store = await TestStore.create(backend.name);
      if (backend.name === 'sqlite') cpSync(path.join(fixture, 'sqlite'), store.dataDir, { recursive: true });
      else execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', '-f', path.join(fixture, 'postgres.sql'), store.databaseUrl!], { stdio: ['ignore', 'ignore', 'pipe'] });
      before_ = await schemaVersion(store);
      passageTablesBefore = await passageTables(store);
      reportBefore = await storeQuery(store, 'SELECT execution_id, document_id, action, reason, at FROM sync_report ORDER BY execution_id, action, document_id');
      // The previous release's fixture synced nothing through a connector: a connector's view of each document, in its
      // shape (ids copied), half of them seen by the fixture's first sync, the others by a sync no longer held.
      await storeQuery(store, `INSERT INTO synced_documents (doc_key, index_id, document_id, data_source_id, version, seen_by)
        SELECT doc_key, index_id, document_id, 'ds-synced', 'v' || doc_key, CASE WHEN doc_key % 2 = 0 THEN (SELECT execution_id FROM sync_jobs ORDER BY seq LIMIT 1) ELSE 'job-gone' END FROM documents`);
      syncedBefore = await storeQuery(store, 'SELECT doc_key, data_source_id, version, seen_by FROM synced_documents ORDER BY doc_key');
      namedBefore = await storeQuery(store, 'SELECT doc_key, document_id, index_id, data_source_id FROM documents ORDER BY doc_key');
      // Before addSourceUris, which rewrites PostgreSQL's JSON in jsonb's spacing.
      await nameFileType(store);
      await addSourceUris(store);
      fileTypeRowsBefore = await storeQuery(store, "SELECT d.document_id AS id, a.str FROM document_attributes a JOIN documents d ON d.doc_key = a.doc_key WHERE a.key = '_file_type' AND a.str <> 'PLAIN_TEXT'");
      columnRowsBefore = await columnAttributeRows(store);
      attributeRowsBefore = await valueRows(store);
      server = await TestServer.start(store);
      k = server.client();
    });
    after(async () => {
      k?.destroy();
      await server?.stop();
      await store?.destroy();
    });

    test('the fixture is of an older schema, and opening it migrates it to the newest', async () => {
      assert.ok(before_ < latest, `the fixture is at version ${before_}, this release's newest is ${latest}`);
      assert.equal(await schemaVersion(store), latest);
    });

    test('the text is held once: the passages the previous release stored apart, with their full-text indexes, are gone', async () => {
      assert.deepEqual(passageTablesBefore, backend.name === 'sqlite' ? ['document_passages', 'passages_fts', 'passages_fts_plain'] : ['document_passages']);
      assert.deepEqual(await passageTables(store), []);
    });

    test('the storage settings of the newest schema are in place: FTS5 pending terms of 4 MB, packed text read by the index, value indexes by kind, no rows copying columns and the report kept once, its lines as they were (SQLite); lz4 tsvectors, value indexes by kind, no rows copying columns, synced rows without ids, as they were (PostgreSQL)', async () => {
      if (backend.name === 'sqlite') {
        const hashsize = (t: string) => storeQuery<{ v: number }>(store, `SELECT v FROM ${t}_config WHERE k = 'hashsize'`);
        assert.deepEqual(await hashsize('documents_fts'), [{ v: 4194304 }]);
        assert.deepEqual(await hashsize('documents_fts_plain'), [{ v: 4194304 }]);
        const unpacking = await storeQuery<{ name: string }>(store, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%kendrite_text(new.search_body)%' ORDER BY name");
        assert.deepEqual(unpacking, [{ name: 'documents_fts_insert' }, { name: 'documents_fts_plain_insert' }, { name: 'documents_fts_update' }]);
        // Each attribute value index holds the rows of its kind only; the report is one table in its key's order.
        const shapes = await storeQuery<{ name: string; sql: string }>(store, "SELECT name, sql FROM sqlite_master WHERE name IN ('document_attributes_str', 'document_attributes_num', 'sync_report', 'documents_source') ORDER BY name");
        assert.deepEqual(shapes.map((r) => [r.name, /WHERE (\w+ IS NOT NULL)|WITHOUT ROWID|\(source_key\)/.exec(r.sql)?.[0]]), [
          ['document_attributes_num', 'WHERE num IS NOT NULL'],
          ['document_attributes_str', 'WHERE str IS NOT NULL'],
          ['documents_source', '(source_key)'],
          ['sync_report', 'WITHOUT ROWID'],
        ]);

      } else {
        const rows = await storeQuery<{ c: string }>(store, "SELECT attcompression AS c FROM pg_attribute WHERE attrelid = 'documents'::regclass AND attname = 'search_vector'");
        assert.deepEqual(rows, [{ c: 'l' }]);
        // Each attribute value index holds the rows of its kind only; documents_source is by data source alone.
        const shapes = await storeQuery<{ name: string; def: string }>(store, "SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('document_attributes', 'documents', 'synced_documents', 'sync_report') ORDER BY indexname");
        assert.deepEqual(shapes.map((r) => [r.name, /WHERE \((\w+ IS NOT NULL)\)|\((source_key)\)|\(([\w, ]+)\)$/.exec(r.def)?.slice(1).find(Boolean)]), [
          ['document_attributes_doc', 'doc_key, key, value_type, str, num'],
          ['document_attributes_num', 'num IS NOT NULL'],
          ['document_attributes_str', 'str IS NOT NULL'],
          ['documents_id', 'index_key, document_id'],
          ['documents_pkey', 'doc_key'],
          ['documents_search', 'search_vector'],
          ['documents_source', 'source_key'],
          ['sync_report_pkey', 'job_seq, action, document_id'],
          ['synced_documents_pkey', 'doc_key'],
          ['synced_documents_source', 'source_key, doc_key'],
        ]);
        const columns = await storeQuery<{ c: string }>(store, "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'synced_documents' ORDER BY ordinal_position");
        assert.deepEqual(columns.map((r) => r.c), ['doc_key', 'version', 'seen_by', 'source_key']);
        // A document's removal still takes its synced row with it (the foreign key, renamed with its table).
        const fkeys = await storeQuery<{ name: string }>(store, "SELECT conname AS name FROM pg_constraint WHERE conrelid = 'synced_documents'::regclass AND contype = 'f'");
        assert.deepEqual(fkeys, [{ name: 'synced_documents_doc_key_fkey' }]);
      }
      // The synced rows as they were, each naming the sync that last saw its document by the job's key, or none where
      // that sync is no longer held (both backends).
      const [first] = await storeQuery<{ seq: number; id: string }>(store, 'SELECT seq, execution_id AS id FROM sync_jobs ORDER BY seq LIMIT 1');
      assert.equal(syncedBefore.length, 10);
      const syncedAfter = await storeQuery<{ doc_key: number; seen_by: number | null }>(store, 'SELECT doc_key, (SELECT id FROM data_source_keys WHERE key = source_key) AS data_source_id, version, seen_by FROM synced_documents ORDER BY doc_key');
      assert.deepEqual(
        syncedAfter.map((r) => ({ ...r, doc_key: Number(r.doc_key), seen_by: r.seen_by === null ? null : Number(r.seen_by) })),
        (syncedBefore as { doc_key: number; seen_by: string }[]).map((r) => ({ ...r, doc_key: Number(r.doc_key), seen_by: r.seen_by === first!.id ? Number(first!.seq) : null })),
      );
      assert.deepEqual(syncedAfter.map((r) => (r.seen_by === null ? 'none' : 'first')), syncedBefore.map((_, i) => (Number((syncedBefore[i] as { doc_key: number }).doc_key) % 2 === 0 ? 'first' : 'none')));
      // The report's lines as they were, each naming its job by the job's key (both backends).
      const columns = await storeQuery<{ c: string }>(store, backend.name === 'sqlite'
        ? "SELECT name AS c FROM pragma_table_info('sync_report') ORDER BY cid"
        : "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'sync_report' ORDER BY ordinal_position");
      assert.deepEqual(columns.map((r) => r.c), ['job_seq', 'document_id', 'action', 'reason', 'at']);
      assert.deepEqual(await storeQuery(store, 'SELECT j.execution_id, r.document_id, r.action, r.reason, r.at FROM sync_report r JOIN sync_jobs j ON j.seq = r.job_seq ORDER BY j.execution_id, r.action, r.document_id'), reportBefore);
      assert.equal(reportBefore.length, 15);
      // _data_source_id, _language_code, _source_uri and _file_type are read from the documents' columns: their rows, copies of those, are gone (both backends).
      assert.deepEqual(columnRowsBefore, { _data_source_id: 9, _file_type: 10, _language_code: 10, _source_uri: 10 });
      assert.deepEqual(await columnAttributeRows(store), {});
    });

    test('documents name their index and data source by an integer key: every document names the ones it named, found by them (the sync below modifies only what changed)', async () => {
      // The keys: the index and every data source made, then the ids only documents named (the synced rows' 'ds-synced').
      const keys = async (table: string) => (await storeQuery<{ key: number; id: string }>(store, `SELECT key, id FROM ${table} ORDER BY key`)).map((r) => [Number(r.key), r.id]);
      assert.deepEqual(await keys('index_keys'), [[1, indexId]]);
      const sources = await keys('data_source_keys');
      assert.deepEqual(sources.map(([key]) => key), sources.map((_, i) => i + 1));
      assert.deepEqual(sources.map(([, id]) => id).slice(-1), ['ds-synced']);
      assert.ok(sources.some(([, id]) => id === dataSourceId));
      const columns = await storeQuery<{ c: string }>(store, backend.name === 'sqlite'
        ? "SELECT name AS c FROM pragma_table_info('documents') WHERE name IN ('index_id', 'data_source_id', 'index_key', 'source_key', 'version', 'seen_by') ORDER BY cid"
        : "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'documents' AND column_name IN ('index_id', 'data_source_id', 'index_key', 'source_key', 'version', 'seen_by') ORDER BY ordinal_position");
      assert.deepEqual(columns.map((r) => r.c), ['index_key', 'source_key']);
      const namedAfter = await storeQuery(store, 'SELECT doc_key, document_id, (SELECT id FROM index_keys WHERE key = index_key) AS index_id, (SELECT id FROM data_source_keys WHERE key = source_key) AS data_source_id FROM documents ORDER BY doc_key');
      assert.equal(namedBefore.length, 10);
      assert.deepEqual(namedAfter, namedBefore);
      // Found by their data source (a filter on _data_source_id, read by key), with it in their attributes.
      const bySource = await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'harbour', PageSize: 20, AttributeFilter: { EqualsTo: { Key: '_data_source_id', Value: { StringValue: dataSourceId } } } }));
      // Every match of the index is the data source's: the same answer, in the same order, as unfiltered.
      const all = await ids(k, indexId, 'harbour');
      assert.deepEqual(all.ids.slice().sort(), ['harbour', 'ledger', 'quarry']);
      assert.deepEqual(bySource.ResultItems!.map((i) => [i.DocumentId, i.DocumentAttributes?.find((a) => a.Key === '_data_source_id')?.Value?.StringValue]), all.ids.map((id) => [id, dataSourceId]));
      assert.equal(bySource.TotalNumberOfResults, all.total);
      const noSource = await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'harbour', AttributeFilter: { EqualsTo: { Key: '_data_source_id', Value: { StringValue: 'ds-synced' } } } }));
      assert.equal(noSource.TotalNumberOfResults, 0);
    });

    test('the attribute rows the previous release\'s trigger wrote are those the newest writes (PostgreSQL: parsing the attributes once)', async () => {
      assert.equal(attributeRowsBefore.length, 4);
      if (backend.name === 'postgres') {
        const [fn] = await storeQuery<{ src: string }>(store, "SELECT prosrc AS src FROM pg_proc WHERE proname = 'documents_attributes_sync'");
        assert.equal(fn!.src.match(/jsonb_array_elements\(/g)?.length, 1);
        // An INSERT's rows are written once per statement (tgtype bit 1: per row), an update's and a removal's per row.
        const triggers = await storeQuery(store, "SELECT tgname AS name, (tgtype & 1) = 1 AS per_row FROM pg_trigger WHERE tgrelid = 'documents'::regclass AND tgname LIKE 'documents_attributes%' ORDER BY tgname");
        assert.deepEqual(triggers, [{ name: 'documents_attributes', per_row: true }, { name: 'documents_attributes_insert', per_row: false }]);
        // Every document's rows rewritten by the newest trigger.
        await storeQuery(store, 'UPDATE documents SET attributes = attributes');
      }
      assert.deepEqual(await valueRows(store), attributeRowsBefore);
    });

    test('the source URIs the previous release copied into rows are read from the column: results, filters, facets and sorting are as they were', async () => {
      const r = await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'harbour', PageSize: 20, Facets: [{ DocumentAttributeKey: '_source_uri' }], SortingConfiguration: { DocumentAttributeKey: '_source_uri', SortOrder: 'DESC' } }));
      const uri = (id: string) => `https://fixture.example/${id}`;
      assert.deepEqual(r.ResultItems!.map((i) => [i.DocumentId, i.DocumentURI, i.DocumentAttributes?.find((a) => a.Key === '_source_uri')?.Value?.StringValue]), [
        ['quarry', uri('quarry'), uri('quarry')], ['ledger', uri('ledger'), uri('ledger')], ['harbour', uri('harbour'), uri('harbour')],
      ]);
      assert.deepEqual(r.FacetResults![0]!.DocumentAttributeValueCountPairs!.map((p) => [p.DocumentAttributeValue!.StringValue, p.Count]), [[uri('harbour'), 1], [uri('ledger'), 1], [uri('quarry'), 1]]);
      assert.deepEqual((await k.send(new QueryCommand({ IndexId: indexId, AttributeFilter: { EqualsTo: { Key: '_source_uri', Value: { StringValue: uri('ledger') } } } }))).ResultItems!.map((i) => i.DocumentId), ['ledger']);
    });

    test('the file types the previous release copied into rows are read from the columns (the content type, else file_type where a document named another): results, filters, facets and sorting are as they were', async () => {
      assert.deepEqual(fileTypeRowsBefore, [{ id: 'ledger', str: 'MD' }]);
      assert.deepEqual(await storeQuery(store, 'SELECT document_id AS id, file_type FROM documents WHERE file_type IS NOT NULL'), [{ id: 'ledger', file_type: 'MD' }]);
      const r = await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'harbour', PageSize: 20, Facets: [{ DocumentAttributeKey: '_file_type' }], SortingConfiguration: { DocumentAttributeKey: '_file_type', SortOrder: 'ASC' } }));
      assert.deepEqual(r.ResultItems!.map((i) => [i.DocumentId, i.DocumentAttributes?.find((a) => a.Key === '_file_type')?.Value?.StringValue]), [
        ['ledger', 'MD'], ['harbour', 'PLAIN_TEXT'], ['quarry', 'PLAIN_TEXT'],
      ]);
      assert.deepEqual(r.FacetResults![0]!.DocumentAttributeValueCountPairs!.map((p) => [p.DocumentAttributeValue!.StringValue, p.Count]), [['PLAIN_TEXT', 2], ['MD', 1]]);
      const byType = async (type: string) => (await k.send(new QueryCommand({ IndexId: indexId, PageSize: 20, AttributeFilter: { EqualsTo: { Key: '_file_type', Value: { StringValue: type } } } }))).ResultItems!.map((i) => i.DocumentId).sort();
      assert.deepEqual(await byType('MD'), ['ledger']);
      // fromage is French: a query in the default language (English) does not find it.
      assert.deepEqual(await byType('PLAIN_TEXT'), ['compass', 'glacier', 'harbour', 'lighthouse', 'orchard', 'outside', 'quarry', 'tokyo']);
    });

    test('documents, search answers with their highlights, passages and sync history are those the previous release served', async () => {
      assert.deepEqual(await observeFixture(k, indexId, dataSourceId), expected);
    });

    test('a document of the previous release modified, another deleted, a third put again unchanged (its fingerprint of the previous release\'s form matches): the old text and the deleted one are no longer found', async () => {
      assert.deepEqual(await ids(k, indexId, 'boats'), { total: 1, ids: ['harbour'] });
      assert.deepEqual(await ids(k, indexId, '"harbour wall"'), { total: 1, ids: ['quarry'] });
      const glacier = (j: string) => fixtureDoc('glacier', 'Glacier survey', 'The glacier retreated forty metres; surveyors measured the moraine.', dataSourceId, j, [{ Key: '_created_at', Value: { DateValue: new Date('2024-03-01T00:00:00Z') } }]);
      const hashes = () => storeQuery<{ id: string; h: string }>(store, "SELECT document_id AS id, content_hash AS h FROM documents WHERE document_id IN ('glacier', 'harbour') ORDER BY document_id");
      const hashesBefore = await hashes();
      assert.deepEqual(hashesBefore.map((r) => r.h.length), [64, 64]);
      const job = await customJob(k, indexId, dataSourceId, (j) => [fixtureDoc('harbour', 'The harbour master', HARBOUR_TEXT, dataSourceId, j), glacier(j)], ['quarry']);
      const done = await jobOf(k, indexId, dataSourceId, job);
      assert.equal(done!.Status, 'SUCCEEDED');
      assert.deepEqual({ ...done!.Metrics }, { DocumentsAdded: '0', DocumentsModified: '1', DocumentsDeleted: '1', DocumentsFailed: '0' });
      // The unchanged document keeps the previous release's fingerprint; the modified one has the shorter one.
      const hashesAfter = await hashes();
      assert.equal(hashesAfter[0]!.h, hashesBefore[0]!.h);
      assert.match(hashesAfter[1]!.h, /^[\w-]{22}$/);
      assert.deepEqual(await ids(k, indexId, 'boats'), { total: 0, ids: [] });
      assert.deepEqual(await ids(k, indexId, '"harbour wall"'), { total: 0, ids: [] });
      assert.deepEqual(await ids(k, indexId, 'granite'), { total: 0, ids: [] });
      assert.deepEqual(await ids(k, indexId, 'zeppelin'), { total: 1, ids: ['harbour'] });
      assert.deepEqual(await ids(k, indexId, 'lighthouse keeper'), { total: 1, ids: ['lighthouse'] });
      const s = await statuses(k, indexId, ['harbour', 'quarry']);
      assert.deepEqual(s, { harbour: 'UPDATED', quarry: 'NOT_FOUND' });
    });

    test('SQLite: the documents the previous release held are counted by index, language and searchable status, and the writes since counted alike', async (t) => {
      if (backend.name !== 'sqlite') return t.skip('document_counts is SQLite only');
      const counted = await storeQuery(store, 'SELECT index_id, language_code, searchable, n FROM document_counts WHERE n <> 0 ORDER BY 1, 2, 3');
      const recounted = await storeQuery(store, "SELECT (SELECT id FROM index_keys WHERE key = index_key) AS index_id, language_code, status IN ('INDEXED', 'UPDATED', 'UPDATE_FAILED') AS searchable, count(*) AS n FROM documents GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
      assert.deepEqual(counted, recounted);
      assert.deepEqual(counted.map((r) => [r.language_code, r.searchable, r.n]), [['en', 1, 8], ['fr', 1, 1]]);
    });

    test('text written after the migration is stored packed on SQLite (PostgreSQL compresses it itself), the previous release\'s as it was; both are served', async () => {
      if (backend.name === 'sqlite') {
        const forms = await storeQuery<{ id: string; t: string }>(store, "SELECT document_id AS id, typeof(body) AS t FROM documents WHERE document_id IN ('harbour', 'lighthouse') ORDER BY document_id");
        assert.deepEqual(forms, [{ id: 'harbour', t: 'blob' }, { id: 'lighthouse', t: 'text' }]);
      }
      const r = await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'zeppelin' }));
      const excerpt = r.ResultItems![0]!.DocumentExcerpt!.Text!;
      assert.ok(excerpt.includes('zeppelin') && HARBOUR_TEXT.includes(excerpt), excerpt);
    });
  });
}
