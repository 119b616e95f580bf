import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Config } from '../config/config.js';
import { detectContentType, extractText, type ContentType } from '../connectors/extract/index.js';
import { accessLevels, accessRows, type AccessLevels, type AccessLists } from '../domain/access.js';
import type { Attribute, QueuedDocument } from '../domain/documents.js';
import type { Clock } from '../domain/clock.js';
import { analyzerFor } from '../search/analysis.js';
import { DEFAULT_LANGUAGE, documentLanguage } from '../search/language.js';
import { SEARCHABLE_STATUSES, type HeldDocument, type HeldWithAccess, type QueuedOp } from '../store/documents.js';
import type { Database } from '../store/schema.js';
import { writeDocumentAccess } from '../store/documentAccess.js';
import { fileTypeColumn } from '../search/attributeRows.js';
import { storedAttributesJson, stringListProblem } from '../search/attributes.js';
import { storableText } from '../store/storableText.js';
import type { Store } from '../store/store.js';
import type { MetricDeltas } from '../store/syncJobs.js';
import type { BatchWrites } from './batchWrites.js';

export type FetchS3 = (bucket: string, key: string, signal?: AbortSignal) => Promise<Buffer>;

/** A document ready to be written: extracted text, or why it could not be. */
export type Prepared =
  | {
      ok: true; title: string; body: string; contentType: ContentType; attributes: Attribute[]; language: string;
      /**
       * The attributes as documents.attributes holds them (JSON: search/attributes.ts storedAttributesJson), made once
       * with the rest for the data source its _data_source_id names: the writer only binds it (jsonFor).
       */
      attributesJson: string;
      access: AccessLevels; accessConfigurationId?: string;
      /** What the full-text index holds instead of title and body (search/analysis.ts), or null: the text itself. */
      searchTitle: string | null; searchBody: string | null;
      /**
       * The document's fingerprint as documents.content_hash holds it: the first 128 bits of its SHA-256 in base64url (22
       * characters; issue 14, size on disk: 42 bytes a document fewer). A row of a release before holds all 256 bits
       * in hex: sameContent() compares it too, so an upgrade modifies no document.
       */
      hash: string;
      sourceUri: string | null; fileType: string; version: string | null;
    }
  | { ok: false; reason: string; attributes: Attribute[]; version: string | null };

const searchable = new Set<string>(SEARCHABLE_STATUSES);

/**
 * Applies queued document operations to the full-text index. Extraction runs outside the
 * transaction; each batch's index writes, report lines and metrics commit together, so the
 * counts always agree with what the index holds.
 */
