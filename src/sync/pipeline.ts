// The pull pipeline of one connector job: enumeration → change detection → fetch and extract (a few
// at a time) → batches committed to the index. Each batch's index writes, report lines and metric
// increments commit in one transaction, so the metrics always count what the index holds, and a batch
// commits at least every `flushMs` while anything waits, so the metrics are live whatever the source's pace.
// A batch is cut into transactions of about `transactionMs` each (transactionSizer.ts), written by a
// BatchWriter (on SQLite, a thread of its own).
import { performance } from 'node:perf_hooks';
import type { Config } from '../config/config.js';
import type { Connector, Found, SyncContext } from '../connectors/contract.js';
import type { Clock } from '../domain/clock.js';
import { DEFAULT_LANGUAGE, LANGUAGE_KEY } from '../search/language.js';
import type { Store } from '../store/store.js';
import type { MetricDeltas } from '../store/syncJobs.js';
import type { BatchWriter } from './batchWriter.js';
import { BatchWrites } from './batchWrites.js';
import { DocKeySet } from './docKeySet.js';
import { TransactionSizer } from './transactionSizer.js';
import { prepare, unwritable, type DocumentIndexer, type Prepared } from './documentIndexer.js';

export interface JobRef {
  executionId: string;
  indexId: string;
  dataSourceId: string;
}

export interface PipelineOptions {
  fetchConcurrency: number;
  /** Documents written per committed batch; unchanged ones, which cost a count only, go SEEN_PER_WRITE times as many. */
  batchSize: number;
  /** Longest time a result waits before its batch commits. */
  flushMs: number;
  /** About how long one write transaction lasts (sync.writeTransactionMs): a batch is cut to fit. */
  transactionMs: number;
  /** FORCED_FULL_CRAWL: fetch and re-index every document, counted as modified. */
  force: boolean;
  limits: Config['limits'];
  /** The data source's LanguageCode: the language of its documents that give none of their own. */
  language: string | null;
  indexFields: NonNullable<SyncContext['indexFields']>;
}

/** The job can no longer write: it was stopped, reaped or failed by someone else. */
export class JobEnded extends Error {}

type Listed = Extract<Found, { kind: 'document' }>;

/**
 * Documents per version lookup (one statement). Listed documents wait here for the lookup: few, so that
 * they (a database row, a file's entry) die young rather than in the old generation, where they would pile
 * up until a full collection (see ROWS_PER_READ in connectors/databaseRows.ts).
 */
const LOOKUP_SIZE = 100;
const SEEN_PER_WRITE = 8;

/** What the pipeline commits for one listed item. */
export type Result =
  | { kind: 'seen'; docKey: number }
  | { kind: 'owned'; id: string; owner: string }
  | { kind: 'put'; id: string; prepared: Prepared }
  | { kind: 'unlisted'; location: string; reason: string };

export class SyncPipeline {
  private lookup: Listed[] = [];
  private lookupSince = 0;
  private ready: Result[] = [];
  /** When the oldest of `ready` was added (performance.now()). */
  private readySince = 0;
  /** How many of `ready` are writes (not unchanged documents). */
  private written = 0;
  private readonly inflight = new Set<Promise<void>>();
  private lookupChain: Promise<void> = Promise.resolve();
  private commitChain: Promise<void> = Promise.resolve();
  private queuedCommit: Promise<void> | undefined;
  /** The first error of a step run by the timer; it ends the job. */
  private error: unknown;
  private readonly controller = new AbortController();
  /** False once part of the source could not be listed: then no document may be taken for deleted. */
  complete = true;
  /** Documents (and per-document failures) the connector has yielded: each is scanned once. */
  listed = 0;
  /** Documents found unchanged (committed as scanned): kept by deletion detection, as are those written. */
  readonly unchanged = new DocKeySet();
  private readonly sizer: TransactionSizer;

