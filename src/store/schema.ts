/** Row types of every table, as Kysely sees them. Times are epoch milliseconds. */
import type { Generated } from 'kysely';

export interface IndicesTable {
  id: string;
  account_id: string;
  region: string;
  name: string;
  edition: string;
  role_arn: string;
  description: string | null;
  status: string;
  error_message: string | null;
  /** Members stored and returned as given (encryption, user token settings, metadata configurations, capacity). */
  settings: string;
  created_at: number;
  updated_at: number;
  /** When a pending CREATING/UPDATING transition becomes due. */
  transition_at: number | null;
  /** Bumped by triggers at every change to the index's thesauri, featured results and FAQs (domain/indexFeatures.ts). */
  features_version: Generated<number>;
  /** Bumped by triggers at every change to the index's query suggestion settings and block lists (domain/querySuggestions.ts). */
  suggestions_version: Generated<number>;
}

export interface DataSourcesTable {
  id: string;
  index_id: string;
  account_id: string;
  region: string;
  name: string;
  type: string;
  /** Configuration, VpcConfiguration, CustomDocumentEnrichmentConfiguration as given (D-3). */
  configuration: string | null;
  vpc_configuration: string | null;
  enrichment_configuration: string | null;
  description: string | null;
  schedule: string | null;
  role_arn: string | null;
  language_code: string | null;
  status: string;
  error_message: string | null;
  created_at: number;
  updated_at: number;
  transition_at: number | null;
  /** Next due schedule tick (D-6), null when on demand. */
  next_run_at: number | null;
}

export interface TagsTable {
  resource_arn: string;
  key: string;
  value: string;
}

export interface ClientTokensTable {
  account_id: string;
  region: string;
  operation: string;
  token: string;
  request_hash: string;
  resource_id: string;
  created_at: number;
}

export interface SyncJobsTable {
  seq: Generated<number>;
  execution_id: string;
  index_id: string;
  data_source_id: string;
  data_source_type: string;
  start_time: number;
  end_time: number | null;
  status: string;
  error_code: string | null;
  error_message: string | null;
  data_source_error_code: string | null;
  documents_added: number;
  documents_modified: number;
  documents_deleted: number;
  documents_failed: number;
  documents_scanned: number;
  /** 1 while the job holds its data source's single start slot (S-JOB-1); a unique index enforces one holder. */
  start_slot: number | null;
  /** The data source as it was when the job started (D-4). */
  data_source_snapshot: string;
  lease_owner: string | null;
  lease_expires_at: number | null;
  stop_requested: number;
  /** How many documents the connector expects to list (null until it knows): the total of a progress bar. */
  documents_expected: number | null;
}

/** A worker's jobs are leased while its heartbeat is alive (S-JOB-7). */
export interface WorkerHeartbeatsTable {
  worker_id: string;
  alive_until: number;
}

export interface SyncReportTable {
  /** The job's sync_jobs.seq (its execution id, by key: store/syncReport.ts). */
  job_seq: number;
  document_id: string;
  action: string;
  reason: string | null;
  at: number;
}

export interface SyncJobTransitionsTable {
  seq: Generated<number>;
  execution_id: string;
  status: string;
  at: number;
}

export interface DocumentsTable {
  doc_key: Generated<number>;
  /** The document's index by its key (index_keys; store/idKeys.ts). */
  index_key: number;
  document_id: string;
  /** The document's data source by its key (data_source_keys), null for a document of none. */
  source_key: number | null;
  title: string;
  /** SQLite: packed (store/packedText.ts), read through kendrite_text() only. */
  body: string;
  content_type: string | null;
  attributes: string;
  /** The document's _language_code (its own, else its data source's, else en): what every search filters on. */
  language_code: string;
  /** What the full-text index holds for the title and body instead of them (search/analysis.ts), or null: the text itself. */
  search_title: string | null;
  /** SQLite: packed, as body. */
  search_body: string | null;
  source_uri: string | null;
  // The table's columns version and seen_by (a connector's version of the document, the last job that wrote it) are
  // written no more (issue 14, size on disk: 58 bytes a document of the scale bench): nothing read them; a connector's
  // version and the last sync that saw a document are synced_documents' (store/syncDocuments.ts). Rows written before
  // keep theirs; new ones hold NULL (no byte of the row).
  /** The document's _file_type where it is not content_type (its attributes named another), else null: search/attributeRows.ts. */
  file_type: string | null;
  content_hash: string | null;
  status: string;
  failure_reason: string | null;
  text_bytes: number;
  /** Queue seq of the last operation applied, so late-arriving older operations never overwrite newer ones. */
  applied_seq: number;
  created_at: number;
  updated_at: number;
}

