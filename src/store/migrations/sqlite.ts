/**
 * The document_attributes rows of the document `new` (dates as epoch milliseconds). A trigger body,
 * shared by the insert and update triggers. The columns give `_data_source_id` and (from version 2)
 * `_language_code`; their JSON twins are skipped, and so are the STRINGs of `heldKeys`, read from columns of their
 * own (search/attributeRows.ts): from version 25 `_source_uri`, from version 26 `_file_type`. A string list's key is read once per list, in a subquery
 * the LIMIT keeps SQLite from flattening: read for each element, it parsed the whole list again each
 * time (100,000 values took minutes).
 */
const attributeRows = (languageColumn: boolean, columnRows = true, heldKeys: string[] = []) => `INSERT INTO document_attributes (doc_key, index_id, key, value_type, str, num)
  SELECT new.doc_key, new.index_id, a.value ->> '$.Key', 'STRING', a.value ->> '$.Value.StringValue', NULL FROM json_each(new.attributes) a
    WHERE json_type(a.value, '$.Value.StringValue') = 'text' AND a.value ->> '$.Key' <> '_data_source_id'${languageColumn ? ` AND a.value ->> '$.Key' <> '_language_code'` : ''}${
      heldKeys.map((k) => ` AND a.value ->> '$.Key' <> '${k}'`).join('')}
  UNION ALL SELECT new.doc_key, new.index_id, s.key, 'STRING_LIST', l.value, NULL
    FROM (SELECT a.value ->> '$.Key' AS key, a.value -> '$.Value.StringListValue' AS list FROM json_each(new.attributes) a
      WHERE json_type(a.value, '$.Value.StringListValue') = 'array' LIMIT -1) s, json_each(s.list) l WHERE l.type = 'text'
  UNION ALL SELECT new.doc_key, new.index_id, a.value ->> '$.Key', 'LONG', NULL, CAST(a.value ->> '$.Value.LongValue' AS INTEGER) FROM json_each(new.attributes) a
    WHERE json_type(a.value, '$.Value.LongValue') IN ('integer', 'real')
  UNION ALL SELECT new.doc_key, new.index_id, a.value ->> '$.Key', 'DATE', NULL, CAST(round(unixepoch(a.value ->> '$.Value.DateValue', 'subsec') * 1000) AS INTEGER)
    FROM json_each(new.attributes) a WHERE json_type(a.value, '$.Value.DateValue') = 'text' AND unixepoch(a.value ->> '$.Value.DateValue', 'subsec') IS NOT NULL
${columnRows ? `
  UNION ALL SELECT new.doc_key, new.index_id, '_data_source_id', 'STRING', new.data_source_id, NULL WHERE new.data_source_id IS NOT NULL${
    languageColumn ? `
  UNION ALL SELECT new.doc_key, new.index_id, '_language_code', 'STRING', new.language_code, NULL` : ''}` : ''};`;

import { sql, type Transaction } from 'kysely';
import type { MigrationStep } from '../migrate.js';
import type { Database } from '../schema.js';
import { analyzeStoredDocuments } from './analyzeStored.js';
import { FEATURE_TABLES, SUGGESTION_TABLES, sqliteVersionTriggers } from './featureTables.js';
import { storedTextSql } from '../packedText.js';

/** A stored document's language: its _language_code attribute, else its data source's, else en. */
const LANGUAGE_OF_ROW = `coalesce(
  (SELECT a.value ->> '$.Value.StringValue' FROM json_each(documents.attributes) a WHERE a.value ->> '$.Key' = '_language_code' AND json_type(a.value, '$.Value.StringValue') = 'text'),
  (SELECT s.language_code FROM data_sources s WHERE s.id = documents.data_source_id), 'en')`;

/** A trigger's test that a batch of writes changes its text in the full-text index at its end (store/documents.ts withTextBatched). */
const BATCHED = 'EXISTS (SELECT 1 FROM documents_text_pending WHERE doc_key = 0)';

/** A text column as the full-text index's triggers read it, up to migration 21: as it is. */
const asStored = (column: string) => column;
/** A text column packed or not (migration 21): only packed text goes through kendrite_text() (store/packedText.ts). */
const unpacked = (column: string) => storedTextSql(column);

/** The full-text index's triggers for writes outside a batch (withTextBatched), given how they read a text column. */
const ftsInsertTrigger = (text: (column: string) => string) => `CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents WHEN new.language_code = 'en' AND NOT ${BATCHED} BEGIN
      INSERT INTO documents_fts(rowid, title, body) VALUES (new.doc_key, coalesce(new.search_title, new.title), coalesce(${text('new.search_body')}, ${text('new.body')})); END`;
const ftsPlainInsertTrigger = (text: (column: string) => string) => `CREATE TRIGGER documents_fts_plain_insert AFTER INSERT ON documents WHEN new.language_code <> 'en' AND NOT ${BATCHED} BEGIN
      INSERT INTO documents_fts_plain(rowid, title, body) VALUES (new.doc_key, new.search_title, ${text('new.search_body')}); END`;
const ftsUpdateTrigger = (text: (column: string) => string) => `CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, body, search_title, search_body, language_code ON documents WHEN NOT ${BATCHED} BEGIN
      DELETE FROM documents_fts WHERE rowid = old.doc_key AND old.language_code = 'en';
      DELETE FROM documents_fts_plain WHERE rowid = old.doc_key AND old.language_code <> 'en';
      INSERT INTO documents_fts(rowid, title, body) SELECT new.doc_key, coalesce(new.search_title, new.title), coalesce(${text('new.search_body')}, ${text('new.body')}) WHERE new.language_code = 'en';
      INSERT INTO documents_fts_plain(rowid, title, body) SELECT new.doc_key, new.search_title, ${text('new.search_body')} WHERE new.language_code <> 'en'; END`;

/** Whether a status is searchable, as document_counts counts it (a version's statuses: fixed with it). */
const COUNTED_SEARCHABLE = (status: string) => `(${status} IN ('INDEXED', 'UPDATED', 'UPDATE_FAILED'))`;
const countAdd = (row: string) => `INSERT INTO document_counts (index_id, language_code, searchable, n) VALUES (${row}.index_id, ${row}.language_code, ${COUNTED_SEARCHABLE(`${row}.status`)}, 1)
      ON CONFLICT (index_id, language_code, searchable) DO UPDATE SET n = n + 1;`;
const countRemove = (row: string) => `UPDATE document_counts SET n = n - 1 WHERE index_id = ${row}.index_id AND language_code = ${row}.language_code AND searchable = ${COUNTED_SEARCHABLE(`${row}.status`)};`;