export class DocumentIndexer {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly limits: Config['limits'],
    private readonly fetchS3: FetchS3,
  ) {}

  /** Drains up to `limit` queued operations; returns how many it applied. */
  async drain(owner: string, limit = 50): Promise<number> {
    const now = this.clock();
    const ops = await this.store.documents.claim(owner, now, now + 60_000, limit);
    if (!ops.length) return 0;
    const languages = await this.dataSourceLanguages(ops);
    const prepared = await Promise.all(ops.map((op) => (op.op === 'put' ? this.prepareQueued(op, languages.get(op.data_source_id)) : undefined)));
    try {
      await this.applyQueued(ops, prepared);
    } catch {
      // One write the database refused took the batch's transaction with it: apply each alone, so that
      // only the one that cannot be written fails (with the database's reason), and the rest are indexed.
      for (const [i, op] of ops.entries()) {
        await this.applyQueued([op], [prepared[i]]).catch((e: unknown) => this.applyQueued([op], [op.op === 'put' ? unwritable(e) : undefined]));
      }
    }
    this.store.plannerStatistics.changed(ops.length);
    return ops.length;
  }

  /** One transaction: the operations' index writes, their metrics, and their removal from the queue. */
  private async applyQueued(ops: QueuedOp[], prepared: (Prepared | undefined)[]): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      const deltas = new Map<string, MetricDeltas>();
      await this.store.documents.withTextBatched(trx, async () => {
        for (const [i, op] of ops.entries()) {
          const d = op.op === 'put' ? await this.applyPut(trx, op.index_id, op.document_id, op.data_source_id, prepared[i]!, op.seq, op.execution_id) : await this.applyDelete(trx, op.index_id, op.document_id, op.seq, op.execution_id);
          if (d && op.execution_id) addDelta(deltas, op.execution_id, d);
        }
      });
      for (const [executionId, d] of deltas) await this.store.syncJobs.addMetrics(executionId, d, trx);
      await this.store.documents.dequeue(ops.map((o) => o.seq), trx);
    });
  }

  /** The LanguageCode of each data source the operations name: the language of their documents that give none. */
  private async dataSourceLanguages(ops: QueuedOp[]): Promise<Map<string | null, string | null>> {
    const ids = [...new Set(ops.map((o) => o.data_source_id).filter((id): id is string => id !== null))];
    const rows = await Promise.all(ids.map((id) => this.store.dataSources.getById(id)));
    return new Map(rows.flatMap((r) => (r ? [[r.id, r.language_code] as const] : [])));
  }

  private async prepareQueued(op: QueuedOp, dataSourceLanguage: string | null | undefined): Promise<Prepared> {
    const doc = JSON.parse(op.document ?? '{}') as QueuedDocument;
    const attributes = (doc.Attributes ?? []).map(reviveDates);
    let content = op.content;
    if (!content && doc.S3Path) {
      try {
        content = await this.fetchS3(doc.S3Path.Bucket, doc.S3Path.Key);
      } catch (e) {
        return { ok: false, reason: `cannot read s3://${doc.S3Path.Bucket}/${doc.S3Path.Key}: ${(e as Error).name}: ${(e as Error).message}`, attributes, version: null };
      }
    }
    const access = accessLevels(doc.Access ?? {});
    return prepare(content ?? Buffer.alloc(0), { title: doc.Title, contentType: doc.ContentType, fileName: doc.S3Path?.Key, attributes, dataSourceLanguage, access, accessConfigurationId: doc.AccessControlConfigurationId, version: null }, this.limits);
  }

  /**
   * Writes one document. Returns the metric deltas for its job: Added when the index did not hold it,
   * Modified when its text or metadata changed (or always, with `force`: FORCED_FULL_CRAWL), nothing
   * when unchanged; each at most once per job. `queueSeq` is the queue position of the operation, or null
   * for a connector's write, which is not ordered against the queue. `held`: what the document's batch
   * looked up in one statement (heldOnce()); an id it does not hold is looked up here.
   */
  async applyPut(trx: Transaction<Database>, indexId: string, documentId: string, dataSourceId: string | null, prepared: Prepared, queueSeq: number | null, executionId: string | null, opts: { force?: boolean; held?: Map<string, HeldWithAccess | undefined>; batch?: BatchWrites } = {}): Promise<MetricDeltas | undefined> {
    const now = this.clock();
    const p = await this.withConfiguration(trx, indexId, prepared.ok ? prepared : storableFailure(prepared));
    const existing = opts.held?.has(documentId) ? opts.held.get(documentId) : await this.store.documents.held(indexId, documentId, trx);
    if (existing && queueSeq !== null && existing.applied_seq > queueSeq) return undefined;
    const seq = queueSeq ?? existing?.applied_seq ?? 0;
    const held = existing !== undefined && searchable.has(existing.status);
    if (!p.ok) {
      const status = held ? 'UPDATE_FAILED' : 'FAILED';
      if (existing) await this.store.documents.update(existing.doc_key, { status, failure_reason: p.reason, applied_seq: seq, updated_at: now }, trx);
      else await this.store.documents.insert(failedRow(indexId, documentId, dataSourceId, p, seq, executionId, now), trx);
      if (executionId && (await this.store.reports.record(executionId, documentId, 'FAILED', p.reason, now, trx))) return { failed: 1 };
      return undefined;
    }
    if (held && sameContent(existing.content_hash, p.hash) && !opts.force) {
      await this.store.documents.update(existing.doc_key, { applied_seq: seq, status: existing.status === 'UPDATE_FAILED' ? 'UPDATED' : existing.status, failure_reason: null }, trx);
      return undefined;
    }
    // One literal with every column (what an insert writes; an update leaves out what it keeps): built by
    // spreading and adding keys, V8 missed its inline caches on every document.
    const row = {
      index_id: indexId, document_id: documentId,
      data_source_id: dataSourceId, title: p.title, body: p.body, content_type: p.contentType, attributes: jsonFor(p, dataSourceId), language_code: p.language,
      search_title: p.searchTitle, search_body: p.searchBody,
      source_uri: p.sourceUri, file_type: fileTypeColumn(p.fileType, p.contentType), content_hash: p.hash, status: held ? 'UPDATED' : 'INDEXED', failure_reason: null, text_bytes: Buffer.byteLength(p.body),
      applied_seq: seq, created_at: now, updated_at: now,
    };
    const access = accessRows(p.access, dataSourceId);
    // A new document of the batch's, named once in it (held: looked up with the batch) and with no access rows (written by its key), waits for the batch's end.
    if (!existing && opts.batch && opts.held?.has(documentId) && !access.length && !p.accessConfigurationId) opts.batch.insert(row);
    else {
      let docKey: number;
      if (existing) await this.store.documents.update((docKey = Number(existing.doc_key)), changedOnly(existing, row), trx);
      else docKey = await this.store.documents.insert(row, trx);
      // A document stored before (even a failed one) may have access rows to replace; a new one has none.
      await writeDocumentAccess(trx, docKey, access, p.accessConfigurationId ?? null, existing?.hasAccess ?? false);
    }
    if (!executionId) return undefined;
    // With a batch, its line is recorded (and counted) at the batch's end.
    if (opts.batch) return void opts.batch.line(documentId, held ? 'MODIFIED' : 'ADDED', now);
    if (!(await this.store.reports.recordFirst(executionId, documentId, held ? 'MODIFIED' : 'ADDED', ['ADDED', 'MODIFIED'], now, trx))) return undefined;
    return held ? { modified: 1 } : { added: 1 };
  }

  /**
   * What the index holds of these documents, in one lookup, for applyPut: the ids named once only. An id
   * named twice is left out, so that its second write looks up what its first wrote.
   */
  async heldOnce(trx: Transaction<Database>, indexId: string, documentIds: string[]): Promise<Map<string, HeldWithAccess | undefined>> {
    const seen = new Set<string>();
    const twice = new Set<string>();
    for (const id of documentIds) (seen.has(id) ? twice : seen).add(id);
    for (const id of twice) seen.delete(id);
    const found = await this.store.documents.heldMany(indexId, [...seen], trx);
    return new Map([...seen].map((id) => [id, found.get(id)]));
  }

  /** A document pointing at an access control configuration takes its lists (as they are now); one that no longer exists fails the document. */
  private async withConfiguration(trx: Transaction<Database>, indexId: string, p: Prepared): Promise<Prepared> {
    if (!p.ok || !p.accessConfigurationId) return p;
    const config = await this.store.accessConfigurations.get(indexId, p.accessConfigurationId, trx);
    if (!config) return { ok: false, reason: `access control configuration ${p.accessConfigurationId} does not exist in index ${indexId}`, attributes: p.attributes, version: p.version };
    return { ...p, access: accessLevels(JSON.parse(config.acl) as AccessLists) };
  }

  async applyDelete(trx: Transaction<Database>, indexId: string, documentId: string, seq: number, executionId: string | null, reason: string | null = null): Promise<MetricDeltas | undefined> {
    const existing = await this.store.documents.held(indexId, documentId, trx);
    if (!existing || existing.applied_seq > seq) return undefined;
    await this.store.documents.remove(existing.doc_key, trx);
    if (executionId && (await this.store.reports.record(executionId, documentId, 'DELETED', reason, this.clock(), trx))) return { deleted: 1 };
    return undefined;
  }
}

