/**
 * The trigger function keeping document_attributes in step with documents.attributes. The columns
 * give `_data_source_id` and (from version 2) `_language_code`; their JSON twins are skipped, and so are the
 * STRINGs of `heldKeys`, read from columns of their own (search/attributeRows.ts): from version 24 `_source_uri`,
 * from version 25 `_file_type`.
 */
const attributesSync = (languageColumn: boolean, columnRows = true, heldKeys: string[] = []) => `documents_attributes_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP <> 'INSERT' THEN DELETE FROM document_attributes WHERE doc_key = OLD.doc_key; END IF;
      IF TG_OP <> 'DELETE' THEN
        INSERT INTO document_attributes (doc_key, index_id, key, value_type, str, num)
        SELECT NEW.doc_key, NEW.index_id, a->>'Key', 'STRING', a->'Value'->>'StringValue', NULL::bigint FROM jsonb_array_elements(NEW.attributes::jsonb) a
          WHERE jsonb_typeof(a->'Value'->'StringValue') = 'string' AND a->>'Key' <> '_data_source_id'${languageColumn ? ` AND a->>'Key' <> '_language_code'` : ''}${
            heldKeys.map((k) => ` AND a->>'Key' <> '${k}'`).join('')}
        UNION ALL SELECT NEW.doc_key, NEW.index_id, a->>'Key', 'STRING_LIST', l, NULL::bigint
          FROM jsonb_array_elements(NEW.attributes::jsonb) a, jsonb_array_elements_text(a->'Value'->'StringListValue') l
          WHERE jsonb_typeof(a->'Value'->'StringListValue') = 'array'
        UNION ALL SELECT NEW.doc_key, NEW.index_id, a->>'Key', 'LONG', NULL::text, (a->'Value'->>'LongValue')::numeric::bigint FROM jsonb_array_elements(NEW.attributes::jsonb) a
          WHERE jsonb_typeof(a->'Value'->'LongValue') = 'number' AND abs((a->'Value'->>'LongValue')::numeric) < 9e18
        UNION ALL SELECT NEW.doc_key, NEW.index_id, a->>'Key', 'DATE', NULL::text, round(extract(epoch FROM (a->'Value'->>'DateValue')::timestamptz) * 1000)::bigint
          FROM jsonb_array_elements(NEW.attributes::jsonb) a WHERE jsonb_typeof(a->'Value'->'DateValue') = 'string'
            -- Only what JSON.stringify makes of a Date: anything else would abort the whole indexing transaction.
            AND a->'Value'->>'DateValue' ~ '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$'
${columnRows ? `
        UNION ALL SELECT NEW.doc_key, NEW.index_id, '_data_source_id', 'STRING', NEW.data_source_id, NULL::bigint WHERE NEW.data_source_id IS NOT NULL${
          languageColumn ? `
        UNION ALL SELECT NEW.doc_key, NEW.index_id, '_language_code', 'STRING', NEW.language_code, NULL::bigint` : ''}` : ''};
      END IF;
      RETURN NULL;
    END $$`;

/**
 * From version 28: the attribute rows of the documents `rows` names (a FROM item with doc_key, index_id and attributes),
 * the same as attributesSync(true, false, true) wrote, with each document's JSON parsed once (each of the four value
 * kinds read it anew: a cast of the text to jsonb, then its elements). An attribute held by a column (stored as its key
 * alone) yields nothing.
 */
const attributeValueRows = (rows: string) => `INSERT INTO document_attributes (doc_key, index_id, key, value_type, str, num)
        SELECT d.doc_key, d.index_id, e.key, r.value_type, r.str, r.num
        FROM ${rows} d, LATERAL (SELECT a->>'Key' AS key, a->'Value' AS v FROM jsonb_array_elements(d.attributes::jsonb) a) e, LATERAL (
          SELECT 'STRING', e.v->>'StringValue', NULL::bigint
            WHERE jsonb_typeof(e.v->'StringValue') = 'string' AND e.key NOT IN ('_data_source_id', '_language_code', '_source_uri', '_file_type')
          UNION ALL SELECT 'STRING_LIST', l, NULL::bigint
            FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(e.v->'StringListValue') = 'array' THEN e.v->'StringListValue' END) l
          UNION ALL SELECT 'LONG', NULL::text, (e.v->>'LongValue')::numeric::bigint
            WHERE jsonb_typeof(e.v->'LongValue') = 'number' AND abs((e.v->>'LongValue')::numeric) < 9e18
          UNION ALL SELECT 'DATE', NULL::text, round(extract(epoch FROM (e.v->>'DateValue')::timestamptz) * 1000)::bigint
            WHERE jsonb_typeof(e.v->'DateValue') = 'string'
              -- Only what JSON.stringify makes of a Date: anything else would abort the whole indexing transaction.
              AND e.v->>'DateValue' ~ '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$'
        ) r(value_type, str, num)
        WHERE e.v IS NOT NULL`;

