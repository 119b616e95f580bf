// One connector job from SYNCING to its end: SYNCING while the connector enumerates, SYNCING_INDEXING
// for the last batches and deletion detection, then SUCCEEDED / INCOMPLETE; FAILED on a source or
// server fault; STOPPING → ABORTED when stopped (what committed stays).
import type { Config } from '../config/config.js';
import { ConfigurationError, SourceError, type Connector, type SyncContext } from '../connectors/contract.js';
import { connectorFor, parseSource, SYNCABLE_TYPES_TEXT, type SourceSpec } from '../connectors/registry.js';
import type { Clock } from '../domain/clock.js';
import { indexFieldTypes } from '../domain/documents.js';
import { isTerminal, type SyncJobStatus } from '../domain/syncJobStateMachine.js';
import type { DataSourceRow } from '../store/dataSources.js';
import type { Store } from '../store/store.js';
import type { SyncJobRow, TransitionFields } from '../store/syncJobs.js';
import { deleteUnseen } from './deletionDetection.js';
import type { BatchWriter } from './batchWriter.js';
import { JobEnded, SyncPipeline, type JobRef } from './pipeline.js';
import { errorField, type Log } from '../observe/log.js';

/** How often a running job reads its own row, to notice a stop (S-JOB-2: within 2 seconds). */
const POLL_MS = 250;
/** Documents written per committed batch of a connector job (bench/scenarios/indexing.ts writes alike). */
export const BATCH_SIZE = 256;
const FLUSH_MS = 250;

/**
 * PostgreSQL: about how long a connector job's write transactions last. No request reads past one (readers see the
 * last commit); only a write of the job's own row waits for it (StopDataSourceSyncJob): half a second at most, then.
 * Each transaction costs its backend a fixed share (begin, the job's row, the batch's lookup, the metrics, the
 * commit's WAL flush): at the 2 or 3 writes of sync.writeTransactionMs on a busy machine (SQLite's bound: there a
 * request's write waits for the transaction) that share was a third of the backends' CPU per document.
 */
const POSTGRES_TRANSACTION_MS = 500;

function transactionMs(store: Store, config: Config): number {
  return store.conn.dialect === 'postgres' ? Math.max(POSTGRES_TRANSACTION_MS, config.sync.writeTransactionMs) : config.sync.writeTransactionMs;
}

export class JobRun {
  private readonly controller = new AbortController();
  private why: 'stop' | 'shutdown' | undefined;
  private readonly ref: JobRef;

  constructor(
    private readonly job: SyncJobRow,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly writer: BatchWriter,
    private readonly config: Config,
    private readonly log: Log,
  ) {
    this.ref = { executionId: job.execution_id, indexId: job.index_id, dataSourceId: job.data_source_id };
  }

  /** StopDataSourceSyncJob (or the job ended elsewhere): stop fetching, end ABORTED. */
  stop(): void {
    this.why ??= 'stop';
    this.controller.abort();
  }

  /** The server is going down: stop fetching, end FAILED so the job does not wait for its lease to run out. */
  shutdown(): void {
    this.why ??= 'shutdown';
    this.controller.abort();
  }

  async execute(): Promise<void> {
    const poll = setInterval(() => void this.poll(), POLL_MS);
    try {
      await this.sync();
    } finally {
      clearInterval(poll);
    }
  }

  private async poll(): Promise<void> {
    try {
      const row = await this.store.syncJobs.get(this.ref.executionId);
      if (!row || row.status === 'STOPPING' || isTerminal(row.status as SyncJobStatus)) this.stop();
    } catch {
      // The store is unreachable for a moment; the next poll or the batch commit will tell.
    }
  }