/** Columns whose update rewrites a document's attribute rows (the schema's triggers): set only when they change. */
const ATTRIBUTE_COLUMNS = ['attributes', 'data_source_id', 'language_code'] as const;
/** Columns a stored document keeps when it is written over. */
const KEPT_COLUMNS = ['index_id', 'document_id', 'created_at'] as const;

/** The row as an update of `existing`: without the columns it keeps, nor the attribute-bearing ones that hold the same values already (a modified text seldom changes its attributes). */
function changedOnly<T extends Record<(typeof ATTRIBUTE_COLUMNS)[number] | (typeof KEPT_COLUMNS)[number], unknown>>(existing: HeldDocument, row: T): Partial<T> {
  const out: Partial<T> = { ...row };
  for (const c of KEPT_COLUMNS) delete out[c];
  for (const c of ATTRIBUTE_COLUMNS) if (existing[c] === row[c]) delete out[c];
  return out;
}

/** A failure's reason and attributes as they are stored, the same on both backends (see store/storableText.ts); prepare() makes a document's text so. */
function storableFailure(p: Extract<Prepared, { ok: false }>): Prepared {
  return { ...p, reason: storableText(p.reason), attributes: p.attributes.map(storableAttribute) };
}

function storableAttribute(a: Attribute): Attribute {
  const v = a.Value;
  if (v.StringValue !== undefined) return { Key: a.Key, Value: { StringValue: storableText(v.StringValue) } };
  if (v.StringListValue !== undefined) return { Key: a.Key, Value: { StringListValue: v.StringListValue.map(storableText) } };
  return a;
}