/** Version 28's row trigger function: a changed document's rows replaced, a removed one's removed. */
const ATTRIBUTES_SYNC_ONCE = `documents_attributes_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP <> 'INSERT' THEN DELETE FROM document_attributes WHERE doc_key = OLD.doc_key; END IF;
      IF TG_OP <> 'DELETE' THEN
        ${attributeValueRows('(SELECT NEW.doc_key AS doc_key, NEW.index_id AS index_id, NEW.attributes AS attributes)')};
      END IF;
      RETURN NULL;
    END $$`;

/** Version 29's statement trigger function: version 28's, each document's index id read by its key (store/idKeys.ts). */
const ATTRIBUTES_INSERTED_BY_KEY = `documents_attributes_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      ${attributeValueRows('(SELECT a.doc_key, k.id AS index_id, a.attributes FROM added a JOIN index_keys k ON k.key = a.index_key)')};
      RETURN NULL;
    END $$`;

/** Version 28's statement trigger function: the rows of every document an INSERT added (its transition table, `added`), in one statement. */
const ATTRIBUTES_INSERTED = `documents_attributes_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      ${attributeValueRows('added')};
      RETURN NULL;
    END $$`;

import type { MigrationStep } from '../migrate.js';
import { analyzeStoredDocuments } from './analyzeStored.js';
import { FEATURE_TABLES, postgresVersionTriggers, SUGGESTION_TABLES } from './featureTables.js';

/**
 * A title-weighted (A) tsvector of a row's text (B) in its language's configuration: english for en,
 * simple (lower case only) over the terms kendrite analysed for any other language. The analysed
 * columns stand in for the text where set; `cut` bounds the text (a tsvector holds at most 1 MB).
 */
function searchVector(searchTitle: string, searchText: string, text: string, cut: string): string {
  const vector = (config: string) =>
    `setweight(to_tsvector('${config}', coalesce(${searchTitle}, title)), 'A') || setweight(to_tsvector('${config}', ${cut.replace('%s', `coalesce(${searchText}, ${text})`)}), 'B')`;
  return `CASE WHEN language_code = 'en' THEN ${vector('english')} ELSE ${vector('simple')} END`;
}

/** A stored document's language: its _language_code attribute, else its data source's, else en. */
const LANGUAGE_OF_ROW = `coalesce(
  (SELECT a->'Value'->>'StringValue' FROM jsonb_array_elements(documents.attributes::jsonb) a WHERE a->>'Key' = '_language_code' AND jsonb_typeof(a->'Value'->'StringValue') = 'string' LIMIT 1),
  (SELECT s.language_code FROM data_sources s WHERE s.id = documents.data_source_id), 'en')`;