  constructor(
    private readonly store: Store,
    private readonly writer: BatchWriter,
    private readonly clock: Clock,
    private readonly job: JobRef,
    private readonly opts: PipelineOptions,
    outer: AbortSignal,
  ) {
    if (outer.aborted) this.controller.abort();
    else outer.addEventListener('abort', () => this.controller.abort(), { once: true });
    this.sizer = new TransactionSizer(opts.transactionMs, opts.batchSize);
  }

  private get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Walks the whole source and fetches every new or changed document, committing as it goes: the
   * SYNCING phase, which a stop can cut short. Throws what ended it early.
   */
  async crawl(connector: Connector): Promise<void> {
    const ctx: SyncContext = { signal: this.signal, maxDocumentBytes: this.opts.limits.maxDocumentBytes, indexFields: this.opts.indexFields };
    const timer = setInterval(() => this.onTimer(), tickMs(this.opts.flushMs));
    try {
      for await (const found of connector.enumerate(ctx)) {
        if (this.signal.aborted) break;
        if (found.kind === 'document' || found.id !== undefined) this.listed++;
        if (found.kind === 'document') {
          if (!this.lookup.length) this.lookupSince = this.clock();
          this.lookup.push(found);
        } else if (found.id !== undefined) {
          this.add({ kind: 'put', id: found.id, prepared: { ok: false, reason: found.reason, attributes: [], version: null } });
        } else {
          this.complete = false;
          this.add({ kind: 'unlisted', location: found.location ?? '(source)', reason: found.reason });
        }
        if (this.lookup.length >= LOOKUP_SIZE) await this.runLookup();
        if (this.written >= this.opts.batchSize || this.ready.length >= this.opts.batchSize * SEEN_PER_WRITE) await (connector.writesWhileListing ? this.runCommit() : this.commitBehind());
      }
      if (!this.signal.aborted) await this.runLookup();
      while (this.inflight.size && !this.signal.aborted) await Promise.race(this.inflight);
    } catch (e) {
      throw this.error ?? e;
    } finally {
      clearInterval(timer);
    }
    if (this.error) throw this.error;
    if (this.signal.aborted) throw this.signal.reason ?? new Error('aborted');
  }

  /** After the crawl (SYNCING_INDEXING): commits what is left. */
  async commitRest(): Promise<void> {
    await this.runCommit();
    if (this.error) throw this.error;
  }

  /** After an abort: lets fetches in flight and a commit under way finish; nothing more is written. */
  async settle(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled([...this.inflight, this.lookupChain, this.commitChain]);
  }

  /**
   * What is ready commits once its oldest has waited a tick short of flushMs: so it waits flushMs at
   * most, and each transaction holds what came in that time. Committed at every tick instead (what
   * came in since the last one), a sync of small files wrote transactions of ~30 documents, each paying
   * its commit, its round trip to the writer thread, its full-text segment and the index pages it
   * rewrites (~1.5 ms of the writer's CPU, 50 µs a document).
   */
  private onTimer(): void {
    if (this.lookup.length && this.clock() - this.lookupSince >= this.opts.flushMs) this.runLookup().catch((e) => this.fail(e));
    if (this.ready.length && performance.now() - this.readySince >= this.opts.flushMs - tickMs(this.opts.flushMs)) this.runCommit().catch((e) => this.fail(e));
  }

  private add(r: Result): void {
    if (!this.ready.length) this.readySince = performance.now();
    this.ready.push(r);
    if (r.kind !== 'seen') this.written++;
  }

  private fail(e: unknown): void {
    this.error ??= e;
    this.controller.abort();
  }

  private runLookup(): Promise<void> {
    const p = this.lookupChain.then(() => this.lookupBatch());
    this.lookupChain = p.catch(() => undefined);
    return p;
  }