/** The data source a document's _data_source_id names, or null. */
function namedDataSource(attributes: Attribute[]): string | null {
  return attributes.find((a) => a.Key === '_data_source_id')?.Value.StringValue ?? null;
}

/**
 * documents.attributes of a document written for `dataSourceId`: prepare()'s, made for the data source its
 * _data_source_id names, which is the one it is written for (domain/documents.ts resolveTargets, sync/pipeline.ts); else made again.
 */
function jsonFor(p: Extract<Prepared, { ok: true }>, dataSourceId: string | null): string {
  const named = namedDataSource(p.attributes);
  return named === null || named === dataSourceId ? p.attributesJson : storedAttributesJson(p.attributes, { dataSourceId, sourceUri: p.sourceUri, fileType: p.fileType });
}

/**
 * Whether a stored content_hash fingerprints the same content as `hash` (Prepared's): the same text, or a row of a
 * release before, which held all 256 bits in hex, whose first 128 bits are `hash`'s. Derived from the stored row, only
 * when one of that form is met: no second fingerprint made and carried with every document.
 */
function sameContent(stored: string | null, hash: string): boolean {
  return stored === hash || (stored?.length === 64 && Buffer.from(stored.slice(0, 32), 'hex').toString('base64url') === hash);
}

/** A document whose write the database refused, even alone: it fails, with the database's reason. */
export function unwritable(e: unknown): Prepared {
  return { ok: false, reason: `the document could not be stored: ${(e as Error)?.message ?? String(e)}`, attributes: [], version: null };
}

