import type { Config } from '../config/config.js';
import { LANGUAGE_KEY, languageCodeProblem } from '../search/language.js';
import { accessProblem, type AccessLists, type HierarchicalPrincipal, type Principal } from './access.js';

export type { Principal };
import { stringListProblem } from '../search/attributes.js';
import type { NewQueuedOp } from '../store/documents.js';
import type { Store } from '../store/store.js';
import type { Scope } from './arn.js';
import type { Clock } from './clock.js';
import type { Indices } from './indices.js';

export interface AttributeValue {
  StringValue?: string;
  StringListValue?: string[];
  LongValue?: number;
  DateValue?: Date;
}
export interface Attribute {
  Key: string;
  Value: AttributeValue;
}

export interface IncomingDocument {
  Id: string;
  Title?: string;
  Blob?: Uint8Array;
  S3Path?: { Bucket: string; Key: string };
  Attributes?: Attribute[];
  ContentType?: string;
  AccessControlList?: Principal[];
  HierarchicalAccessControlList?: HierarchicalPrincipal[];
  AccessControlConfigurationId?: string;
}

/** What the queue carries for a put: everything but the content bytes. */
export interface QueuedDocument {
  Title?: string;
  Attributes: Attribute[];
  ContentType?: string;
  S3Path?: { Bucket: string; Key: string };
  /** Who may see the document (domain/access.ts); absent: public. */
  Access?: AccessLists;
  /** Or the access control configuration whose lists it takes. */
  AccessControlConfigurationId?: string;
}

export interface RejectedDocument {
  Id: string;
  DataSourceId?: string;
  ErrorCode: 'InvalidRequest' | 'InternalError';
  ErrorMessage: string;
}

/** Reserved attributes and the value member each must use (DOC-3). */
export const RESERVED_TYPES: Record<string, keyof AttributeValue> = {
  _data_source_id: 'StringValue',
  _data_source_sync_job_execution_id: 'StringValue',
  _source_uri: 'StringValue',
  _category: 'StringValue',
  _file_type: 'StringValue',
  _version: 'StringValue',
  _language_code: 'StringValue',
  _document_title: 'StringValue',
  _authors: 'StringListValue',
  _view_count: 'LongValue',
  _excerpt_page_number: 'LongValue',
  _created_at: 'DateValue',
  _last_updated_at: 'DateValue',
};

const FIELD_TYPES: Record<keyof AttributeValue, 'STRING_VALUE' | 'STRING_LIST_VALUE' | 'LONG_VALUE' | 'DATE_VALUE'> = {
  StringValue: 'STRING_VALUE', StringListValue: 'STRING_LIST_VALUE', LongValue: 'LONG_VALUE', DateValue: 'DATE_VALUE',
};

/** An index's fields and their types: the reserved ones, and those of its DocumentMetadataConfigurations. */
export function indexFieldTypes(settings: { DocumentMetadataConfigurations?: { Name?: string; Type?: string }[] }): Map<string, (typeof FIELD_TYPES)[keyof AttributeValue]> {
  const fields = new Map(Object.entries(RESERVED_TYPES).map(([k, member]) => [k, FIELD_TYPES[member]]));
  for (const c of settings.DocumentMetadataConfigurations ?? [])
    if (c.Name && Object.values(FIELD_TYPES).includes(c.Type as never)) fields.set(c.Name, c.Type as (typeof FIELD_TYPES)[keyof AttributeValue]);
  return fields;
}

const JOB_ENDED = 'The sync job stopped while this batch was being accepted; nothing in the batch was applied. Start a new sync job and send it again.';

type Targets =
  | { rejectAll: string }
  | { dataSourceIds: (string | undefined)[]; executionIds: (string | undefined)[]; problems: (string | undefined)[] };

export type DocumentState = { DocumentId: string; DocumentStatus: string; FailureCode?: string; FailureReason?: string };

/**
 * BatchPutDocument / BatchDeleteDocument / BatchGetDocumentStatus. A batch is checked up front
 * (rejections come back in FailedDocuments and count nowhere) and queued; the indexer applies the
 * queue in order and attributes each document to its job's metrics (S-JOB-6, DOC-1..3).
 */