  /**
   * A full batch starts committing while the connector goes on listing and fetching the next one: the
   * writer (a thread of its own on SQLite) and the source overlap instead of taking turns. At most one
   * batch is being written while the next fills: the previous one's commit is awaited first, which keeps
   * memory to two batches and lets a slow index hold the source back. (A connector that writes to the
   * store as it lists takes turns instead: Connector.writesWhileListing.)
   */
  private async commitBehind(): Promise<void> {
    await this.commitChain;
    if (this.signal.aborted) return;
    this.runCommit().catch((e) => this.fail(e));
  }

  /** A commit not yet begun takes everything ready when it begins: a second one queued behind it would take only what came in between. */
  private runCommit(): Promise<void> {
    if (this.queuedCommit) return this.queuedCommit;
    const p = this.commitChain.then(() => {
      this.queuedCommit = undefined;
      return this.commitBatch();
    });
    this.queuedCommit = p;
    this.commitChain = p.catch(() => undefined);
    return p;
  }

  /** Change detection: unchanged documents are only scanned; the others are fetched. */
  private async lookupBatch(): Promise<void> {
    const batch = this.lookup.splice(0);
    if (!batch.length || this.signal.aborted) return;
    const held = await this.store.syncDocuments.versions(this.job.indexId, batch.map((f) => f.id));
    for (const f of batch) {
      const h = held.get(f.id);
      // A document of another data source (overlapping sources) stays that one's: never fetched, written or deleted here.
      if (h && h.data_source_id !== this.job.dataSourceId) {
        this.add({ kind: 'owned', id: f.id, owner: h.data_source_id });
        continue;
      }
      if (h && !this.opts.force && h.version === this.versionOf(f)) {
        this.add({ kind: 'seen', docKey: h.doc_key });
        continue;
      }
      while (this.inflight.size >= this.opts.fetchConcurrency) await Promise.race(this.inflight);
      if (this.signal.aborted) return;
      this.startFetch(f);
    }
  }

  /**
   * The version a document is indexed at: the source's, with the data source's language when it is not
   * the default, so that a LanguageCode changed by UpdateDataSource re-indexes every document once.
   */
  private versionOf(f: Listed): string {
    const lang = this.opts.language;
    return lang && lang !== DEFAULT_LANGUAGE ? `${f.version} ${LANGUAGE_KEY}=${lang}` : f.version;
  }

  private startFetch(f: Listed): void {
    const signal = this.signal;
    const task = (async () => {
      let prepared: Prepared;
      try {
        const raw = await f.fetch(signal);
        const attributes = [{ Key: '_data_source_id', Value: { StringValue: this.job.dataSourceId } }, ...raw.attributes];
        const meta = { title: raw.title, defaultTitle: raw.defaultTitle, contentType: raw.contentType, fileName: raw.fileName, attributes, dataSourceLanguage: this.opts.language, access: raw.access, accessConfigurationId: raw.accessConfigurationId, version: this.versionOf(f) };
        prepared = await prepare(raw.content, meta, this.opts.limits, signal);
      } catch (e) {
        prepared = { ok: false, reason: `cannot read ${f.id}: ${(e as Error)?.message ?? String(e)}`, attributes: [], version: null };
      }
      // A fetch cut short by a stop is not a failure of the document: it is simply not written.
      if (!signal.aborted) {
        this.add({ kind: 'put', id: f.id, prepared });
      }
    })();
    this.inflight.add(task);
    void task.finally(() => this.inflight.delete(task));
  }

  /** What is ready, in transactions of the sizer's size; once begun, the whole batch is written. */
  private async commitBatch(): Promise<void> {
    if (this.signal.aborted) return;
    const items = this.ready.splice(0);
    this.written = 0;
    for (let at = 0; at < items.length; ) {
      const part = nextPart(items, at, this.sizer.size);
      at += part.length;
      await this.commitPart(part);
    }
  }