/** Extracts and fingerprints one document's content; failures are values. */
export async function prepare(
  content: Uint8Array,
  meta: { title?: string; defaultTitle?: string; contentType?: string; fileName?: string; attributes: Attribute[]; dataSourceLanguage?: string | null; access?: AccessLevels; accessConfigurationId?: string; version: string | null },
  limits: Config['limits'],
  signal?: AbortSignal,
): Promise<Prepared> {
  // Refused before anything is extracted or stored; the failure keeps none of the attributes (a list far over the limit would cost its storing).
  const tooLong = stringListProblem(meta.attributes, limits.maxStringListValues);
  if (tooLong) return { ok: false, reason: tooLong, attributes: [], version: meta.version };
  const contentType = detectContentType({ contentType: meta.contentType, fileName: meta.fileName, content }) ?? 'PLAIN_TEXT';
  const extracted = await extractText(content, contentType, limits, signal);
  if (!extracted.ok) return { ok: false, reason: extracted.reason, attributes: meta.attributes, version: meta.version };
  const title = meta.title ?? extracted.title ?? meta.defaultTitle ?? '';
  const attributes = withFileType(meta.attributes, contentType);
  const language = documentLanguage(attributes, meta.dataSourceLanguage);
  const access = meta.access ?? [];
  const h = createHash('sha256').update(title).update('\0').update(extracted.text).update('\0').update(contentType).update('\0').update(JSON.stringify(attributes));
  // The language only when not the default: documents indexed before languages keep their fingerprints.
  if (language !== DEFAULT_LANGUAGE) h.update('\0').update(language);
  // Access lists are part of what a document is: a changed list is a modification. (None adds nothing, so hashes from before access control still match.)
  if (access.length) h.update('\0').update(JSON.stringify(access));
  // A configuration by its id only: its lists change through UpdateAccessControlConfiguration, not by re-indexing.
  if (meta.accessConfigurationId) h.update('\0configuration\0').update(meta.accessConfigurationId);
  const hash = h.digest().toString('base64url', 0, 16);
  const sourceUri = attributes.find((a) => a.Key === '_source_uri')?.Value.StringValue ?? null;
  // Analysed here, outside the indexing transaction and beside the other fetches (English text without unspaced scripts costs one regex test).
  const analyzer = analyzerFor(language);
  const searchTitle = analyzer.indexText(title);
  const searchBody = analyzer.indexText(extracted.text);
  // Stored as both backends can hold it (see store/storableText.ts), fingerprinted and analysed as it came.
  const stored = attributes.map(storableAttribute);
  const storedSourceUri = sourceUri === null ? null : storableText(sourceUri);
  // withFileType gave every document one: its own (a StringValue, domain/documents.ts) or the content type.
  const fileType = stored.find((a) => a.Key === '_file_type')!.Value.StringValue!;
  return {
    ok: true, title: storableText(title), body: storableText(extracted.text), contentType, attributes: stored, attributesJson: storedAttributesJson(stored, { dataSourceId: namedDataSource(stored), sourceUri: storedSourceUri, fileType }), language, searchTitle, searchBody, access,
    ...(meta.accessConfigurationId ? { accessConfigurationId: meta.accessConfigurationId } : {}), hash, sourceUri: storedSourceUri, fileType, version: meta.version,
  };
}

/**
 * The attributes a document is stored with: `_file_type` filled in, and the job routing attribute
 * dropped (it names the sync, not the document, so a re-sent unchanged document stays unchanged).
 */
function withFileType(attributes: Attribute[], contentType: ContentType): Attribute[] {
  const kept = attributes.filter((a) => a.Key !== '_data_source_sync_job_execution_id');
  if (kept.some((a) => a.Key === '_file_type')) return kept;
  return [...kept, { Key: '_file_type', Value: { StringValue: contentType } }];
}

function reviveDates(a: Attribute): Attribute {
  const v = a.Value as { DateValue?: unknown };
  return v.DateValue !== undefined ? { Key: a.Key, Value: { DateValue: new Date(v.DateValue as string) } } : a;
}

function failedRow(indexId: string, documentId: string, dataSourceId: string | null, p: Extract<Prepared, { ok: false }>, seq: number, executionId: string | null, now: number) {
  return {
    index_id: indexId, document_id: documentId, data_source_id: dataSourceId, title: '', body: '', content_type: null,
    attributes: JSON.stringify(p.attributes), language_code: DEFAULT_LANGUAGE, search_title: null, search_body: null, source_uri: null, file_type: null, content_hash: null, status: 'FAILED',
    failure_reason: p.reason, text_bytes: 0, applied_seq: seq, created_at: now, updated_at: now,
  };
}

function addDelta(map: Map<string, MetricDeltas>, id: string, d: MetricDeltas): void {
  const m = map.get(id) ?? {};
  for (const k of Object.keys(d) as (keyof MetricDeltas)[]) m[k] = (m[k] ?? 0) + (d[k] ?? 0);
  map.set(id, m);
}