export class Documents {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly indices: Indices,
    private readonly limits: Config['limits'],
    private readonly wake: () => void,
  ) {}

  async put(scope: Scope, indexId: string, docs: IncomingDocument[]): Promise<RejectedDocument[]> {
    await this.indices.getActive(scope, indexId);
    const target = await this.resolveTargets(indexId, docs.map((d) => attributionOf(d.Attributes)));
    if ('rejectAll' in target) {
      const why = target.rejectAll;
      return docs.map((d) => ({ Id: d.Id, ErrorCode: 'InvalidRequest', ErrorMessage: why, ...dsOf(d) }));
    }
    const rejected: RejectedDocument[] = [];
    const ops: NewQueuedOp[] = [];
    for (const [i, d] of docs.entries()) {
      const problem = target.problems[i] ?? this.checkDocument(d) ?? (await this.checkConfiguration(indexId, d));
      if (problem) {
        rejected.push({ Id: d.Id, ErrorCode: 'InvalidRequest', ErrorMessage: problem, ...dsOf(d) });
        continue;
      }
      const queued: QueuedDocument = { Title: d.Title, Attributes: d.Attributes ?? [], ContentType: d.ContentType, S3Path: d.S3Path, Access: { AccessControlList: d.AccessControlList, HierarchicalAccessControlList: d.HierarchicalAccessControlList }, AccessControlConfigurationId: d.AccessControlConfigurationId };
      ops.push({
        index_id: indexId, document_id: d.Id, op: 'put', data_source_id: target.dataSourceIds[i] ?? null,
        execution_id: target.executionIds[i] ?? null, document: JSON.stringify(queued), content: d.Blob ? Buffer.from(d.Blob) : null,
      });
    }
    if (!(await this.store.documents.enqueue(ops, this.clock()))) return docs.map((d) => ({ Id: d.Id, ErrorCode: 'InvalidRequest', ErrorMessage: JOB_ENDED, ...dsOf(d) }));
    if (ops.length) this.wake();
    return rejected;
  }

  async delete(scope: Scope, indexId: string, ids: string[], metricTarget?: { DataSourceId: string; DataSourceSyncJobId?: string }): Promise<RejectedDocument[]> {
    await this.indices.getActive(scope, indexId);
    const attribution = { dataSourceId: metricTarget?.DataSourceId, executionId: metricTarget?.DataSourceSyncJobId };
    const target = await this.resolveTargets(indexId, ids.map(() => attribution));
    const dataSourceId = metricTarget?.DataSourceId;
    const why = 'rejectAll' in target ? target.rejectAll : target.problems[0];
    if (why !== undefined) return ids.map((Id) => ({ Id, DataSourceId: dataSourceId, ErrorCode: 'InvalidRequest', ErrorMessage: why }));
    if ('rejectAll' in target) return [];
    const queued = await this.store.documents.enqueue(
      ids.map((id, i) => ({ index_id: indexId, document_id: id, op: 'delete' as const, data_source_id: dataSourceId ?? null, execution_id: target.executionIds[i] ?? null, document: null, content: null })),
      this.clock(),
    );
    if (!queued) return ids.map((Id) => ({ Id, DataSourceId: dataSourceId, ErrorCode: 'InvalidRequest', ErrorMessage: JOB_ENDED }));
    if (ids.length) this.wake();
    return [];
  }

  async status(scope: Scope, indexId: string, ids: string[]): Promise<DocumentState[]> {
    await this.indices.get(scope, indexId);
    const [rows, queued] = await Promise.all([this.store.documents.getMany(indexId, ids), this.store.documents.queuedIds(indexId, ids)]);
    const byId = new Map(rows.map((r) => [r.document_id, r]));
    return ids.map((id) => {
      if (queued.has(id)) return { DocumentId: id, DocumentStatus: 'PROCESSING' };
      const row = byId.get(id);
      if (!row) return { DocumentId: id, DocumentStatus: 'NOT_FOUND' };
      if (row.status === 'FAILED' || row.status === 'UPDATE_FAILED')
        return { DocumentId: id, DocumentStatus: row.status, FailureCode: 'InvalidRequest', FailureReason: row.failure_reason ?? undefined };
      return { DocumentId: id, DocumentStatus: row.status };
    });
  }

  /**
   * Works out, per document, the data source and job its metrics go to. Naming a job that is not
   * SYNCING rejects the whole batch (S-JOB-6); naming a data source that is not in the index rejects the document.
   */
  private async resolveTargets(indexId: string, wanted: { dataSourceId?: string; executionId?: string }[]): Promise<Targets> {
    const dataSourceIds: (string | undefined)[] = [];
    const executionIds: (string | undefined)[] = [];
    const problems: (string | undefined)[] = [];
    const activeJob = new Map<string, string | undefined>();
    for (const w of wanted) {
      let problem: string | undefined;
      let executionId: string | undefined;
      if (w.executionId) {
        const job = await this.store.syncJobs.get(w.executionId);
        if (!job || job.index_id !== indexId || (w.dataSourceId && job.data_source_id !== w.dataSourceId) || job.status !== 'SYNCING')
          return { rejectAll: `Sync job ${w.executionId} is not an active (SYNCING) job of ${w.dataSourceId ? `data source ${w.dataSourceId}` : `index ${indexId}`}${job && job.status !== 'SYNCING' ? `; it is ${job.status}` : ''}.` };
        executionId = job.execution_id;
        w.dataSourceId ??= job.data_source_id;
      } else if (w.dataSourceId) {
        if (!activeJob.has(w.dataSourceId)) {
          const ds = await this.store.dataSources.get(indexId, w.dataSourceId);
          activeJob.set(w.dataSourceId, ds ? (await this.store.syncJobs.active(ds.id)).find((j) => j.status === 'SYNCING')?.execution_id ?? '' : undefined);
        }
        const job = activeJob.get(w.dataSourceId);
        if (job === undefined) problem = `Data source ${w.dataSourceId} does not exist in index ${indexId}.`;
        else executionId = job || undefined;
      }
      dataSourceIds.push(w.dataSourceId);
      executionIds.push(executionId);
      problems.push(problem);
    }
    return { dataSourceIds, executionIds, problems };
  }

  private async checkConfiguration(indexId: string, d: IncomingDocument): Promise<string | undefined> {
    if (d.AccessControlConfigurationId === undefined) return undefined;
    if (d.AccessControlList || d.HierarchicalAccessControlList)
      return 'The document has both access lists and an AccessControlConfigurationId; give one.';
    if (!(await this.store.accessConfigurations.get(indexId, d.AccessControlConfigurationId)))
      return `Access control configuration ${d.AccessControlConfigurationId} does not exist in index ${indexId}.`;
    return undefined;
  }

  private checkDocument(d: IncomingDocument): string | undefined {
    if (!d.Blob && !d.S3Path) return 'The document has neither Blob nor S3Path content.';
    if (d.Blob && d.S3Path) return 'The document has both Blob and S3Path content; give one.';
    if (d.Blob && d.Blob.byteLength > this.limits.maxDocumentBytes)
      return `The document is ${d.Blob.byteLength} bytes; the limit is ${this.limits.maxDocumentBytes} bytes.`;
    const access = accessProblem(d);
    if (access) return access;
    for (const a of d.Attributes ?? []) {
      const set = (Object.keys(a.Value ?? {}) as (keyof AttributeValue)[]).filter((k) => a.Value[k] !== undefined && a.Value[k] !== null);
      if (set.length !== 1) return `Attribute ${a.Key} must have exactly one value member; it has ${set.length}.`;
      const expected = RESERVED_TYPES[a.Key];
      if (expected && set[0] !== expected) return `Reserved attribute ${a.Key} takes a ${expected}, not a ${set[0]}.`;
      if (a.Key.startsWith('_') && !expected) return `Attribute ${a.Key} is not a reserved attribute; custom attribute names cannot start with '_'.`;
      const languageProblem = a.Key === LANGUAGE_KEY ? languageCodeProblem(a.Value.StringValue!) : undefined;
      if (languageProblem) return `Attribute ${a.Key} ${languageProblem}.`;
    }
    return stringListProblem(d.Attributes ?? [], this.limits.maxStringListValues);
  }
}

function attributionOf(attributes: Attribute[] | undefined): { dataSourceId?: string; executionId?: string } {
  const get = (k: string) => attributes?.find((a) => a.Key === k)?.Value?.StringValue;
  return { dataSourceId: get('_data_source_id'), executionId: get('_data_source_sync_job_execution_id') };
}

function dsOf(d: IncomingDocument): { DataSourceId?: string } {
  const id = attributionOf(d.Attributes).dataSourceId;
  return id ? { DataSourceId: id } : {};
}