  private async sync(): Promise<void> {
    let spec: SourceSpec | undefined;
    let ds: DataSourceRow;
    try {
      ds = JSON.parse(this.job.data_source_snapshot) as DataSourceRow;
      spec = parseSource(ds.type, ds.configuration ? (JSON.parse(ds.configuration) as Record<string, unknown>) : undefined);
      if (!spec) throw new ConfigurationError(`kendrite has no connector for data source type ${templateType(ds) ?? ds.type}; the types it syncs are ${SYNCABLE_TYPES_TEXT}.`);
    } catch (e) {
      if (!(e instanceof ConfigurationError)) throw e;
      await this.end('FAILED', { error_code: 'InvalidRequest', error_message: e.message });
      return;
    }
    const limits = { ...this.config.limits, maxDocumentBytes: Math.min(this.config.limits.maxDocumentBytes, spec.maxFileBytes ?? Infinity) };
    const index = await this.store.indices.getById(this.ref.indexId);
    const indexFields = indexFieldTypes(index ? (JSON.parse(index.settings) as Parameters<typeof indexFieldTypes>[0]) : {});
    const pipeline = new SyncPipeline(
      this.store, this.writer, this.clock, this.ref,
      { fetchConcurrency: this.config.sync.fetchConcurrency, batchSize: BATCH_SIZE, flushMs: FLUSH_MS, transactionMs: transactionMs(this.store, this.config), force: spec.syncMode === 'FORCED_FULL_CRAWL', limits, language: ds.language_code, indexFields },
      this.controller.signal,
    );
    const connector = connectorFor(spec, { ...this.config, webPages: { store: this.store.webPages, frontier: this.store.webFrontier, dataSourceId: this.ref.dataSourceId } });
    const counted = this.countAhead(connector, { signal: this.controller.signal, maxDocumentBytes: limits.maxDocumentBytes, indexFields });
    try {
      await pipeline.crawl(connector);
      if (this.controller.signal.aborted) return await this.aborted(pipeline);
      // The listing is done: the total is now exact (after the estimate, if that was still under way).
      await counted;
      await this.store.syncJobs.setExpected(this.ref.executionId, pipeline.listed);
      // From here a stop no longer applies (S-JOB-2): the job completes, so this phase stays short.
      if (!(await this.store.syncJobs.transition(this.ref.executionId, 'SYNCING_INDEXING', this.clock()))) return await this.aborted(pipeline);
      await pipeline.commitRest();
      if (pipeline.complete) await deleteUnseen(this.store, this.clock, this.ref, pipeline.unchanged, this.controller.signal);
      const row = await this.store.syncJobs.get(this.ref.executionId);
      await this.end(row && row.documents_failed > 0 ? 'INCOMPLETE' : 'SUCCEEDED');
    } catch (e) {
      if (this.controller.signal.aborted || e instanceof JobEnded) return await this.aborted(pipeline);
      await pipeline.settle();
      await this.failed(e);
    }
  }

  /** The connector's count of what it will list (a progress total), stored as soon as it is known; never fails the job. */
  private async countAhead(connector: Connector, ctx: SyncContext): Promise<void> {
    if (!connector.count) return;
    try {
      await this.store.syncJobs.setExpected(this.ref.executionId, await connector.count(ctx));
    } catch (e) {
      if (!ctx.signal.aborted) this.log.debug({ executionId: this.ref.executionId, error: (e as Error).message }, 'sync progress total unknown');
    }
  }

  private async aborted(pipeline: SyncPipeline): Promise<void> {
    await pipeline.settle();
    if (this.why === 'shutdown')
      await this.end('FAILED', {
        error_code: 'InternalError',
        error_message: 'The sync was interrupted because kendrite was shut down. Documents indexed before the interruption stay; start a new sync to bring the index up to date.',
      });
    // A stopped job is STOPPING (→ ABORTED); one ended elsewhere (reaped, data source deleted) stays as it is.
    else await this.store.syncJobs.transition(this.ref.executionId, 'ABORTED', this.clock());
  }

  private async failed(e: unknown): Promise<void> {
    if (e instanceof SourceError) {
      await this.end('FAILED', { error_code: e.kind === 'source' ? 'InvalidRequest' : 'InternalError', error_message: e.message, data_source_error_code: e.sourceCode ?? null });
      return;
    }
    this.log.error({ executionId: this.ref.executionId, error: errorField(e) }, 'sync job failed: an error of kendrite');
    await this.end('FAILED', {
      error_code: 'InternalError',
      error_message: `kendrite failed while running the sync: ${(e as Error)?.message ?? String(e)}. Documents indexed before the failure stay; start a new sync to retry.`,
    });
  }

  /** Moves the job to its end; if it was stopped meanwhile, a stop wins (STOPPING → ABORTED). */
  private async end(to: SyncJobStatus, fields: TransitionFields = {}): Promise<void> {
    if (await this.store.syncJobs.transition(this.ref.executionId, to, this.clock(), fields)) return;
    await this.store.syncJobs.transition(this.ref.executionId, 'ABORTED', this.clock());
  }
}

function templateType(ds: DataSourceRow): string | undefined {
  if (ds.type !== 'TEMPLATE' || !ds.configuration) return undefined;
  const t = (JSON.parse(ds.configuration) as { TemplateConfiguration?: { Template?: { type?: unknown } } }).TemplateConfiguration?.Template?.type;
  return typeof t === 'string' ? `TEMPLATE/${t}` : undefined;
}