/** SQLite schema, one entry per version. Applied in order, each once (see migrate.ts). */
export const SQLITE_MIGRATIONS: MigrationStep[][] = [
  [
    `CREATE TABLE indices (
      id TEXT PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
      edition TEXT NOT NULL, role_arn TEXT NOT NULL, description TEXT, status TEXT NOT NULL,
      error_message TEXT, settings TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
      transition_at INTEGER)`,
    `CREATE INDEX indices_scope ON indices(account_id, region, created_at, id)`,
    `CREATE TABLE data_sources (
      id TEXT PRIMARY KEY, index_id TEXT NOT NULL, account_id TEXT NOT NULL, region TEXT NOT NULL,
      name TEXT NOT NULL, type TEXT NOT NULL, configuration TEXT, vpc_configuration TEXT,
      enrichment_configuration TEXT, description TEXT, schedule TEXT, role_arn TEXT, language_code TEXT,
      status TEXT NOT NULL, error_message TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
      transition_at INTEGER, next_run_at INTEGER)`,
    `CREATE UNIQUE INDEX data_sources_name ON data_sources(index_id, name)`,
    `CREATE INDEX data_sources_list ON data_sources(index_id, created_at, id)`,
    `CREATE TABLE tags (resource_arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (resource_arn, key))`,
    `CREATE TABLE client_tokens (
      account_id TEXT NOT NULL, region TEXT NOT NULL, operation TEXT NOT NULL, token TEXT NOT NULL,
      request_hash TEXT NOT NULL, resource_id TEXT NOT NULL, created_at INTEGER NOT NULL,
      PRIMARY KEY (account_id, region, operation, token))`,
    `CREATE TABLE sync_jobs (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, execution_id TEXT NOT NULL UNIQUE, index_id TEXT NOT NULL,
      data_source_id TEXT NOT NULL, data_source_type TEXT NOT NULL, start_time INTEGER NOT NULL, end_time INTEGER, status TEXT NOT NULL,
      error_code TEXT, error_message TEXT, data_source_error_code TEXT,
      documents_added INTEGER NOT NULL DEFAULT 0, documents_modified INTEGER NOT NULL DEFAULT 0,
      documents_deleted INTEGER NOT NULL DEFAULT 0, documents_failed INTEGER NOT NULL DEFAULT 0,
      documents_scanned INTEGER NOT NULL DEFAULT 0, start_slot INTEGER, data_source_snapshot TEXT NOT NULL,
      lease_owner TEXT, lease_expires_at INTEGER, stop_requested INTEGER NOT NULL DEFAULT 0)`,
    // S-JOB-1: at most one job holds a data source's start slot, whatever process inserts it.
    `CREATE UNIQUE INDEX sync_jobs_start_slot ON sync_jobs(data_source_id) WHERE start_slot IS NOT NULL`,
    // S-LIST-6: every page is an index range scan, with or without a status filter.
    `CREATE INDEX sync_jobs_history ON sync_jobs(data_source_id, start_time DESC, seq DESC)`,
    `CREATE INDEX sync_jobs_history_status ON sync_jobs(data_source_id, status, start_time DESC, seq DESC)`,
    `CREATE INDEX sync_jobs_active ON sync_jobs(lease_expires_at) WHERE end_time IS NULL`,
    // The job's timeline: when it reached each status (no status is reached twice: the machine has no cycles).
    `CREATE TABLE sync_job_transitions (seq INTEGER PRIMARY KEY AUTOINCREMENT, execution_id TEXT NOT NULL, status TEXT NOT NULL, at INTEGER NOT NULL, UNIQUE (execution_id, status))`,
    `CREATE TABLE sync_report (
      execution_id TEXT NOT NULL, document_id TEXT NOT NULL, action TEXT NOT NULL, reason TEXT, at INTEGER NOT NULL,
      PRIMARY KEY (execution_id, action, document_id))`,
    `CREATE TABLE documents (
      doc_key INTEGER PRIMARY KEY AUTOINCREMENT, index_id TEXT NOT NULL, document_id TEXT NOT NULL,
      data_source_id TEXT, title TEXT NOT NULL, body TEXT NOT NULL, content_type TEXT, attributes TEXT NOT NULL,
      source_uri TEXT, version TEXT, content_hash TEXT, status TEXT NOT NULL, failure_reason TEXT,
      text_bytes INTEGER NOT NULL DEFAULT 0, applied_seq INTEGER NOT NULL DEFAULT 0, seen_by TEXT,
      created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
    `CREATE UNIQUE INDEX documents_id ON documents(index_id, document_id)`,
    `CREATE INDEX documents_source ON documents(data_source_id, seen_by)`,
    // Search reads of every match only what decides whether it is served and how ties order: from this
    // covering index, not from the wide rows (bodies make them a page each), several times faster.
    `CREATE INDEX documents_visible ON documents(doc_key, index_id, status, data_source_id, document_id)`,
    // Connector syncs: what the source's version was when a document was last indexed, and the last job
    // that saw it. Kept apart from documents, whose rows carry the whole text: stamping 100,000 unchanged
    // documents then touches narrow rows only.
    `CREATE TABLE synced_documents (
      doc_key INTEGER PRIMARY KEY, index_id TEXT NOT NULL, document_id TEXT NOT NULL, data_source_id TEXT NOT NULL, version TEXT, seen_by TEXT)`,
    // Change detection reads this index alone (it holds the version); deletion detection walks the second.
    `CREATE UNIQUE INDEX synced_documents_id ON synced_documents(index_id, document_id, data_source_id, version)`,
    `CREATE INDEX synced_documents_source ON synced_documents(data_source_id, doc_key)`,
    `CREATE TRIGGER documents_synced_delete AFTER DELETE ON documents BEGIN DELETE FROM synced_documents WHERE doc_key = old.doc_key; END`,
    // Diacritics are kept (café is not cafe), as PostgreSQL's english configuration keeps them, so both backends match alike.
    `CREATE VIRTUAL TABLE documents_fts USING fts5(title, body, content='documents', content_rowid='doc_key', tokenize='porter unicode61 remove_diacritics 0')`,
    `CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
      INSERT INTO documents_fts(rowid, title, body) VALUES (new.doc_key, new.title, new.body); END`,
    `CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
      INSERT INTO documents_fts(documents_fts, rowid, title, body) VALUES ('delete', old.doc_key, old.title, old.body); END`,
    `CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, body ON documents BEGIN
      INSERT INTO documents_fts(documents_fts, rowid, title, body) VALUES ('delete', old.doc_key, old.title, old.body);
      INSERT INTO documents_fts(rowid, title, body) VALUES (new.doc_key, new.title, new.body); END`,
    // Search: one row per attribute value (a string list has one per element) for filters, facets and sorting,
    // kept in step with documents.attributes by triggers; _data_source_id comes from the column.
    `CREATE TABLE document_attributes (
      doc_key INTEGER NOT NULL, index_id TEXT NOT NULL, key TEXT NOT NULL, value_type TEXT NOT NULL, str TEXT, num INTEGER)`,
    `CREATE INDEX document_attributes_str ON document_attributes(index_id, key, value_type, str, doc_key)`,
    `CREATE INDEX document_attributes_num ON document_attributes(index_id, key, value_type, num, doc_key)`,
    `CREATE INDEX document_attributes_doc ON document_attributes(doc_key, key)`,
    `CREATE TRIGGER documents_attributes_insert AFTER INSERT ON documents BEGIN ${attributeRows(false)} END`,
    `CREATE TRIGGER documents_attributes_update AFTER UPDATE OF attributes, data_source_id ON documents BEGIN
      DELETE FROM document_attributes WHERE doc_key = old.doc_key; ${attributeRows(false)} END`,
    // Retrieve: each document's text cut into passages (written by store/searchPassages.ts), with their own full-text index.
    // Each passage carries its document's title, so that a title match finds the document's passages too.
    `CREATE TABLE document_passages (
      passage_key INTEGER PRIMARY KEY AUTOINCREMENT, doc_key INTEGER NOT NULL, ordinal INTEGER NOT NULL, title TEXT NOT NULL, content TEXT NOT NULL)`,
    `CREATE INDEX document_passages_doc ON document_passages(doc_key, ordinal)`,
    `CREATE VIRTUAL TABLE passages_fts USING fts5(title, content, content='document_passages', content_rowid='passage_key', tokenize='porter unicode61 remove_diacritics 0')`,
    `CREATE TRIGGER document_passages_fts_insert AFTER INSERT ON document_passages BEGIN
      INSERT INTO passages_fts(rowid, title, content) VALUES (new.passage_key, new.title, new.content); END`,
    `CREATE TRIGGER document_passages_fts_delete AFTER DELETE ON document_passages BEGIN
      INSERT INTO passages_fts(passages_fts, rowid, title, content) VALUES ('delete', old.passage_key, old.title, old.content); END`,
    `CREATE TRIGGER documents_search_delete AFTER DELETE ON documents BEGIN
      DELETE FROM document_attributes WHERE doc_key = old.doc_key;
      DELETE FROM document_passages WHERE doc_key = old.doc_key; END`,
    `CREATE TABLE query_feedback (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, index_id TEXT NOT NULL, query_id TEXT NOT NULL, result_id TEXT NOT NULL,
      kind TEXT NOT NULL, relevance TEXT, click_time INTEGER, received_at INTEGER NOT NULL)`,
    `CREATE INDEX query_feedback_query ON query_feedback(index_id, query_id)`,
    `CREATE TABLE document_queue (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, index_id TEXT NOT NULL, document_id TEXT NOT NULL, op TEXT NOT NULL,
      data_source_id TEXT, execution_id TEXT, document TEXT, content BLOB, claimed_by TEXT, claimed_until INTEGER,
      enqueued_at INTEGER NOT NULL)`,
    `CREATE INDEX document_queue_job ON document_queue(execution_id)`,
    `CREATE INDEX document_queue_doc ON document_queue(index_id, document_id)`,
    `CREATE TABLE server_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  ],
  // 2: every document has a language (its _language_code, else its data source's LanguageCode, else en),
  // kept in a column as _data_source_id is, so that the language every search filters on is read from the covering index.
  [
    `ALTER TABLE documents ADD COLUMN language_code TEXT NOT NULL DEFAULT 'en'`,
    `UPDATE documents SET language_code = ${LANGUAGE_OF_ROW} WHERE ${LANGUAGE_OF_ROW} <> 'en'`,
    `DROP TRIGGER documents_attributes_insert`,
    `DROP TRIGGER documents_attributes_update`,
    `CREATE TRIGGER documents_attributes_insert AFTER INSERT ON documents BEGIN ${attributeRows(true)} END`,
    `CREATE TRIGGER documents_attributes_update AFTER UPDATE OF attributes, data_source_id, language_code ON documents BEGIN
      DELETE FROM document_attributes WHERE doc_key = old.doc_key; ${attributeRows(true)} END`,
    `DELETE FROM document_attributes WHERE key = '_language_code'`,
    `INSERT INTO document_attributes (doc_key, index_id, key, value_type, str, num) SELECT doc_key, index_id, '_language_code', 'STRING', language_code, NULL FROM documents`,
    `DROP INDEX documents_visible`,
    `CREATE INDEX documents_visible ON documents(doc_key, index_id, status, data_source_id, document_id, language_code)`,
  ],
  [
    // Access control (domain/access.ts): per document, a row per level ('L') and per allowed ('A') or
    // denied ('D') principal key. Search checks a document's few rows against the caller's keys.
    `CREATE TABLE document_access (
      doc_key INTEGER NOT NULL, level INTEGER NOT NULL, access TEXT NOT NULL, principal TEXT NOT NULL,
      PRIMARY KEY (doc_key, access, level, principal)) WITHOUT ROWID`,
    `CREATE TRIGGER documents_access_delete AFTER DELETE ON documents BEGIN DELETE FROM document_access WHERE doc_key = old.doc_key; END`,
  ],
  [
    // Principal mapping (PutPrincipalMapping): each group's latest OrderingId (kept after a delete, so
    // an older update arriving late cannot bring the group back), its members (users and sub-groups;
    // data_source_id '' is a group of every data source), and each group's status history.
    `CREATE TABLE principal_groups (
      index_id TEXT NOT NULL, data_source_id TEXT NOT NULL, group_id TEXT NOT NULL, ordering_id INTEGER NOT NULL,
      deleted INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL, PRIMARY KEY (index_id, data_source_id, group_id))`,
    `CREATE INDEX principal_groups_ordering ON principal_groups(index_id, data_source_id, ordering_id, group_id)`,
    `CREATE TABLE principal_members (
      index_id TEXT NOT NULL, data_source_id TEXT NOT NULL, group_id TEXT NOT NULL,
      member_type TEXT NOT NULL, member_id TEXT NOT NULL, member_data_source_id TEXT NOT NULL,
      PRIMARY KEY (index_id, data_source_id, group_id, member_type, member_id, member_data_source_id))`,
    // Query time: the groups a user or a group belongs to.
    `CREATE INDEX principal_members_member ON principal_members(index_id, member_type, member_id, member_data_source_id)`,
    `CREATE TABLE principal_mapping_history (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, index_id TEXT NOT NULL, data_source_id TEXT NOT NULL, group_id TEXT NOT NULL,
      ordering_id INTEGER NOT NULL, status TEXT NOT NULL, failure_reason TEXT, received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
    `CREATE INDEX principal_mapping_history_group ON principal_mapping_history(index_id, data_source_id, group_id, seq)`,
  ],
  [
    // Access control configurations: access lists documents point at by id. Which documents point at
    // which configuration is kept apart, so an update rewrites those documents' access rows only.
    `CREATE TABLE access_configurations (
      id TEXT PRIMARY KEY, index_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT, acl TEXT NOT NULL,
      created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
    `CREATE INDEX access_configurations_list ON access_configurations(index_id, created_at, id)`,
    `CREATE TABLE document_access_configurations (doc_key INTEGER PRIMARY KEY, configuration_id TEXT NOT NULL)`,
    `CREATE INDEX document_access_configurations_configuration ON document_access_configurations(configuration_id, doc_key)`,
    `CREATE TRIGGER documents_access_configuration_delete AFTER DELETE ON documents BEGIN DELETE FROM document_access_configurations WHERE doc_key = old.doc_key; END`,
  ],
  [
    // One row per worker, renewed on its own schedule (sync/leaseKeeper.ts): indexing transactions lock
    // the rows of their jobs, never this one, so a busy process's leases cannot lapse behind its own work.
    `CREATE TABLE worker_heartbeats (worker_id TEXT PRIMARY KEY, alive_until INTEGER NOT NULL)`,
  ],
  // Text analysis by language (search/analysis.ts). English documents stay in documents_fts (porter), given their
  // unspaced runs (Chinese, Japanese, Thai…) cut into words (search_title/search_body, else the text itself); other
  // languages' documents go to documents_fts_plain as the terms kendrite made (no stemmer of FTS5's, which is English).
  // The plain tables keep no copy of the text: a row is deleted by its rowid (contentless_delete).
  [
    `ALTER TABLE documents ADD COLUMN search_title TEXT`,
    `ALTER TABLE documents ADD COLUMN search_body TEXT`,
    `ALTER TABLE document_passages ADD COLUMN language_code TEXT NOT NULL DEFAULT 'en'`,
    `ALTER TABLE document_passages ADD COLUMN search_title TEXT`,
    `ALTER TABLE document_passages ADD COLUMN search_content TEXT`,
    `CREATE VIRTUAL TABLE documents_fts_plain USING fts5(title, body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0')`,
    `CREATE VIRTUAL TABLE passages_fts_plain USING fts5(title, content, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0')`,
    // Documents given another language by migration 2 leave the English index (their passages are rewritten below).
    `INSERT INTO documents_fts(documents_fts, rowid, title, body) SELECT 'delete', doc_key, title, body FROM documents WHERE language_code <> 'en'`,
    `DROP TRIGGER documents_fts_insert`,
    `DROP TRIGGER documents_fts_delete`,
    `DROP TRIGGER documents_fts_update`,
    `DROP TRIGGER document_passages_fts_insert`,
    `DROP TRIGGER document_passages_fts_delete`,
    `CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents WHEN new.language_code = 'en' BEGIN
      INSERT INTO documents_fts(rowid, title, body) VALUES (new.doc_key, coalesce(new.search_title, new.title), coalesce(new.search_body, new.body)); END`,
    `CREATE TRIGGER documents_fts_plain_insert AFTER INSERT ON documents WHEN new.language_code <> 'en' BEGIN
      INSERT INTO documents_fts_plain(rowid, title, body) VALUES (new.doc_key, new.search_title, new.search_body); END`,
    `CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
      INSERT INTO documents_fts(documents_fts, rowid, title, body)
        SELECT 'delete', old.doc_key, coalesce(old.search_title, old.title), coalesce(old.search_body, old.body) WHERE old.language_code = 'en';
      DELETE FROM documents_fts_plain WHERE rowid = old.doc_key AND old.language_code <> 'en'; END`,
    `CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, body, search_title, search_body, language_code ON documents BEGIN
      INSERT INTO documents_fts(documents_fts, rowid, title, body)
        SELECT 'delete', old.doc_key, coalesce(old.search_title, old.title), coalesce(old.search_body, old.body) WHERE old.language_code = 'en';
      DELETE FROM documents_fts_plain WHERE rowid = old.doc_key AND old.language_code <> 'en';
      INSERT INTO documents_fts(rowid, title, body) SELECT new.doc_key, coalesce(new.search_title, new.title), coalesce(new.search_body, new.body) WHERE new.language_code = 'en';
      INSERT INTO documents_fts_plain(rowid, title, body) SELECT new.doc_key, new.search_title, new.search_body WHERE new.language_code <> 'en'; END`,
    `CREATE TRIGGER document_passages_fts_insert AFTER INSERT ON document_passages WHEN new.language_code = 'en' BEGIN
      INSERT INTO passages_fts(rowid, title, content) VALUES (new.passage_key, coalesce(new.search_title, new.title), coalesce(new.search_content, new.content)); END`,
    `CREATE TRIGGER document_passages_fts_plain_insert AFTER INSERT ON document_passages WHEN new.language_code <> 'en' BEGIN
      INSERT INTO passages_fts_plain(rowid, title, content) VALUES (new.passage_key, new.search_title, new.search_content); END`,
    `CREATE TRIGGER document_passages_fts_delete AFTER DELETE ON document_passages BEGIN
      INSERT INTO passages_fts(passages_fts, rowid, title, content)
        SELECT 'delete', old.passage_key, coalesce(old.search_title, old.title), coalesce(old.search_content, old.content) WHERE old.language_code = 'en';
      DELETE FROM passages_fts_plain WHERE rowid = old.passage_key AND old.language_code <> 'en'; END`,
    analyzeStoredDocuments,
  ],
  // The principal mapping's version per index, bumped by every action applied (store/principalMappings.ts): a
  // process caches each caller's expanded groups under it, and a query reads it (one row) to know the cache is current.
  [`CREATE TABLE principal_mapping_versions (index_id TEXT PRIMARY KEY, version INTEGER NOT NULL)`],
  // The web crawler's memory of each page (validators for a conditional GET, its links, its version), per data source.
  [
    `CREATE TABLE web_pages (data_source_id TEXT NOT NULL, url TEXT NOT NULL, state TEXT NOT NULL, crawl TEXT NOT NULL, PRIMARY KEY (data_source_id, url))`,
  ],
  // The progress of a sync (issue 13): how many documents the connector expects to list, once it knows.
  [`ALTER TABLE sync_jobs ADD COLUMN documents_expected INTEGER`],
  // Experiences (api/experiences.ts): search applications of an index, and the users and groups given access to each.
  [
    `CREATE TABLE experiences (
      id TEXT PRIMARY KEY, index_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT, role_arn TEXT, configuration TEXT,
      status TEXT NOT NULL, transition_at BIGINT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
    `CREATE INDEX experiences_list ON experiences(index_id, created_at, id)`,
    `CREATE TABLE experience_entities (
      experience_id TEXT NOT NULL, entity_id TEXT NOT NULL, entity_type TEXT NOT NULL, persona TEXT,
      persona_created_at BIGINT, persona_updated_at BIGINT, created_at BIGINT NOT NULL, PRIMARY KEY (experience_id, entity_id))`,
  ],
  // FAQs, featured results and thesauri (api/faqs.ts, featuredResults.ts, thesauri.ts). A FAQ's questions are indexed
  // as kendrite's own terms (search/faqAnswers.ts), so both backends match them alike.
  [
    `CREATE TABLE faqs (
      id TEXT PRIMARY KEY, index_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT, s3_bucket TEXT NOT NULL, s3_key TEXT NOT NULL,
      role_arn TEXT NOT NULL, file_format TEXT NOT NULL, language_code TEXT NOT NULL, status TEXT NOT NULL, error_message TEXT,
      created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
    `CREATE INDEX faqs_list ON faqs(index_id, created_at, id)`,
    `CREATE TABLE faq_entries (
      entry_key INTEGER PRIMARY KEY AUTOINCREMENT, faq_id TEXT NOT NULL, index_id TEXT NOT NULL, language_code TEXT NOT NULL,
      question TEXT NOT NULL, answer TEXT NOT NULL, source_uri TEXT, attributes TEXT NOT NULL, search_question TEXT NOT NULL)`,
    `CREATE INDEX faq_entries_faq ON faq_entries(faq_id)`,
    `CREATE VIRTUAL TABLE faq_entries_fts USING fts5(search_question, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0')`,
    `CREATE TRIGGER faq_entries_fts_insert AFTER INSERT ON faq_entries BEGIN INSERT INTO faq_entries_fts(rowid, search_question) VALUES (new.entry_key, new.search_question); END`,
    `CREATE TRIGGER faq_entries_fts_delete AFTER DELETE ON faq_entries BEGIN DELETE FROM faq_entries_fts WHERE rowid = old.entry_key; END`,
    `CREATE TABLE featured_results_sets (
      id TEXT PRIMARY KEY, index_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT, status TEXT NOT NULL,
      query_texts TEXT NOT NULL, documents TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
    `CREATE INDEX featured_results_sets_list ON featured_results_sets(index_id, created_at, id)`,
    `CREATE TABLE featured_query_texts (index_id TEXT NOT NULL, query_text TEXT NOT NULL, set_id TEXT NOT NULL, PRIMARY KEY (index_id, query_text, set_id))`,
    `CREATE INDEX featured_query_texts_set ON featured_query_texts(set_id)`,
    `CREATE TABLE thesauri (
      id TEXT PRIMARY KEY, index_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT, role_arn TEXT NOT NULL,
      s3_bucket TEXT NOT NULL, s3_key TEXT NOT NULL, status TEXT NOT NULL, error_message TEXT,
      file_size_bytes INTEGER NOT NULL, term_count INTEGER NOT NULL, synonym_rule_count INTEGER NOT NULL, rules TEXT NOT NULL,
      created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
    `CREATE INDEX thesauri_list ON thesauri(index_id, created_at, id)`,
  ],
  // Query log (domain/queryLog.ts): every Query, written in batches; suggestions and analytics read it.
  // results: the page's [ResultId, DocumentId] pairs, so that a click (query_feedback) names its document.
  // Query suggestion settings per index, and block lists read from S3.
  [
    // No AUTOINCREMENT: retention removes the oldest entries only, so rowids still only grow.
    `CREATE TABLE query_log (
      seq INTEGER PRIMARY KEY, index_id TEXT NOT NULL, query_id TEXT NOT NULL, query_text TEXT NOT NULL, normalized_text TEXT NOT NULL,
      filter TEXT, result_count INTEGER NOT NULL, user_id TEXT, results TEXT NOT NULL, at INTEGER NOT NULL)`,
    // Retention deletes by age over every index; suggestions group an index's texts (covering, so the 1,000,000-entry grouping reads the index only).
    `CREATE INDEX query_log_age ON query_log(at)`,
    `CREATE INDEX query_log_time ON query_log(index_id, at)`,
    `CREATE INDEX query_log_text ON query_log(index_id, normalized_text, at, user_id, result_count)`,
    `CREATE INDEX query_log_query ON query_log(index_id, query_id)`,
    `CREATE TABLE query_suggestions_settings (
      index_id TEXT PRIMARY KEY, settings TEXT NOT NULL, last_clear_time INTEGER, updated_at INTEGER NOT NULL)`,
    `CREATE TABLE query_suggestions_block_lists (
      id TEXT PRIMARY KEY, index_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT, source_bucket TEXT NOT NULL, source_key TEXT NOT NULL,
      role_arn TEXT NOT NULL, status TEXT NOT NULL, error_message TEXT, item_count INTEGER, file_size_bytes INTEGER, items TEXT NOT NULL,
      created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
    `CREATE INDEX query_suggestions_block_lists_list ON query_suggestions_block_lists(index_id, created_at, id)`,
  ],
  // The web crawler's frontier (connectors/web/frontier.ts): every URL a running crawl has queued, so that its
  // memory stays flat however large the site. ord: the order queued in (breadth first). Cleared at each crawl's start and end.
  [
    `CREATE TABLE web_frontier (data_source_id TEXT NOT NULL, url TEXT NOT NULL, ord INTEGER NOT NULL, depth INTEGER NOT NULL, start_page INTEGER NOT NULL, PRIMARY KEY (data_source_id, url))`,
    `CREATE INDEX web_frontier_order ON web_frontier(data_source_id, ord)`,
  ],
  // Issue 14: the English full-text indexes become contentless with deletes, as the other languages' already are. With
  // external content, removing a row from the index meant reading and tokenizing its old text again (a modified document
  // cost twice an added one); now a delete is a tombstone by rowid. Their text is re-indexed from the rows, in place.
  [
    `DROP TRIGGER documents_fts_insert`,
    `DROP TRIGGER documents_fts_delete`,
    `DROP TRIGGER documents_fts_update`,
    `DROP TRIGGER document_passages_fts_insert`,
    `DROP TRIGGER document_passages_fts_delete`,
    `DROP TABLE documents_fts`,
    `DROP TABLE passages_fts`,
    `CREATE VIRTUAL TABLE documents_fts USING fts5(title, body, content='', contentless_delete=1, tokenize='porter unicode61 remove_diacritics 0')`,
    `CREATE VIRTUAL TABLE passages_fts USING fts5(title, content, content='', contentless_delete=1, tokenize='porter unicode61 remove_diacritics 0')`,
    `INSERT INTO documents_fts(rowid, title, body) SELECT doc_key, coalesce(search_title, title), coalesce(search_body, body) FROM documents WHERE language_code = 'en'`,
    `INSERT INTO passages_fts(rowid, title, content) SELECT passage_key, coalesce(search_title, title), coalesce(search_content, content) FROM document_passages WHERE language_code = 'en'`,
    `CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents WHEN new.language_code = 'en' BEGIN
      INSERT INTO documents_fts(rowid, title, body) VALUES (new.doc_key, coalesce(new.search_title, new.title), coalesce(new.search_body, new.body)); END`,
    `CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
      DELETE FROM documents_fts WHERE rowid = old.doc_key AND old.language_code = 'en';
      DELETE FROM documents_fts_plain WHERE rowid = old.doc_key AND old.language_code <> 'en'; END`,
    `CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, body, search_title, search_body, language_code ON documents BEGIN
      DELETE FROM documents_fts WHERE rowid = old.doc_key AND old.language_code = 'en';
      DELETE FROM documents_fts_plain WHERE rowid = old.doc_key AND old.language_code <> 'en';
      INSERT INTO documents_fts(rowid, title, body) SELECT new.doc_key, coalesce(new.search_title, new.title), coalesce(new.search_body, new.body) WHERE new.language_code = 'en';
      INSERT INTO documents_fts_plain(rowid, title, body) SELECT new.doc_key, new.search_title, new.search_body WHERE new.language_code <> 'en'; END`,
    `CREATE TRIGGER document_passages_fts_insert AFTER INSERT ON document_passages WHEN new.language_code = 'en' BEGIN
      INSERT INTO passages_fts(rowid, title, content) VALUES (new.passage_key, coalesce(new.search_title, new.title), coalesce(new.search_content, new.content)); END`,
    `CREATE TRIGGER document_passages_fts_delete AFTER DELETE ON document_passages BEGIN
      DELETE FROM passages_fts WHERE rowid = old.passage_key AND old.language_code = 'en';
      DELETE FROM passages_fts_plain WHERE rowid = old.passage_key AND old.language_code <> 'en'; END`,
    // A segment is merged for its deleted rows once half of them are (FTS5's default, a tenth, made the deletes
    // of a modification pay for rewriting whole segments: a modified document cost 1.5× an added one, a deleted one 0.6×).
    ...['documents_fts', 'passages_fts', 'documents_fts_plain', 'passages_fts_plain'].map((t) => `INSERT INTO ${t}(${t}, rank) VALUES ('deletemerge', 50)`),
  ],
  // Issue 14: the text is indexed once, by document. Retrieve's passages (and ANSWER results') are cut from the best
  // documents' text when asked for (search/passageRanking.ts), so the passages' copy of the text and their full-text
  // indexes go: they cost twice the documents' index at every write, and as much again on disk.
  [
    `DROP TRIGGER document_passages_fts_insert`,
    `DROP TRIGGER document_passages_fts_plain_insert`,
    `DROP TRIGGER document_passages_fts_delete`,
    `DROP TABLE passages_fts`,
    `DROP TABLE passages_fts_plain`,
    `DROP TABLE document_passages`,
    `DROP TRIGGER documents_search_delete`,
    `CREATE TRIGGER documents_search_delete AFTER DELETE ON documents BEGIN DELETE FROM document_attributes WHERE doc_key = old.doc_key; END`,
    // A batch of writes changes its documents' text in the index together, at its end (store/documents.ts withTextBatched):
    // while row 0 is in documents_text_pending, the triggers note there each document whose text changed, with the index
    // its text is to go to (english) and the one its old text is in (indexed_english; null: none), instead of writing them.
    `CREATE TABLE documents_text_pending (doc_key INTEGER PRIMARY KEY, english INTEGER, indexed_english INTEGER)`,
    `DROP TRIGGER documents_fts_insert`,
    `DROP TRIGGER documents_fts_plain_insert`,
    `DROP TRIGGER documents_fts_update`,
    `DROP TRIGGER documents_fts_delete`,
    ftsInsertTrigger(asStored),
    ftsPlainInsertTrigger(asStored),
    `CREATE TRIGGER documents_text_pending_insert AFTER INSERT ON documents WHEN ${BATCHED} BEGIN
      INSERT INTO documents_text_pending (doc_key, english, indexed_english) VALUES (new.doc_key, new.language_code = 'en', NULL); END`,
    ftsUpdateTrigger(asStored),
    // The first change of the batch tells where the old text is.
    `CREATE TRIGGER documents_text_pending_update AFTER UPDATE OF title, body, search_title, search_body, language_code ON documents WHEN ${BATCHED} BEGIN
      INSERT INTO documents_text_pending (doc_key, english, indexed_english) VALUES (new.doc_key, new.language_code = 'en', old.language_code = 'en')
        ON CONFLICT (doc_key) DO UPDATE SET english = excluded.english; END`,
    `CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
      DELETE FROM documents_fts WHERE rowid = old.doc_key AND old.language_code = 'en';
      DELETE FROM documents_fts_plain WHERE rowid = old.doc_key AND old.language_code <> 'en';
      DELETE FROM documents_text_pending WHERE doc_key = old.doc_key; END`,
  ],
  // Issue 14 (query throughput): a document's attribute rows are read by its key with their values, all in the index.
  // A filtered search probes each document its text matched (search/attributeFilter.ts, plan 'probe') instead of
  // gathering every document holding the value; sort keys, relevance fields and nested facets read the same way.
  [
    `DROP INDEX document_attributes_doc`,
    `CREATE INDEX document_attributes_doc ON document_attributes(doc_key, key, value_type, str, num)`,
  ],
  // Issue 14 (write cost, size on disk): FTS5 writes its pending terms out as a new level-0 segment whenever they pass
  // 'hashsize' (1 MB by default), so one batch of writes (256 documents of 1-20 KB) made several small segments, each
  // read and rewritten again by the merges. At 4 MB a batch is mostly one segment: in a full sync of 768 documents
  // SQLite executed 36 % fewer instructions (callgrind: flushing 57 % fewer, merging 71 % fewer); the size on disk is
  // the same within what the timing of merges moves it by. Persistent configuration (each table's _config row), so
  // databases made before keep it too. (PostgreSQL's entry of this version compresses its tsvectors with lz4.)
  ['documents_fts', 'documents_fts_plain'].map((t) => `INSERT INTO ${t}(${t}, rank) VALUES ('hashsize', ${4 * 1024 * 1024})`),
  // Issue 14 (query CPU): the version of what a Query's features read (thesauri, featured results, FAQs), per index,
  // bumped by triggers in the transaction of every change to them. Query reads it with the index's row, which it reads
  // anyway, and a process keeps what it loaded for that version (domain/indexFeatures.ts): three statements a query
  // fewer, with another process's change seen by the next Query. faq_entries change only with their faqs row.
  [
    `ALTER TABLE indices ADD COLUMN features_version INTEGER NOT NULL DEFAULT 0`,
    ...sqliteVersionTriggers('features_version', 'features', FEATURE_TABLES),
  ],
  // Issue 12 (GetQuerySuggestions): the version of what decides which logged queries are suggested (settings, last
  // clear, block lists), per index, bumped the same way. GetQuerySuggestions reads it with the index's row, which it
  // reads anyway, and rebuilds its structure when it changed: another process's UpdateQuerySuggestionsConfig is seen.
  [`ALTER TABLE indices ADD COLUMN suggestions_version INTEGER NOT NULL DEFAULT 0`, ...sqliteVersionTriggers('suggestions_version', 'suggestions', SUGGESTION_TABLES)],
  // Issue 14 (size on disk): a document's text, and the analysed form of it other languages are indexed from (search_body),
  // are stored compressed (store/packedText.ts: deflate, in a BLOB, when smaller), 43 % of their bytes on the indexing
  // bench's text: 2.03 bytes on disk per byte of text became 1.47. The full-text index
  // is contentless, so only kendrite reads the column: searches and the index's writes through kendrite_text(), which
  // reads both forms. Rows written before keep their text as it is until they are next written (rewriting every row
  // here would hold the whole table's new copy in the WAL, and the file would not shrink without a VACUUM).
  [
    `DROP TRIGGER documents_fts_insert`,
    `DROP TRIGGER documents_fts_plain_insert`,
    `DROP TRIGGER documents_fts_update`,
    ftsInsertTrigger(unpacked),
    ftsPlainInsertTrigger(unpacked),
    ftsUpdateTrigger(unpacked),
  ],
  // Issue 14 (size on disk per document; the scale bench's ~0.9 KB files took 4.9 bytes on disk per byte of text, the
  // fixed cost of each document's rows and index entries outweighing its text):
  //  - an attribute row holds a string or a number, never both, yet each was in both value indexes (a document of four
  //    strings had four entries of NULL in the number index, 310 bytes): each index keeps only the rows of its kind. A
  //    search names the value (a.str = ?, a.num > ?…), or says IS NOT NULL, so that SQLite may use them.
  //  - the job's report (one line per document a sync adds, modifies, deletes or fails) is held once, in its key's order,
  //    instead of a table and an index of the same columns (WITHOUT ROWID): 100 bytes a line fewer.
  //  - documents_source served deletion detection by seen_by before synced_documents did; it serves only the removal of
  //    a data source's documents now (store/documents.ts purge), which needs the data source alone.
  [
    `DROP INDEX document_attributes_str`,
    `CREATE INDEX document_attributes_str ON document_attributes(index_id, key, value_type, str, doc_key) WHERE str IS NOT NULL`,
    `DROP INDEX document_attributes_num`,
    `CREATE INDEX document_attributes_num ON document_attributes(index_id, key, value_type, num, doc_key) WHERE num IS NOT NULL`,
    `CREATE TABLE sync_report_next (
      execution_id TEXT NOT NULL, document_id TEXT NOT NULL, action TEXT NOT NULL, reason TEXT, at INTEGER NOT NULL,
      PRIMARY KEY (execution_id, action, document_id)) WITHOUT ROWID`,
    `INSERT INTO sync_report_next (execution_id, document_id, action, reason, at) SELECT execution_id, document_id, action, reason, at FROM sync_report`,
    `DROP TABLE sync_report`,
    `ALTER TABLE sync_report_next RENAME TO sync_report`,
    `DROP INDEX documents_source`,
    `CREATE INDEX documents_source ON documents(data_source_id)`,
  ],
  // Issue 14 (size on disk per document): _data_source_id and _language_code, columns of documents since versions 1
  // and 2, are no longer copied into document_attributes as rows: searches read them from the columns
  // (search/attributeRows.ts). At the scale bench's ~0.9 KB files the two rows and their index entries took ~490 bytes
  // a document. Their JSON twins were never rows (the triggers skip them), so every row removed is a column's copy.
  [
    `DROP TRIGGER documents_attributes_insert`,
    `DROP TRIGGER documents_attributes_update`,
    `CREATE TRIGGER documents_attributes_insert AFTER INSERT ON documents BEGIN ${attributeRows(true, false)} END`,
    `CREATE TRIGGER documents_attributes_update AFTER UPDATE OF attributes ON documents BEGIN
      DELETE FROM document_attributes WHERE doc_key = old.doc_key; ${attributeRows(true, false)} END`,
    `DELETE FROM document_attributes WHERE key IN ('_data_source_id', '_language_code')`,
  ],
  // Issue 14 (size on disk per document): a connector's view of a document keeps what is its own (the data source,
  // the version it was indexed at, the last sync that saw it) by the document's key; its index and id are the
  // documents row's, found by documents_id as every write finds them (store/syncDocuments.ts). The copies of both
  // in each row and the index over them (synced_documents_id) took ~270 bytes a document of the scale bench.
  [
    `DROP TRIGGER documents_synced_delete`,
    `CREATE TABLE synced_documents_next (doc_key INTEGER PRIMARY KEY, data_source_id TEXT NOT NULL, version TEXT, seen_by TEXT)`,
    `INSERT INTO synced_documents_next (doc_key, data_source_id, version, seen_by) SELECT doc_key, data_source_id, version, seen_by FROM synced_documents`,
    `DROP TABLE synced_documents`,
    `ALTER TABLE synced_documents_next RENAME TO synced_documents`,
    `CREATE INDEX synced_documents_source ON synced_documents(data_source_id, doc_key)`,
    `CREATE TRIGGER documents_synced_delete AFTER DELETE ON documents BEGIN DELETE FROM synced_documents WHERE doc_key = old.doc_key; END`,
  ],
  // Issue 14 (size on disk per document): _source_uri is no longer copied into document_attributes: searches read it
  // from the documents' source_uri column (search/attributeRows.ts), which the indexer writes from the attribute. At the
  // scale bench's ~0.9 KB files the row (a file: URL of ~75 bytes) and its two index entries took ~350 bytes a document.
  // A FAILED document keeps the attribute in its JSON with the column null; no search reads a FAILED document, so its
  // rows went unread.
  [
    `DROP TRIGGER documents_attributes_insert`,
    `DROP TRIGGER documents_attributes_update`,
    `CREATE TRIGGER documents_attributes_insert AFTER INSERT ON documents BEGIN ${attributeRows(true, false, ['_source_uri'])} END`,
    `CREATE TRIGGER documents_attributes_update AFTER UPDATE OF attributes ON documents BEGIN
      DELETE FROM document_attributes WHERE doc_key = old.doc_key; ${attributeRows(true, false, ['_source_uri'])} END`,
    `DELETE FROM document_attributes WHERE key = '_source_uri' AND value_type = 'STRING'`,
  ],
  // Issue 14 (size on disk per document): _file_type is no longer copied into document_attributes: searches read it
  // as coalesce(file_type, content_type) (search/attributeRows.ts). Every stored document has the attribute, its own or
  // its content type; the indexer writes file_type only where it differs (null, the usual case, takes no byte of the
  // row), and documents.attributes holds the attribute as its key alone. At the scale bench's ~0.9 KB files the row and
  // its two index entries took ~210 bytes a document, the JSON ~45 more. Rows written before keep the whole attribute
  // in their JSON, which reads the same; only those whose _file_type is not their content type are rewritten. A FAILED
  // document keeps the attribute (if it named one) in its JSON with neither column; no search reads it.
  [
    `ALTER TABLE documents ADD COLUMN file_type TEXT`,
    `UPDATE documents SET file_type = (SELECT a.str FROM document_attributes a WHERE a.doc_key = documents.doc_key AND a.key = '_file_type' AND a.value_type = 'STRING' LIMIT 1)
      WHERE doc_key IN (SELECT a.doc_key FROM document_attributes a JOIN documents d ON d.doc_key = a.doc_key
        WHERE a.key = '_file_type' AND a.value_type = 'STRING' AND d.status <> 'FAILED' AND a.str IS NOT d.content_type)`,
    `DROP TRIGGER documents_attributes_insert`,
    `DROP TRIGGER documents_attributes_update`,
    `CREATE TRIGGER documents_attributes_insert AFTER INSERT ON documents BEGIN ${attributeRows(true, false, ['_source_uri', '_file_type'])} END`,
    `CREATE TRIGGER documents_attributes_update AFTER UPDATE OF attributes ON documents BEGIN
      DELETE FROM document_attributes WHERE doc_key = old.doc_key; ${attributeRows(true, false, ['_source_uri', '_file_type'])} END`,
    `DELETE FROM document_attributes WHERE key = '_file_type' AND value_type = 'STRING'`,
  ],
  // Issue 14 (size on disk per document): a report line names its job by the job's key (sync_jobs.seq) instead of its
  // execution id, 36 characters a line (~35 bytes a document a sync adds, of the scale bench's files); statements find
  // the key by the id (store/syncReport.ts). Lines of a job no longer held (none: a job's lines go with it) are dropped.
  [
    `CREATE TABLE sync_report_next (
      job_seq INTEGER NOT NULL, document_id TEXT NOT NULL, action TEXT NOT NULL, reason TEXT, at INTEGER NOT NULL,
      PRIMARY KEY (job_seq, action, document_id)) WITHOUT ROWID`,
    `INSERT INTO sync_report_next (job_seq, document_id, action, reason, at)
      SELECT j.seq, r.document_id, r.action, r.reason, r.at FROM sync_report r JOIN sync_jobs j ON j.execution_id = r.execution_id`,
    `DROP TABLE sync_report`,
    `ALTER TABLE sync_report_next RENAME TO sync_report`,
  ],
  // Issue 14 (size on disk per document): a synced row names the last sync that saw its document by the job's key
  // (sync_jobs.seq) instead of its execution id, 36 characters a document (store/syncDocuments.ts). A row whose sync is
  // no longer held has none, which deletion detection reads as it read another sync's id: not seen by this one.
  [
    `DROP TRIGGER documents_synced_delete`,
    `CREATE TABLE synced_documents_next (doc_key INTEGER PRIMARY KEY, data_source_id TEXT NOT NULL, version TEXT, seen_by INTEGER)`,
    `INSERT INTO synced_documents_next (doc_key, data_source_id, version, seen_by)
      SELECT s.doc_key, s.data_source_id, s.version, j.seq FROM synced_documents s LEFT JOIN sync_jobs j ON j.execution_id = s.seen_by`,
    `DROP TABLE synced_documents`,
    `ALTER TABLE synced_documents_next RENAME TO synced_documents`,
    `CREATE INDEX synced_documents_source ON synced_documents(data_source_id, doc_key)`,
    `CREATE TRIGGER documents_synced_delete AFTER DELETE ON documents BEGIN DELETE FROM synced_documents WHERE doc_key = old.doc_key; END`,
  ],
  // Issue 14 (Query at scale, docs/query-at-scale.md proposal 2): documents counted per index, language and whether
  // searchable (status INDEXED, UPDATED or UPDATE_FAILED: store/documents.ts SEARCHABLE_STATUSES as of this version),
  // kept by triggers in the transaction of every write. When every document of a full-text table's languages is
  // searchable in the one index searched (and no data source of it is being deleted), a plain text search's total is
  // the table's own count of matches (search/fts5.ts), without checking each match's row.
  [
    `CREATE TABLE document_counts (index_id TEXT NOT NULL, language_code TEXT NOT NULL, searchable INTEGER NOT NULL, n INTEGER NOT NULL,
      PRIMARY KEY (index_id, language_code, searchable)) WITHOUT ROWID`,
    `INSERT INTO document_counts (index_id, language_code, searchable, n)
      SELECT index_id, language_code, ${COUNTED_SEARCHABLE('status')}, count(*) FROM documents GROUP BY 1, 2, 3`,
    `CREATE TRIGGER documents_counts_insert AFTER INSERT ON documents BEGIN ${countAdd('new')} END`,
    `CREATE TRIGGER documents_counts_delete AFTER DELETE ON documents BEGIN ${countRemove('old')} END`,
    `CREATE TRIGGER documents_counts_update AFTER UPDATE OF index_id, language_code, status ON documents
      WHEN old.index_id IS NOT new.index_id OR old.language_code IS NOT new.language_code OR ${COUNTED_SEARCHABLE('old.status')} IS NOT ${COUNTED_SEARCHABLE('new.status')}
      BEGIN ${countRemove('old')} ${countAdd('new')} END`,
  ],
  // Issue 14 (size on disk per document): documents and synced_documents name their index and data source by an integer
  // key (store/idKeys.ts), not the 36-character ids: in the row and in documents_id, documents_visible, documents_source
  // and synced_documents_source, ~300 bytes a document of the scale bench's files (docs/sqlite-bytes.md). Both tables are
  // rebuilt with the same doc_keys (the full-text index's rowids), documents' column order kept but for the two keys in
  // place of the ids and without the columns version and seen_by (unread since version 27). document_counts and
  // document_attributes keep the ids: their triggers read a document's index id by its key. The triggers on documents are
  // made again as they were, those that named index_id reading it so.
  [sqliteIdKeys],
];

/** The index id of a documents row `row` (new or old) of version 30, by its key. */
const indexIdOf = (row: string) => `(SELECT id FROM index_keys WHERE key = ${row}.index_key)`;

/** Version 30: keys for indices and data sources, and documents and synced_documents rebuilt with them (see its entry). */
async function sqliteIdKeys(trx: Transaction<Database>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(trx);
  for (const table of ['index_keys', 'data_source_keys']) {
    await run(`CREATE TABLE ${table} (key INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE)`);
  }
  // Every index and data source, in the order they were made; then the ids only documents still name (being purged).
  await run(`INSERT INTO index_keys (id) SELECT id FROM indices ORDER BY created_at, id`);
  await run(`INSERT INTO index_keys (id) SELECT DISTINCT index_id FROM documents WHERE index_id NOT IN (SELECT id FROM index_keys) ORDER BY 1`);
  await run(`INSERT INTO data_source_keys (id) SELECT id FROM data_sources ORDER BY created_at, id`);
  await run(`INSERT INTO data_source_keys (id) SELECT id FROM (SELECT data_source_id AS id FROM documents UNION SELECT data_source_id FROM synced_documents)
    WHERE id IS NOT NULL AND id NOT IN (SELECT id FROM data_source_keys) ORDER BY 1`);
  await run(`CREATE TRIGGER indices_key AFTER INSERT ON indices BEGIN INSERT INTO index_keys (id) SELECT new.id WHERE NOT EXISTS (SELECT 1 FROM index_keys WHERE id = new.id); END`);
  await run(`CREATE TRIGGER data_sources_key AFTER INSERT ON data_sources BEGIN INSERT INTO data_source_keys (id) SELECT new.id WHERE NOT EXISTS (SELECT 1 FROM data_source_keys WHERE id = new.id); END`);

  // documents' triggers as they are, in their order; those naming index_id are made anew below.
  const triggers = (await sql<{ name: string; sql: string }>`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('documents', 'synced_documents') ORDER BY rowid`.execute(trx)).rows;
  const sequence = (await sql<{ seq: number }>`SELECT seq FROM sqlite_sequence WHERE name = 'documents'`.execute(trx)).rows[0]?.seq ?? 0;
  const kept = `document_id, title, body, content_type, attributes, source_uri, content_hash, status, failure_reason, text_bytes, applied_seq,
    created_at, updated_at, language_code, search_title, search_body, file_type`;
  await run(`CREATE TABLE documents_next (
      doc_key INTEGER PRIMARY KEY AUTOINCREMENT, index_key INTEGER NOT NULL, document_id TEXT NOT NULL,
      source_key INTEGER, title TEXT NOT NULL, body TEXT NOT NULL, content_type TEXT, attributes TEXT NOT NULL,
      source_uri TEXT, content_hash TEXT, status TEXT NOT NULL, failure_reason TEXT,
      text_bytes INTEGER NOT NULL DEFAULT 0, applied_seq INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, language_code TEXT NOT NULL DEFAULT 'en', search_title TEXT, search_body TEXT, file_type TEXT)`);
  await run(`INSERT INTO documents_next (doc_key, index_key, source_key, ${kept})
    SELECT d.doc_key, (SELECT k.key FROM index_keys k WHERE k.id = d.index_id), (SELECT k.key FROM data_source_keys k WHERE k.id = d.data_source_id), ${kept.replace(/(\w+)/g, 'd.$1')}
    FROM documents d ORDER BY d.doc_key`);
  await run(`CREATE TABLE synced_documents_next (doc_key INTEGER PRIMARY KEY, source_key INTEGER NOT NULL, version TEXT, seen_by INTEGER)`);
  await run(`INSERT INTO synced_documents_next (doc_key, source_key, version, seen_by)
    SELECT s.doc_key, (SELECT k.key FROM data_source_keys k WHERE k.id = s.data_source_id), s.version, s.seen_by FROM synced_documents s ORDER BY s.doc_key`);
  await run(`DROP TABLE synced_documents`);
  await run(`DROP TABLE documents`);
  await run(`ALTER TABLE documents_next RENAME TO documents`);
  await run(`ALTER TABLE synced_documents_next RENAME TO synced_documents`);
  // A doc_key is never reused either (the full-text index and every table of a document's rows know it by its key).
  await run(`DELETE FROM sqlite_sequence WHERE name = 'documents'`);
  await run(`INSERT INTO sqlite_sequence (name, seq) VALUES ('documents', max(${Number(sequence)}, (SELECT coalesce(max(doc_key), 0) FROM documents)))`);
  await run(`CREATE UNIQUE INDEX documents_id ON documents(index_key, document_id)`);
  await run(`CREATE INDEX documents_visible ON documents(doc_key, index_key, status, source_key, document_id, language_code)`);
  await run(`CREATE INDEX documents_source ON documents(source_key)`);
  await run(`CREATE INDEX synced_documents_source ON synced_documents(source_key, doc_key)`);
  const remade: Record<string, string> = {
    documents_attributes_insert: `CREATE TRIGGER documents_attributes_insert AFTER INSERT ON documents BEGIN ${attributeRowsByKey()} END`,
    documents_attributes_update: `CREATE TRIGGER documents_attributes_update AFTER UPDATE OF attributes ON documents BEGIN
      DELETE FROM document_attributes WHERE doc_key = old.doc_key; ${attributeRowsByKey()} END`,
    documents_counts_insert: `CREATE TRIGGER documents_counts_insert AFTER INSERT ON documents BEGIN ${countAddByKey('new')} END`,
    documents_counts_delete: `CREATE TRIGGER documents_counts_delete AFTER DELETE ON documents BEGIN ${countRemoveByKey('old')} END`,
    documents_counts_update: `CREATE TRIGGER documents_counts_update AFTER UPDATE OF index_key, language_code, status ON documents
      WHEN old.index_key IS NOT new.index_key OR old.language_code IS NOT new.language_code OR ${COUNTED_SEARCHABLE('old.status')} IS NOT ${COUNTED_SEARCHABLE('new.status')}
      BEGIN ${countRemoveByKey('old')} ${countAddByKey('new')} END`,
  };
  for (const t of triggers) {
    const text = remade[t.name] ?? t.sql;
    if (!remade[t.name] && /\bindex_id\b|\bdata_source_id\b/.test(text)) throw new Error(`migration 30: trigger ${t.name} names a column it rebuilds`);
    await run(text);
  }
}

/** Version 30's attribute rows of a document `new` (as version 26's), its index id read by its key. */
const attributeRowsByKey = () => attributeRows(true, false, ['_source_uri', '_file_type']).replaceAll('new.index_id', indexIdOf('new'));
const countAddByKey = (row: string) => countAdd(row).replaceAll(`${row}.index_id`, indexIdOf(row));
const countRemoveByKey = (row: string) => countRemove(row).replaceAll(`${row}.index_id`, indexIdOf(row));
