/** SQLite schema, one entry per version. Applied in order, each once (see migrate.ts). */
export const SQLITE_MIGRATIONS: string[][] = [
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
    `CREATE VIRTUAL TABLE documents_fts USING fts5(title, body, content='documents', content_rowid='doc_key', tokenize='porter unicode61')`,
    `CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
      INSERT INTO documents_fts(rowid, title, body) VALUES (new.doc_key, new.title, new.body); END`,
    `CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
      INSERT INTO documents_fts(documents_fts, rowid, title, body) VALUES ('delete', old.doc_key, old.title, old.body); END`,
    `CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, body ON documents BEGIN
      INSERT INTO documents_fts(documents_fts, rowid, title, body) VALUES ('delete', old.doc_key, old.title, old.body);
      INSERT INTO documents_fts(rowid, title, body) VALUES (new.doc_key, new.title, new.body); END`,
    `CREATE TABLE document_queue (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, index_id TEXT NOT NULL, document_id TEXT NOT NULL, op TEXT NOT NULL,
      data_source_id TEXT, execution_id TEXT, document TEXT, content BLOB, claimed_by TEXT, claimed_until INTEGER,
      enqueued_at INTEGER NOT NULL)`,
    `CREATE INDEX document_queue_job ON document_queue(execution_id)`,
    `CREATE INDEX document_queue_doc ON document_queue(index_id, document_id)`,
    `CREATE TABLE server_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  ],
];