/** What the web crawler remembers of a page between crawls (JSON in `state`); `crawl` is the last crawl that saw it. */
export interface WebPagesTable {
  data_source_id: string;
  url: string;
  state: string;
  crawl: string;
}

/** A URL queued by the running crawl of a data source (connectors/web/frontier.ts). */
export interface WebFrontierTable {
  data_source_id: string;
  url: string;
  ord: number;
  depth: number;
  start_page: number;
}

/** The integer key of every index (index_keys) or data source (data_source_keys) ever created: store/idKeys.ts. */
export interface IdKeysTable {
  key: Generated<number>;
  id: string;
}

/** A connector's view of a document it indexed (change and deletion detection). */
export interface SyncedDocumentsTable {
  doc_key: number;
  /** The data source by its key (data_source_keys; store/idKeys.ts). */
  source_key: number;
  /** The connector's version (ETag, size+mtime…) when the document was last indexed; null after a failure, so it is fetched again. */
  version: string | null;
  /** The key (sync_jobs.seq) of the last sync that saw the document in its source (store/syncDocuments.ts). */
  seen_by: number | null;
}

export interface DocumentQueueTable {
  seq: Generated<number>;
  index_id: string;
  document_id: string;
  op: string;
  data_source_id: string | null;
  execution_id: string | null;
  /** JSON of the accepted document (title, attributes, content type, access settings). */
  document: string | null;
  content: Buffer | null;
  claimed_by: string | null;
  claimed_until: number | null;
  enqueued_at: number;
}

/** One value of one document attribute (a string list has a row per element); kept by triggers from documents.attributes. */
export interface DocumentAttributesTable {
  doc_key: number;
  index_id: string;
  key: string;
  /** STRING, STRING_LIST, LONG or DATE. */
  value_type: string;
  str: string | null;
  /** LONG values, and DATE values as epoch milliseconds. */
  num: number | null;
}

/** SubmitFeedback, as received (no ranking effect). */
export interface QueryFeedbackTable {
  seq: Generated<number>;
  index_id: string;
  query_id: string;
  result_id: string;
  /** CLICK or RELEVANCE. */
  kind: string;
  relevance: string | null;
  click_time: number | null;
  received_at: number;
}

/** A document's access lists as rows (domain/access.ts accessRows); none: the document is public. */
export interface DocumentAccessTable {
  doc_key: number;
  level: number;
  /** L (a level), A (allow) or D (deny). */
  access: string;
  principal: string;
}

export interface PrincipalGroupsTable {
  index_id: string;
  /** '' for a group of every data source. */
  data_source_id: string;
  group_id: string;
  ordering_id: number;
  /** 1 after DeletePrincipalMapping: the row keeps the OrderingId an older update must not undo. */
  deleted: number;
  updated_at: number;
}

export interface PrincipalMembersTable {
  index_id: string;
  data_source_id: string;
  group_id: string;
  /** U (a user) or G (a sub-group). */
  member_type: string;
  member_id: string;
  member_data_source_id: string;
}

export interface PrincipalMappingHistoryTable {
  seq: Generated<number>;
  index_id: string;
  data_source_id: string;
  group_id: string;
  ordering_id: number;
  status: string;
  failure_reason: string | null;
  received_at: number;
  updated_at: number;
}

/** Bumped by every principal mapping action applied in the index: cached group expansions name the version they hold. */
export interface PrincipalMappingVersionsTable {
  index_id: string;
  version: number;
}

export interface AccessConfigurationsTable {
  id: string;
  index_id: string;
  name: string;
  description: string | null;
  /** AccessControlList and HierarchicalAccessControlList, as given (JSON). */
  acl: string;
  created_at: number;
  updated_at: number;
}

/** The documents whose access lists come from a configuration. */
export interface DocumentAccessConfigurationsTable {
  doc_key: number;
  configuration_id: string;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
}

/** Kendra experiences (search applications) of an index; status settles lazily from transition_at. */
export interface ExperiencesTable {
  id: string;
  index_id: string;
  name: string;
  description: string | null;
  role_arn: string | null;
  /** ExperienceConfiguration as given (JSON), or null. */
  configuration: string | null;
  status: string;
  /** When CREATING becomes ACTIVE, or DELETING gone; null once settled. */
  transition_at: number | null;
  created_at: number;
  updated_at: number;
}

/** Users and groups given access to an experience, with their persona once one is set. */
export interface ExperienceEntitiesTable {
  experience_id: string;
  entity_id: string;
  entity_type: string;
  persona: string | null;
  persona_created_at: number | null;
  persona_updated_at: number | null;
  created_at: number;
}

