import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.js';
import type { HistoryFilter, HistoryRow } from '../store/syncJobs.js';
import type { ReportAction } from '../store/syncReport.js';
import type { Scope } from './arn.js';
import type { Clock } from './clock.js';
import type { DataSources } from './dataSources.js';
import { conflict, DomainError, invalid, notFound } from './errors.js';
import { HistoryCache } from './historyCache.js';
import type { Indices } from './indices.js';
import type { PageTokens } from './pageToken.js';

export interface Worker {
  readonly id: string;
  readonly leaseMs: number;
  /** A job was started or asked to stop: look now. */
  wake(): void;
}

export interface HistoryPage {
  jobs: HistoryRow[];
  nextToken?: string;
}

/** Report lines of one action, and/or whose reason contains a text (case-insensitively). */
export interface ReportFilter {
  action?: ReportAction;
  reason?: string;
}

export interface HistoryQuery {
  status?: string;
  startTime?: Date;
  endTime?: Date;
  maxResults: number;
  nextToken?: string;
}

/** StartDataSourceSyncJob, StopDataSourceSyncJob, ListDataSourceSyncJobs (S-JOB-1/2, S-LIST-*). */
export class SyncJobs {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly indices: Indices,
    private readonly dataSources: DataSources,
    private readonly tokens: PageTokens,
    private readonly worker: Worker,
  ) {}

  private readonly pages = new HistoryCache<HistoryPage>();

  async start(scope: Scope, indexId: string, dataSourceId: string): Promise<string> {
    await this.indices.getActive(scope, indexId);
    const ds = await this.dataSources.get(scope, indexId, dataSourceId);
    if (ds.status !== 'ACTIVE')
      throw conflict(`Data source ${dataSourceId} is ${ds.status}${ds.error_message ? ` (${ds.error_message})` : ''}; a sync needs it ACTIVE.`);
    const executionId = randomUUID();
    const now = this.clock();
    const started = await this.store.syncJobs.start({
      execution_id: executionId,
      index_id: indexId,
      data_source_id: dataSourceId,
      data_source_type: ds.type,
      start_time: now,
      data_source_snapshot: JSON.stringify(ds),
      lease_owner: this.worker.id,
      lease_expires_at: now + this.worker.leaseMs,
    });
    if (!started) throw new DomainError('InUse', `Data source ${dataSourceId} already has a sync job running; stop it or wait for it to finish.`);
    this.worker.wake();
    return executionId;
  }

  /** S-JOB-2: stopping with nothing to stop succeeds; a CUSTOM job moves on to indexing what it was sent. */
  async stop(scope: Scope, indexId: string, dataSourceId: string): Promise<void> {
    const ds = await this.dataSources.get(scope, indexId, dataSourceId);
    const job = (await this.store.syncJobs.active(dataSourceId)).find((j) => j.status === 'SYNCING');
    if (!job) return;
    const now = this.clock();
    if (ds.type === 'CUSTOM') {
      // The slot is released so that a new CUSTOM job may start while this one indexes (S-JOB-1).
      await this.store.syncJobs.transition(job.execution_id, 'SYNCING_INDEXING', now, {}, { releaseSlot: true });
    } else {
      await this.store.syncJobs.requestStop(job.execution_id);
      await this.store.syncJobs.transition(job.execution_id, 'STOPPING', now);
    }
    this.worker.wake();
  }

  async history(scope: Scope, indexId: string, dataSourceId: string, q: HistoryQuery): Promise<HistoryPage> {
    const filter: HistoryFilter = { status: q.status, startFrom: q.startTime?.getTime(), startTo: q.endTime?.getTime() };
    const binding = `ListDataSourceSyncJobs\n${indexId}\n${dataSourceId}\n${filter.status ?? ''}\n${filter.startFrom ?? ''}\n${filter.startTo ?? ''}`;
    // The same request, while no job has changed since, gets the page it got (wait loops poll this).
    const version = this.store.syncJobs.historyVersion();
    const key = version === undefined ? undefined : `${scope.accountId}\n${scope.region}\n${binding}\n${q.maxResults}\n${q.nextToken ?? ''}`;
    if (key !== undefined) {
      const hit = this.pages.get(key, version!, this.clock());
      if (hit) return hit;
    }
    const page = await this.readHistory(scope, indexId, dataSourceId, filter, binding, q);
    if (key !== undefined && this.store.syncJobs.historyVersion() === version) this.pages.set(key, version!, this.clock(), page);
    return page;
  }

  private async readHistory(scope: Scope, indexId: string, dataSourceId: string, filter: HistoryFilter, binding: string, q: HistoryQuery): Promise<HistoryPage> {
    let after: [number, number] | undefined;
    try {
      if (filter.startFrom !== undefined && filter.startTo !== undefined && filter.startFrom > filter.startTo)
        throw invalid('StartTimeFilter.StartTime must not be later than StartTimeFilter.EndTime.');
      after = q.nextToken ? (this.tokens.read(binding, q.nextToken) as [number, number]) : undefined;
    } catch (e) {
      await this.requireScope(scope, indexId, dataSourceId); // S-LIST-1 comes first, as if checked first
      throw e;
    }
    // The page query also checks the scope: only an empty page needs to know whether it was there.
    const rows = await this.store.syncJobs.page(scope, indexId, dataSourceId, filter, after, q.maxResults + 1);
    if (rows.length === 0) await this.requireScope(scope, indexId, dataSourceId);
    const jobs = rows.length > q.maxResults ? rows.slice(0, q.maxResults) : rows;
    const last = jobs[jobs.length - 1];
    return { jobs, nextToken: rows.length > q.maxResults && last ? this.tokens.issue(binding, [last.start_time, last.seq]) : undefined };
  }

  /** S-LIST-1, with the messages of Indices.get and DataSources.get. */
  private async requireScope(scope: Scope, indexId: string, dataSourceId: string): Promise<void> {
    const missing = await this.store.syncJobs.missingFromScope(scope, indexId, dataSourceId);
    if (missing === 'index') throw notFound(`Index ${indexId} does not exist.`);
    if (missing === 'dataSource') throw notFound(`Data source ${dataSourceId} does not exist in index ${indexId}.`);
  }

  /** One job of an index of this account and region, by its execution id. */
  async describe(scope: Scope, executionId: string) {
    const job = await this.store.syncJobs.get(executionId);
    const index = job && (await this.store.indices.get(scope, job.index_id));
    if (!job || !index) throw new DomainError('NotFound', `Sync job ${executionId} does not exist.`);
    return job;
  }

  /** A job's document-level report (S-JOB-8), for kendrite's API extension, CLI and console; filtered by action and reason words when asked. */
  async report(scope: Scope, executionId: string, maxResults: number, nextToken?: string, filter: ReportFilter = {}) {
    const job = await this.describe(scope, executionId);
    // A token serves the filters it was issued for only.
    const filtered = filter.action !== undefined || filter.reason !== undefined;
    const binding = `SyncJobReport\n${executionId}${filtered ? `\n${filter.action ?? ''}\n${filter.reason ?? ''}` : ''}`;
    const after = nextToken ? (this.tokens.read(binding, nextToken) as [string, string]) : undefined;
    const rows = await this.store.reports.page(executionId, after, maxResults + 1, filter.action, filter.reason);
    const items = rows.slice(0, maxResults);
    const last = items[items.length - 1];
    const timeline = await this.store.syncJobs.timeline(executionId);
    return { job, timeline, items, nextToken: rows.length > maxResults && last ? this.tokens.issue(binding, [last.document_id, last.action]) : undefined };
  }
}
