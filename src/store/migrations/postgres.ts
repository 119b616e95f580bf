/** PostgreSQL schema, one entry per version. Applied in order, each once (see migrate.ts). */
export const POSTGRES_MIGRATIONS: string[][] = [
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
    `CREATE INDEX documents_search ON documents USING GIN (search_vector)`,
    `CREATE TABLE document_queue (
      seq BIGSERIAL PRIMARY KEY, index_id TEXT NOT NULL, document_id TEXT NOT NULL, op TEXT NOT NULL,
      data_source_id TEXT, execution_id TEXT, document TEXT, content BYTEA, claimed_by TEXT, claimed_until BIGINT,
      enqueued_at BIGINT NOT NULL)`,
    `CREATE INDEX document_queue_job ON document_queue(execution_id)`,
    `CREATE INDEX document_queue_doc ON document_queue(index_id, document_id)`,
    `CREATE TABLE server_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  ],
];