/** FAQs (api/faqs.ts): a file of questions and answers read from S3. */
export interface FaqsTable {
  id: string;
  index_id: string;
  name: string;
  description: string | null;
  s3_bucket: string;
  s3_key: string;
  role_arn: string;
  file_format: string;
  language_code: string;
  status: string;
  error_message: string | null;
  created_at: number;
  updated_at: number;
}

/** One question and its answer; search_question holds the question's terms (search/faqAnswers.ts). */
export interface FaqEntriesTable {
  entry_key: Generated<number>;
  faq_id: string;
  index_id: string;
  language_code: string;
  question: string;
  answer: string;
  source_uri: string | null;
  /** Custom attributes of the entry (JSON DocumentAttribute list). */
  attributes: string;
  search_question: string;
}

export interface FeaturedResultsSetsTable {
  id: string;
  index_id: string;
  name: string;
  description: string | null;
  status: string;
  /** QueryTexts and FeaturedDocuments as given (JSON). */
  query_texts: string;
  documents: string;
  created_at: number;
  updated_at: number;
}

/** Each set's query texts, normalized (domain/featuredResults.ts), for the lookup at query time. */
export interface FeaturedQueryTextsTable {
  index_id: string;
  query_text: string;
  set_id: string;
}

export interface ThesauriTable {
  id: string;
  index_id: string;
  name: string;
  description: string | null;
  role_arn: string;
  s3_bucket: string;
  s3_key: string;
  status: string;
  error_message: string | null;
  file_size_bytes: number;
  term_count: number;
  synonym_rule_count: number;
  /** The parsed synonym rules (search/thesaurus.ts), JSON; '[]' until the file has been read. */
  rules: string;
  created_at: number;
  updated_at: number;
}

export interface Database {
  indices: IndicesTable;
  data_sources: DataSourcesTable;
  tags: TagsTable;
  client_tokens: ClientTokensTable;
  sync_jobs: SyncJobsTable;
  sync_report: SyncReportTable;
  sync_job_transitions: SyncJobTransitionsTable;
  documents: DocumentsTable;
  synced_documents: SyncedDocumentsTable;
  index_keys: IdKeysTable;
  data_source_keys: IdKeysTable;
  web_pages: WebPagesTable;
  web_frontier: WebFrontierTable;
  document_queue: DocumentQueueTable;
  server_secrets: ServerSecretsTable;
  document_attributes: DocumentAttributesTable;
  query_feedback: QueryFeedbackTable;
  document_access: DocumentAccessTable;
  principal_groups: PrincipalGroupsTable;
  principal_members: PrincipalMembersTable;
  principal_mapping_history: PrincipalMappingHistoryTable;
  principal_mapping_versions: PrincipalMappingVersionsTable;
  access_configurations: AccessConfigurationsTable;
  document_access_configurations: DocumentAccessConfigurationsTable;
  worker_heartbeats: WorkerHeartbeatsTable;
  experiences: ExperiencesTable;
  experience_entities: ExperienceEntitiesTable;
  faqs: FaqsTable;
  faq_entries: FaqEntriesTable;
  featured_results_sets: FeaturedResultsSetsTable;
  featured_query_texts: FeaturedQueryTextsTable;
  thesauri: ThesauriTable;
  query_log: QueryLogTable;
  query_suggestions_settings: QuerySuggestionsSettingsTable;
  query_suggestions_block_lists: QuerySuggestionsBlockListsTable;
}

/** One Query as served (domain/queryLog.ts). */
export interface QueryLogTable {
  seq: Generated<number>;
  index_id: string;
  query_id: string;
  query_text: string;
  /** Lower-cased, quotes dropped, white space collapsed: what suggestions group by. */
  normalized_text: string;
  /** The AttributeFilter as JSON, or null. */
  filter: string | null;
  result_count: number;
  user_id: string | null;
  /** JSON [[ResultId, DocumentId], …] of the page served. */
  results: string;
  at: number;
}

export interface QuerySuggestionsSettingsTable {
  index_id: string;
  /** JSON of the UpdateQuerySuggestionsConfig members set so far. */
  settings: string;
  last_clear_time: number | null;
  updated_at: number;
}

export interface QuerySuggestionsBlockListsTable {
  id: string;
  index_id: string;
  name: string;
  description: string | null;
  source_bucket: string;
  source_key: string;
  role_arn: string;
  status: string;
  error_message: string | null;
  item_count: number | null;
  file_size_bytes: number | null;
  /** JSON list of the normalized words and phrases blocked. */
  items: string;
  created_at: number;
  updated_at: number;
}