/** PostgreSQL schema, one entry per version. Applied in order, each once (see migrate.ts). */
export const POSTGRES_MIGRATIONS: MigrationStep[][] = [
  [
    `CREATE TABLE indices (
      id TEXT PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
      edition TEXT NOT NULL, role_arn TEXT NOT NULL, description TEXT, status TEXT NOT NULL,
      error_message TEXT, settings TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
      transition_at BIGINT)`,
    `CREATE INDEX indices_scope ON indices(account_id, region, created_at, id)`,
    `CREATE TABLE data_sources (
      id TEXT PRIMARY KEY, index_id TEXT NOT NULL, account_id TEXT NOT NULL, region TEXT NOT NULL,
      name TEXT NOT NULL, type TEXT NOT NULL, configuration TEXT, vpc_configuration TEXT,
      enrichment_configuration TEXT, description TEXT, schedule TEXT, role_arn TEXT, language_code TEXT,
      status TEXT NOT NULL, error_message TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
      transition_at BIGINT, next_run_at BIGINT)`,
    `CREATE UNIQUE INDEX data_sources_name ON data_sources(index_id, name)`,
    `CREATE INDEX data_sources_list ON data_sources(index_id, created_at, id)`,
    `CREATE TABLE tags (resource_arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (resource_arn, key))`,
    `CREATE TABLE client_tokens (
      account_id TEXT NOT NULL, region TEXT NOT NULL, operation TEXT NOT NULL, token TEXT NOT NULL,
      request_hash TEXT NOT NULL, resource_id TEXT NOT NULL, created_at BIGINT NOT NULL,
      PRIMARY KEY (account_id, region, operation, token))`,
    `CREATE TABLE sync_jobs (
      seq BIGSERIAL PRIMARY KEY, execution_id TEXT NOT NULL UNIQUE, index_id TEXT NOT NULL,
      data_source_id TEXT NOT NULL, data_source_type TEXT NOT NULL, start_time BIGINT NOT NULL, end_time BIGINT, status TEXT NOT NULL,
      error_code TEXT, error_message TEXT, data_source_error_code TEXT,
      documents_added BIGINT NOT NULL DEFAULT 0, documents_modified BIGINT NOT NULL DEFAULT 0,
      documents_deleted BIGINT NOT NULL DEFAULT 0, documents_failed BIGINT NOT NULL DEFAULT 0,
      documents_scanned BIGINT NOT NULL DEFAULT 0, start_slot INTEGER, data_source_snapshot TEXT NOT NULL,
      lease_owner TEXT, lease_expires_at BIGINT, stop_requested INTEGER NOT NULL DEFAULT 0)`,
    // S-JOB-1: at most one job holds a data source's start slot, whichever process inserts it.
    `CREATE UNIQUE INDEX sync_jobs_start_slot ON sync_jobs(data_source_id) WHERE start_slot IS NOT NULL`,
    // S-LIST-6: every page is an index range scan, with or without a status filter.
    `CREATE INDEX sync_jobs_history ON sync_jobs(data_source_id, start_time DESC, seq DESC)`,
    `CREATE INDEX sync_jobs_history_status ON sync_jobs(data_source_id, status, start_time DESC, seq DESC)`,
    `CREATE INDEX sync_jobs_active ON sync_jobs(lease_expires_at) WHERE end_time IS NULL`,
    // The job's timeline: when it reached each status (no status is reached twice: the machine has no cycles).
    `CREATE TABLE sync_job_transitions (seq BIGSERIAL PRIMARY KEY, execution_id TEXT NOT NULL, status TEXT NOT NULL, at BIGINT NOT NULL, UNIQUE (execution_id, status))`,
    `CREATE TABLE sync_report (
      execution_id TEXT NOT NULL, document_id TEXT NOT NULL, action TEXT NOT NULL, reason TEXT, at BIGINT NOT NULL,
      PRIMARY KEY (execution_id, action, document_id))`,
    `CREATE TABLE documents (
      doc_key BIGSERIAL PRIMARY KEY, index_id TEXT NOT NULL, document_id TEXT NOT NULL,
      data_source_id TEXT, title TEXT NOT NULL, body TEXT NOT NULL, content_type TEXT, attributes TEXT NOT NULL,
      source_uri TEXT, version TEXT, content_hash TEXT, status TEXT NOT NULL, failure_reason TEXT,
      text_bytes BIGINT NOT NULL DEFAULT 0, applied_seq BIGINT NOT NULL DEFAULT 0, seen_by TEXT,
      created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
      -- Title weighs above body (A over B) in ts_rank_cd. tsvector holds at most 1 MB, hence the cut.
      search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', left(body, 500000)), 'B')) STORED)`,
    `CREATE UNIQUE INDEX documents_id ON documents(index_id, document_id)`,
    `CREATE INDEX documents_source ON documents(data_source_id, seen_by)`,
    // Connector syncs: what the source's version was when a document was last indexed, and the last job
    // that saw it. Kept apart from documents, whose rows carry the text and its tsvector: stamping 100,000
    // unchanged documents then writes narrow rows only.
    `CREATE TABLE synced_documents (
      doc_key BIGINT PRIMARY KEY REFERENCES documents(doc_key) ON DELETE CASCADE, index_id TEXT NOT NULL, document_id TEXT NOT NULL,
      data_source_id TEXT NOT NULL, version TEXT, seen_by TEXT)`,
    // Change detection reads this index alone (it holds the version); deletion detection walks the second.
    `CREATE UNIQUE INDEX synced_documents_id ON synced_documents(index_id, document_id, data_source_id, version)`,
    `CREATE INDEX synced_documents_source ON synced_documents(data_source_id, doc_key)`,
    `CREATE INDEX documents_search ON documents USING GIN (search_vector)`,
    // Search: one row per attribute value (a string list has one per element) for filters, facets and sorting,
    // kept in step with documents.attributes by a trigger; _data_source_id comes from the column.
    `CREATE TABLE document_attributes (
      doc_key BIGINT NOT NULL, index_id TEXT NOT NULL, key TEXT NOT NULL, value_type TEXT NOT NULL, str TEXT, num BIGINT)`,
    `CREATE INDEX document_attributes_str ON document_attributes(index_id, key, value_type, str, doc_key)`,
    `CREATE INDEX document_attributes_num ON document_attributes(index_id, key, value_type, num, doc_key)`,
    `CREATE INDEX document_attributes_doc ON document_attributes(doc_key, key)`,
    `CREATE FUNCTION ${attributesSync(false)}`,
    `CREATE TRIGGER documents_attributes AFTER INSERT OR DELETE OR UPDATE OF attributes, data_source_id ON documents
      FOR EACH ROW EXECUTE FUNCTION documents_attributes_sync()`,
    // Retrieve: each document's text cut into passages (written by store/searchPassages.ts), each with its own tsvector.
    // Each passage carries its document's title (weight A), so that a title match finds the document's passages too.
    `CREATE TABLE document_passages (
      passage_key BIGSERIAL PRIMARY KEY, doc_key BIGINT NOT NULL REFERENCES documents(doc_key) ON DELETE CASCADE,
      ordinal INTEGER NOT NULL, title TEXT NOT NULL, content TEXT NOT NULL,
      search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', content), 'B')) STORED)`,
    `CREATE INDEX document_passages_doc ON document_passages(doc_key, ordinal)`,
    `CREATE INDEX document_passages_search ON document_passages USING GIN (search_vector)`,
    `CREATE TABLE query_feedback (
      seq BIGSERIAL PRIMARY KEY, index_id TEXT NOT NULL, query_id TEXT NOT NULL, result_id TEXT NOT NULL,
      kind TEXT NOT NULL, relevance TEXT, click_time BIGINT, received_at BIGINT NOT NULL)`,
    `CREATE INDEX query_feedback_query ON query_feedback(index_id, query_id)`,
    `CREATE TABLE document_queue (
      seq BIGSERIAL PRIMARY KEY, index_id TEXT NOT NULL, document_id TEXT NOT NULL, op TEXT NOT NULL,
      data_source_id TEXT, execution_id TEXT, document TEXT, content BYTEA, claimed_by TEXT, claimed_until BIGINT,
      enqueued_at BIGINT NOT NULL)`,
    `CREATE INDEX document_queue_job ON document_queue(execution_id)`,
    `CREATE INDEX document_queue_doc ON document_queue(index_id, document_id)`,
    `CREATE TABLE server_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  ],
  // 2: every document has a language (its _language_code, else its data source's LanguageCode, else en), in a column as _data_source_id is.
  [
    `ALTER TABLE documents ADD COLUMN language_code TEXT NOT NULL DEFAULT 'en'`,
    `UPDATE documents SET language_code = ${LANGUAGE_OF_ROW} WHERE ${LANGUAGE_OF_ROW} <> 'en'`,
    `CREATE OR REPLACE FUNCTION ${attributesSync(true)}`,
    `DROP TRIGGER documents_attributes ON documents`,
    `CREATE TRIGGER documents_attributes AFTER INSERT OR DELETE OR UPDATE OF attributes, data_source_id, language_code ON documents
      FOR EACH ROW EXECUTE FUNCTION documents_attributes_sync()`,
    `DELETE FROM document_attributes WHERE key = '_language_code'`,
    `INSERT INTO document_attributes (doc_key, index_id, key, value_type, str, num) SELECT doc_key, index_id, '_language_code', 'STRING', language_code, NULL FROM documents`,
  ],
  [
    // Access control (domain/access.ts): per document, a row per level ('L') and per allowed ('A') or
    // denied ('D') principal key. Search checks a document's few rows against the caller's keys.
    `CREATE TABLE document_access (
      doc_key BIGINT NOT NULL REFERENCES documents(doc_key) ON DELETE CASCADE, level INTEGER NOT NULL, access TEXT NOT NULL, principal TEXT NOT NULL,
      PRIMARY KEY (doc_key, access, level, principal))`,
  ],
  [
    // Principal mapping (PutPrincipalMapping): each group's latest OrderingId (kept after a delete, so
    // an older update arriving late cannot bring the group back), its members (users and sub-groups;
    // data_source_id '' is a group of every data source), and each group's status history.
    `CREATE TABLE principal_groups (
      index_id TEXT NOT NULL, data_source_id TEXT NOT NULL, group_id TEXT NOT NULL, ordering_id BIGINT NOT NULL,
      deleted INTEGER NOT NULL DEFAULT 0, updated_at BIGINT NOT NULL, PRIMARY KEY (index_id, data_source_id, group_id))`,
    `CREATE INDEX principal_groups_ordering ON principal_groups(index_id, data_source_id, ordering_id, group_id)`,
    `CREATE TABLE principal_members (
      index_id TEXT NOT NULL, data_source_id TEXT NOT NULL, group_id TEXT NOT NULL,
      member_type TEXT NOT NULL, member_id TEXT NOT NULL, member_data_source_id TEXT NOT NULL,
      PRIMARY KEY (index_id, data_source_id, group_id, member_type, member_id, member_data_source_id))`,
    // Query time: the groups a user or a group belongs to.
    `CREATE INDEX principal_members_member ON principal_members(index_id, member_type, member_id, member_data_source_id)`,
    `CREATE TABLE principal_mapping_history (
      seq BIGSERIAL PRIMARY KEY, index_id TEXT NOT NULL, data_source_id TEXT NOT NULL, group_id TEXT NOT NULL,
      ordering_id BIGINT NOT NULL, status TEXT NOT NULL, failure_reason TEXT, received_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
    `CREATE INDEX principal_mapping_history_group ON principal_mapping_history(index_id, data_source_id, group_id, seq)`,
  ],
  [
    // Access control configurations: access lists documents point at by id. Which documents point at
    // which configuration is kept apart, so an update rewrites those documents' access rows only.
    `CREATE TABLE access_configurations (
      id TEXT PRIMARY KEY, index_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT, acl TEXT NOT NULL,
      created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
    `CREATE INDEX access_configurations_list ON access_configurations(index_id, created_at, id)`,
    `CREATE TABLE document_access_configurations (doc_key BIGINT PRIMARY KEY REFERENCES documents(doc_key) ON DELETE CASCADE, configuration_id TEXT NOT NULL)`,
    `CREATE INDEX document_access_configurations_configuration ON document_access_configurations(configuration_id, doc_key)`,
  ],
  [
    // One row per worker, renewed on its own schedule (sync/leaseKeeper.ts): indexing transactions lock
    // the rows of their jobs, never this one, so a busy process's leases cannot lapse behind its own work.
    `CREATE TABLE worker_heartbeats (worker_id TEXT PRIMARY KEY, alive_until BIGINT NOT NULL)`,
  ],
  // Text analysis by language (search/analysis.ts): English text through the english configuration, given its
  // unspaced runs (Chinese, Japanese, Thai…) cut into words (search_title/search_body, else the text itself); other
  // languages' terms, made by kendrite, through 'simple', which only lower-cases. Rebuilding the vectors rewrites the tables once.
  [
    `ALTER TABLE documents ADD COLUMN search_title TEXT, ADD COLUMN search_body TEXT`,
    `DROP INDEX documents_search`,
    `ALTER TABLE documents DROP COLUMN search_vector`,
    `ALTER TABLE documents ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (${searchVector('search_title', 'search_body', 'body', 'left(%s, 500000)')}) STORED`,
    `CREATE INDEX documents_search ON documents USING GIN (search_vector)`,
    `ALTER TABLE document_passages ADD COLUMN language_code TEXT NOT NULL DEFAULT 'en', ADD COLUMN search_title TEXT, ADD COLUMN search_content TEXT`,
    `DROP INDEX document_passages_search`,
    `ALTER TABLE document_passages DROP COLUMN search_vector`,
    `ALTER TABLE document_passages ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (${searchVector('search_title', 'search_content', 'content', '%s')}) STORED`,
    `CREATE INDEX document_passages_search ON document_passages USING GIN (search_vector)`,
    analyzeStoredDocuments,
  ],
  // The principal mapping's version per index, bumped by every action applied (store/principalMappings.ts): a
  // process caches each caller's expanded groups under it, and a query reads it (one row) to know the cache is current.
  [`CREATE TABLE principal_mapping_versions (index_id TEXT PRIMARY KEY, version BIGINT NOT NULL)`],
  // The web crawler's memory of each page (validators for a conditional GET, its links, its version), per data source.
  [
    `CREATE TABLE web_pages (data_source_id TEXT NOT NULL, url TEXT NOT NULL, state TEXT NOT NULL, crawl TEXT NOT NULL, PRIMARY KEY (data_source_id, url))`,
  ],
  // The progress of a sync (issue 13): how many documents the connector expects to list, once it knows.
  [`ALTER TABLE sync_jobs ADD COLUMN documents_expected BIGINT`],
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
      created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
    `CREATE INDEX faqs_list ON faqs(index_id, created_at, id)`,
    `CREATE TABLE faq_entries (
      entry_key BIGSERIAL PRIMARY KEY, faq_id TEXT NOT NULL, index_id TEXT NOT NULL, language_code TEXT NOT NULL,
      question TEXT NOT NULL, answer TEXT NOT NULL, source_uri TEXT, attributes TEXT NOT NULL, search_question TEXT NOT NULL, search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_question)) STORED)`,
    `CREATE INDEX faq_entries_faq ON faq_entries(faq_id)`,
    `CREATE INDEX faq_entries_search ON faq_entries USING GIN (search_vector)`,
    `CREATE TABLE featured_results_sets (
      id TEXT PRIMARY KEY, index_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT, status TEXT NOT NULL,
      query_texts TEXT NOT NULL, documents TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
    `CREATE INDEX featured_results_sets_list ON featured_results_sets(index_id, created_at, id)`,
    `CREATE TABLE featured_query_texts (index_id TEXT NOT NULL, query_text TEXT NOT NULL, set_id TEXT NOT NULL, PRIMARY KEY (index_id, query_text, set_id))`,
    `CREATE INDEX featured_query_texts_set ON featured_query_texts(set_id)`,
    `CREATE TABLE thesauri (
      id TEXT PRIMARY KEY, index_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT, role_arn TEXT NOT NULL,
      s3_bucket TEXT NOT NULL, s3_key TEXT NOT NULL, status TEXT NOT NULL, error_message TEXT,
      file_size_bytes BIGINT NOT NULL, term_count BIGINT NOT NULL, synonym_rule_count BIGINT NOT NULL, rules TEXT NOT NULL,
      created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
    `CREATE INDEX thesauri_list ON thesauri(index_id, created_at, id)`,
  ],
  // Query log (domain/queryLog.ts): every Query, written in batches; suggestions and analytics read it.
  // results: the page's [ResultId, DocumentId] pairs, so that a click (query_feedback) names its document.
  // Query suggestion settings per index, and block lists read from S3.
  [
    `CREATE TABLE query_log (
      seq BIGSERIAL PRIMARY KEY, index_id TEXT NOT NULL, query_id TEXT NOT NULL, query_text TEXT NOT NULL, normalized_text TEXT NOT NULL,
      filter TEXT, result_count BIGINT NOT NULL, user_id TEXT, results TEXT NOT NULL, at BIGINT NOT NULL)`,
    // Retention deletes by age over every index; suggestions group an index's texts (covering, so the 1,000,000-entry grouping reads the index only).
    `CREATE INDEX query_log_age ON query_log(at)`,
    `CREATE INDEX query_log_time ON query_log(index_id, at)`,
    `CREATE INDEX query_log_text ON query_log(index_id, normalized_text, at, user_id, result_count)`,
    `CREATE INDEX query_log_query ON query_log(index_id, query_id)`,
    `CREATE TABLE query_suggestions_settings (
      index_id TEXT PRIMARY KEY, settings TEXT NOT NULL, last_clear_time BIGINT, updated_at BIGINT NOT NULL)`,
    `CREATE TABLE query_suggestions_block_lists (
      id TEXT PRIMARY KEY, index_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT, source_bucket TEXT NOT NULL, source_key TEXT NOT NULL,
      role_arn TEXT NOT NULL, status TEXT NOT NULL, error_message TEXT, item_count BIGINT, file_size_bytes BIGINT, items TEXT NOT NULL,
      created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
    `CREATE INDEX query_suggestions_block_lists_list ON query_suggestions_block_lists(index_id, created_at, id)`,
  ],
  // The web crawler's frontier (connectors/web/frontier.ts): every URL a running crawl has queued, so that its
  // memory stays flat however large the site. ord: the order queued in (breadth first). Cleared at each crawl's start and end.
  [
    `CREATE TABLE web_frontier (data_source_id TEXT NOT NULL, url TEXT NOT NULL, ord BIGINT NOT NULL, depth INTEGER NOT NULL, start_page INTEGER NOT NULL, PRIMARY KEY (data_source_id, url))`,
    `CREATE INDEX web_frontier_order ON web_frontier(data_source_id, ord)`,
  ],
  // Issue 14 (SQLite's English full-text indexes made contentless): nothing to change here, where removing a row
  // from a GIN index never needed its old text. The entry keeps the versions of both backends in step.
  [],
  // Issue 14: the text is indexed once, by document (see the SQLite entry): the passages, their copy of the text and
  // their tsvectors go; Retrieve cuts passages from the best documents' text when asked for.
  [`DROP TABLE document_passages`],
  // Issue 14 (query throughput): a document's attribute rows are read by its key with their values, all in the index.
  // A filtered search probes each document its text matched (search/attributeFilter.ts, plan 'probe') instead of
  // gathering every document holding the value; sort keys, relevance fields and nested facets read the same way.
  [
    `DROP INDEX document_attributes_doc`,
    `CREATE INDEX document_attributes_doc ON document_attributes(doc_key, key, value_type, str, num)`,
  ],
  // Issue 14 (size on disk; SQLite's entry of this version sizes its FTS5 tables' pending terms): the stored tsvectors
  // are compressed with lz4, not pglz, which compresses them less: 1.38 bytes per byte of text instead of 1.62. The text itself stays pglz (lz4:
  // 0.70 instead of 0.52). Only values written from now on are compressed so: rewriting every row here would
  // recompute each tsvector and its GIN entries (a full re-index) inside the migration; a document gets lz4 when it
  // is next modified, and PostgreSQL reads both. A server built without lz4 (or older than 14: EXECUTE defers the
  // parse) keeps pglz: the size then stays what it was, nothing else differs.
  [
    `DO $$ BEGIN
      EXECUTE 'ALTER TABLE documents ALTER COLUMN search_vector SET COMPRESSION lz4';
    EXCEPTION WHEN feature_not_supported OR syntax_error THEN
      RAISE NOTICE 'kendrite: this server cannot compress with lz4, the tsvectors stay pglz';
    END $$`,
  ],
  // Issue 14 (query CPU): the version of what a Query's features read, per index, bumped by triggers in the
  // transaction of every change (see the SQLite entry; domain/indexFeatures.ts).
  [
    `ALTER TABLE indices ADD COLUMN features_version INTEGER NOT NULL DEFAULT 0`,
    ...postgresVersionTriggers('features_version', 'features', FEATURE_TABLES),
  ],
  // Issue 12 (GetQuerySuggestions): the version of what decides which logged queries are suggested (see the SQLite entry).
  [`ALTER TABLE indices ADD COLUMN suggestions_version INTEGER NOT NULL DEFAULT 0`, ...postgresVersionTriggers('suggestions_version', 'suggestions', SUGGESTION_TABLES)],
  // Issue 14 (size on disk per document; see the SQLite entry): each attribute value index keeps only the rows of its
  // kind (a row holds a string or a number, never both: a document of four strings had four entries of NULL in the
  // number index). A search names the value (a.str = $1, a.num > $1…: the planner proves the index's predicate from a
  // strict comparison) or says IS NOT NULL. documents_source serves only the removal of a data source's documents
  // since synced_documents took deletion detection: the data source alone (seen_by there also kept each sync's stamp
  // of a document from being a HOT update). The sync report needs nothing: its primary key is its only index.
  [
    `DROP INDEX document_attributes_str`,
    `CREATE INDEX document_attributes_str ON document_attributes(index_id, key, value_type, str, doc_key) WHERE str IS NOT NULL`,
    `DROP INDEX document_attributes_num`,
    `CREATE INDEX document_attributes_num ON document_attributes(index_id, key, value_type, num, doc_key) WHERE num IS NOT NULL`,
    `DROP INDEX documents_source`,
    `CREATE INDEX documents_source ON documents(data_source_id)`,
  ],
  // Issue 14 (size on disk per document): _data_source_id and _language_code are no longer copied into
  // document_attributes: every search reads them from the documents' columns (search/attributeRows.ts). The trigger
  // then has nothing to redo when only those columns change.
  [
    `CREATE OR REPLACE FUNCTION ${attributesSync(true, false)}`,
    `DROP TRIGGER documents_attributes ON documents`,
    `CREATE TRIGGER documents_attributes AFTER INSERT OR DELETE OR UPDATE OF attributes ON documents
      FOR EACH ROW EXECUTE FUNCTION documents_attributes_sync()`,
    `DELETE FROM document_attributes WHERE key IN ('_data_source_id', '_language_code')`,
  ],
  // Issue 14 (size on disk per document): a connector's view of a document keeps what is its own (data source,
  // version, last sync that saw it) by the document's key; change detection finds the ids in documents_id, as every
  // write does, then the synced row by its key (store/syncDocuments.ts). The copies of index and document id and the
  // index over them (synced_documents_id) went. Rebuilt rather than altered: a dropped column keeps its bytes in every row.
  [
    `CREATE TABLE synced_documents_next (
      doc_key BIGINT PRIMARY KEY REFERENCES documents(doc_key) ON DELETE CASCADE, data_source_id TEXT NOT NULL, version TEXT, seen_by TEXT)`,
    `INSERT INTO synced_documents_next (doc_key, data_source_id, version, seen_by) SELECT doc_key, data_source_id, version, seen_by FROM synced_documents`,
    `DROP TABLE synced_documents`,
    `ALTER TABLE synced_documents_next RENAME TO synced_documents`,
    `ALTER INDEX synced_documents_next_pkey RENAME TO synced_documents_pkey`,
    `ALTER TABLE synced_documents RENAME CONSTRAINT synced_documents_next_doc_key_fkey TO synced_documents_doc_key_fkey`,
    `CREATE INDEX synced_documents_source ON synced_documents(data_source_id, doc_key)`,
  ],
  // Issue 14 (size on disk per document): _source_uri is no longer copied into document_attributes: searches read it
  // from the documents' source_uri column (search/attributeRows.ts; see the SQLite entry).
  [
    `CREATE OR REPLACE FUNCTION ${attributesSync(true, false, ['_source_uri'])}`,
    `DELETE FROM document_attributes WHERE key = '_source_uri' AND value_type = 'STRING'`,
  ],
  // Issue 14 (size on disk per document): _file_type is no longer copied into document_attributes: searches read it
  // as coalesce(file_type, content_type) (search/attributeRows.ts; see the SQLite entry). Only the documents whose
  // _file_type is not their content type are rewritten (each update recomputes the row's search_vector).
  [
    `ALTER TABLE documents ADD COLUMN file_type TEXT`,
    `UPDATE documents d SET file_type = a.str FROM document_attributes a
      WHERE a.doc_key = d.doc_key AND a.key = '_file_type' AND a.value_type = 'STRING' AND d.status <> 'FAILED' AND a.str IS DISTINCT FROM d.content_type`,
    `CREATE OR REPLACE FUNCTION ${attributesSync(true, false, ['_source_uri', '_file_type'])}`,
    `DELETE FROM document_attributes WHERE key = '_file_type' AND value_type = 'STRING'`,
  ],
  // Issue 14 (size on disk per document): a report line names its job by the job's key (sync_jobs.seq), not its
  // execution id (see the SQLite entry).
  [
    `CREATE TABLE sync_report_next (
      job_seq BIGINT NOT NULL, document_id TEXT NOT NULL, action TEXT NOT NULL, reason TEXT, at BIGINT NOT NULL,
      PRIMARY KEY (job_seq, action, document_id))`,
    `INSERT INTO sync_report_next (job_seq, document_id, action, reason, at)
      SELECT j.seq, r.document_id, r.action, r.reason, r.at FROM sync_report r JOIN sync_jobs j ON j.execution_id = r.execution_id`,
    `DROP TABLE sync_report`,
    `ALTER TABLE sync_report_next RENAME TO sync_report`,
    `ALTER INDEX sync_report_next_pkey RENAME TO sync_report_pkey`,
  ],
  // Issue 14 (size on disk per document): a synced row names the last sync that saw its document by the job's key
  // (sync_jobs.seq), not its execution id (see the SQLite entry). Rebuilt, as in version 23.
  [
    `CREATE TABLE synced_documents_next (
      doc_key BIGINT PRIMARY KEY REFERENCES documents(doc_key) ON DELETE CASCADE, data_source_id TEXT NOT NULL, version TEXT, seen_by BIGINT)`,
    `INSERT INTO synced_documents_next (doc_key, data_source_id, version, seen_by)
      SELECT s.doc_key, s.data_source_id, s.version, j.seq FROM synced_documents s LEFT JOIN sync_jobs j ON j.execution_id = s.seen_by`,
    `DROP TABLE synced_documents`,
    `ALTER TABLE synced_documents_next RENAME TO synced_documents`,
    `ALTER INDEX synced_documents_next_pkey RENAME TO synced_documents_pkey`,
    `ALTER TABLE synced_documents RENAME CONSTRAINT synced_documents_next_doc_key_fkey TO synced_documents_doc_key_fkey`,
    `CREATE INDEX synced_documents_source ON synced_documents(data_source_id, doc_key)`,
  ],
  // Issue 14 (sync CPU): the attribute rows are written from a document's attributes parsed once, not once per value
  // kind (the same rows: attributeValueRows), and those of the documents an INSERT adds by one statement at its end (a
  // sync's batch inserts its new documents in one: store/documents.ts insertMany), not by a trigger run per row. An update
  // of the attributes and a removal keep the row trigger. Nothing stored changes.
  [
    `CREATE OR REPLACE FUNCTION ${ATTRIBUTES_SYNC_ONCE}`,
    `CREATE FUNCTION ${ATTRIBUTES_INSERTED}`,
    `DROP TRIGGER documents_attributes ON documents`,
    `CREATE TRIGGER documents_attributes AFTER DELETE OR UPDATE OF attributes ON documents FOR EACH ROW EXECUTE FUNCTION documents_attributes_sync()`,
    `CREATE TRIGGER documents_attributes_insert AFTER INSERT ON documents REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION documents_attributes_insert()`,
  ],
  // Issue 14 (size on disk per document): documents and synced_documents name their index and data source by an integer
  // key (store/idKeys.ts; see SQLite's version 30). documents' rows are rewritten in place (each update recomputes the
  // row's search_vector); the space the ids held in the rows written before is PostgreSQL's to reuse as they are
  // vacuumed (VACUUM FULL documents gives it back to the file system at once). The attribute rows keep the index id,
  // read by the key.
  [
    ...['index_keys', 'data_source_keys'].map((t) => `CREATE TABLE ${t} (key INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE)`),
    `INSERT INTO index_keys (id) SELECT id FROM indices ORDER BY created_at, id`,
    `INSERT INTO index_keys (id) SELECT DISTINCT index_id FROM documents WHERE index_id NOT IN (SELECT id FROM index_keys) ORDER BY 1`,
    `INSERT INTO data_source_keys (id) SELECT id FROM data_sources ORDER BY created_at, id`,
    `INSERT INTO data_source_keys (id) SELECT id FROM (SELECT data_source_id AS id FROM documents UNION SELECT data_source_id FROM synced_documents) u
      WHERE id IS NOT NULL AND id NOT IN (SELECT id FROM data_source_keys) ORDER BY 1`,
    ...([['index_keys', 'indices'], ['data_source_keys', 'data_sources']] as const).map(([keys, table]) => `CREATE FUNCTION ${table}_key() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO ${keys} (id) SELECT NEW.id WHERE NOT EXISTS (SELECT 1 FROM ${keys} WHERE id = NEW.id) ON CONFLICT (id) DO NOTHING;
        RETURN NULL;
      END $$`),
    `CREATE TRIGGER indices_key AFTER INSERT ON indices FOR EACH ROW EXECUTE FUNCTION indices_key()`,
    `CREATE TRIGGER data_sources_key AFTER INSERT ON data_sources FOR EACH ROW EXECUTE FUNCTION data_sources_key()`,
    `ALTER TABLE documents ADD COLUMN index_key INTEGER, ADD COLUMN source_key INTEGER`,
    `UPDATE documents d SET index_key = (SELECT k.key FROM index_keys k WHERE k.id = d.index_id), source_key = (SELECT k.key FROM data_source_keys k WHERE k.id = d.data_source_id)`,
    `ALTER TABLE documents ALTER COLUMN index_key SET NOT NULL`,
    `ALTER TABLE documents DROP COLUMN index_id, DROP COLUMN data_source_id, DROP COLUMN version, DROP COLUMN seen_by`,
    `CREATE UNIQUE INDEX documents_id ON documents(index_key, document_id)`,
    `CREATE INDEX documents_source ON documents(source_key)`,
    `ALTER TABLE synced_documents ADD COLUMN source_key INTEGER`,
    `UPDATE synced_documents s SET source_key = (SELECT k.key FROM data_source_keys k WHERE k.id = s.data_source_id)`,
    `ALTER TABLE synced_documents ALTER COLUMN source_key SET NOT NULL`,
    `ALTER TABLE synced_documents DROP COLUMN data_source_id`,
    `CREATE INDEX synced_documents_source ON synced_documents(source_key, doc_key)`,
    `CREATE OR REPLACE FUNCTION ${ATTRIBUTES_SYNC_ONCE.replace('NEW.index_id AS index_id', '(SELECT id FROM index_keys WHERE key = NEW.index_key) AS index_id')}`,
    `CREATE OR REPLACE FUNCTION ${ATTRIBUTES_INSERTED_BY_KEY}`,
  ],
];