  private async commitPart(items: Result[]): Promise<void> {
    try {
      await this.writeBatch(items);
    } catch (e) {
      if (e instanceof JobEnded) throw e;
      // One write the database refused took the batch's transaction with it: write each alone, so that
      // only the one that cannot be written fails (with the database's reason), and the rest are indexed.
      for (const r of items) {
        await this.writeBatch([r]).catch((err: unknown) => {
          if (err instanceof JobEnded || r.kind !== 'put') throw err;
          return this.writeBatch([{ ...r, prepared: unwritable(err) }]);
        });
      }
    }
    for (const r of items) if (r.kind === 'seen') this.unchanged.add(r.docKey);
  }

  /** One transaction: index writes, report lines and the metric increments they earn. */
  private async writeBatch(items: Result[]): Promise<void> {
    const started = performance.now();
    const written = await this.writer.write(this.job, items, this.opts.force);
    this.sizer.observe(writesIn(items), performance.now() - started);
    if (!written) throw new JobEnded('the sync job can no longer write');
  }
}

/** How often the pipeline's timer looks for a lookup or a commit that is due. */
function tickMs(flushMs: number): number {
  return Math.max(10, Math.floor(flushMs / 4));
}

/** Items from `from` holding at most `writes` writes, with the unchanged documents among and after them. */
function nextPart(items: Result[], from: number, writes: number): Result[] {
  let end = from;
  for (let n = 0; end < items.length && (items[end]!.kind === 'seen' || n++ < writes); ) end++;
  return items.slice(from, end);
}

function writesIn(items: Result[]): number {
  let writes = 0;
  for (const r of items) if (r.kind !== 'seen') writes++;
  return writes;
}

/**
 * One transaction: a batch's index writes, report lines and the metric increments they earn. False
 * when the job can no longer write (nothing was written). bench/scenarios/indexing.ts measures it.
 */
export async function writeResults(store: Store, indexer: DocumentIndexer, clock: Clock, job: JobRef, items: Result[], force: boolean): Promise<boolean> {
  const { executionId, indexId, dataSourceId } = job;
  const written = await store.db.transaction().execute(async (trx) => {
    if (!(await store.syncJobs.holdWhileRunning(executionId, trx))) return false;
    const deltas: Required<MetricDeltas> = { added: 0, modified: 0, deleted: 0, failed: 0, scanned: 0 };
    const held = await indexer.heldOnce(trx, indexId, items.flatMap((r) => (r.kind === 'put' ? [r.id] : [])));
    const synced: { id: string; version: string | null }[] = [];
    // PostgreSQL: new documents and report lines written together at the batch's end (batchWrites.ts); SQLite writes each in process.
    const batch = store.conn.dialect === 'postgres' ? new BatchWrites() : undefined;
    await store.documents.withTextBatched(trx, async () => {
      for (const r of items) {
        if (r.kind === 'seen') {
          deltas.scanned++;
        } else if (r.kind === 'put') {
          deltas.scanned++;
          const d = await indexer.applyPut(trx, indexId, r.id, dataSourceId, r.prepared, null, executionId, { force, held, batch });
          synced.push({ id: r.id, version: r.prepared.ok ? r.prepared.version : null });
          for (const k of Object.keys(d ?? {}) as (keyof MetricDeltas)[]) deltas[k] += d![k] ?? 0;
        } else if (r.kind === 'owned') {
          deltas.scanned++;
          const reason = `already indexed by data source ${r.owner} of this index, which keeps it (a document belongs to one data source; these overlap)`;
          if (await store.reports.record(executionId, r.id, 'FAILED', reason, clock(), trx)) deltas.failed++;
        } else if (r.kind === 'unlisted') {
          if (await store.reports.record(executionId, r.location, 'FAILED', r.reason, clock(), trx)) deltas.failed++;
        }
      }
      if (batch) for (const [k, n] of Object.entries(await batch.flush(store, executionId, trx)) as [keyof MetricDeltas, number][]) deltas[k] += n;
    });
    await store.syncDocuments.recordMany(indexId, dataSourceId, executionId, synced, trx);
    await store.syncJobs.addMetrics(executionId, deltas, trx);
    return true;
  });
  if (written) store.plannerStatistics.changed(writesIn(items));
  return written;
}
