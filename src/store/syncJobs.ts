import type { Kysely, Selectable, Transaction } from 'kysely';
import { ACTIVE_STATUSES, isTerminal, sourcesOf, type SyncJobStatus } from '../domain/syncJobStateMachine.js';
import type { Database, SyncJobsTable } from './schema.js';

export type SyncJobRow = Selectable<SyncJobsTable>;
type Db = Kysely<Database> | Transaction<Database>;

export interface MetricDeltas {
  added?: number;
  modified?: number;
  deleted?: number;
  failed?: number;
  scanned?: number;
}

export interface HistoryFilter {
  status?: string;
  startFrom?: number;
  startTo?: number;
}

export interface NewSyncJob {
  execution_id: string;
  index_id: string;
  data_source_id: string;
  data_source_type: string;
  start_time: number;
  data_source_snapshot: string;
  lease_owner: string;
  lease_expires_at: number;
}

export interface TransitionFields {
  error_code?: string | null;
  error_message?: string | null;
  data_source_error_code?: string | null;
}

export class SyncJobStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts a SYNCING job holding the data source's start slot; false when another job holds it (S-JOB-1). */
  async start(job: NewSyncJob): Promise<boolean> {
    try {
      await this.db
        .insertInto('sync_jobs')
        .values({ ...job, status: 'SYNCING', start_slot: 1, stop_requested: 0,
          documents_added: 0, documents_modified: 0, documents_deleted: 0, documents_failed: 0, documents_scanned: 0,
          end_time: null, error_code: null, error_message: null, data_source_error_code: null })
        .execute();
      await this.db.insertInto('sync_job_transitions').values({ execution_id: job.execution_id, status: 'SYNCING', at: job.start_time }).execute();
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  get(executionId: string, db: Db = this.db): Promise<SyncJobRow | undefined> {
    return db.selectFrom('sync_jobs').selectAll().where('execution_id', '=', executionId).executeTakeFirst();
  }

  /** Active jobs of a data source, newest first. */
  active(dataSourceId: string, db: Db = this.db): Promise<SyncJobRow[]> {
    return db
      .selectFrom('sync_jobs')
      .selectAll()
      .where('data_source_id', '=', dataSourceId)
      .where('status', 'in', ACTIVE_STATUSES)
      .orderBy('start_time', 'desc')
      .orderBy('seq', 'desc')
      .execute();
  }

  /**
   * Moves a job to `to` if the state machine allows it from the job's current state; the check and the
   * write are one conditional UPDATE, so concurrent movers cannot both win. Returns whether it moved.
   */
  async transition(executionId: string, to: SyncJobStatus, now: number, fields: TransitionFields = {}, opts: { releaseSlot?: boolean } = {}, db: Db = this.db): Promise<boolean> {
    const terminal = isTerminal(to);
    const r = await db
      .updateTable('sync_jobs')
      .set({
        status: to,
        ...fields,
        ...(terminal ? { end_time: now, lease_owner: null, lease_expires_at: null } : {}),
        ...(terminal || opts.releaseSlot ? { start_slot: null } : {}),
      })
      .where('execution_id', '=', executionId)
      .where('status', 'in', sourcesOf(to))
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    await db
      .insertInto('sync_job_transitions')
      .values({ execution_id: executionId, status: to, at: now })
      .onConflict((oc) => oc.columns(['execution_id', 'status']).doNothing())
      .execute();
    return true;
  }

  /** When the job reached each status, in order. */
  timeline(executionId: string): Promise<{ status: string; at: number }[]> {
    return this.db.selectFrom('sync_job_transitions').select(['status', 'at']).where('execution_id', '=', executionId).orderBy('seq').execute();
  }

  async requestStop(executionId: string): Promise<void> {
    await this.db.updateTable('sync_jobs').set({ stop_requested: 1 }).where('execution_id', '=', executionId).execute();
  }

  async addMetrics(executionId: string, d: MetricDeltas, db: Db = this.db): Promise<void> {
    if (!d.added && !d.modified && !d.deleted && !d.failed && !d.scanned) return;
    await db
      .updateTable('sync_jobs')
      .set((eb) => ({
        documents_added: eb('documents_added', '+', d.added ?? 0),
        documents_modified: eb('documents_modified', '+', d.modified ?? 0),
        documents_deleted: eb('documents_deleted', '+', d.deleted ?? 0),
        documents_failed: eb('documents_failed', '+', d.failed ?? 0),
        documents_scanned: eb('documents_scanned', '+', d.scanned ?? 0),
      }))
      .where('execution_id', '=', executionId)
      .execute();
  }

  /** One page of history, newest first (S-LIST-2), resuming strictly after `after` = [start_time, seq]. */
  page(dataSourceId: string, filter: HistoryFilter, after: [number, number] | undefined, limit: number): Promise<SyncJobRow[]> {
    let q = this.db.selectFrom('sync_jobs').selectAll().where('data_source_id', '=', dataSourceId);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.startFrom !== undefined) q = q.where('start_time', '>=', filter.startFrom);
    if (filter.startTo !== undefined) q = q.where('start_time', '<=', filter.startTo);
    if (after) q = q.where((eb) => eb(eb.refTuple('start_time', 'seq'), '<', eb.tuple(after[0], after[1])));
    return q.orderBy('start_time', 'desc').orderBy('seq', 'desc').limit(limit).execute();
  }

  async renewLeases(owner: string, until: number): Promise<void> {
    await this.db.updateTable('sync_jobs').set({ lease_expires_at: until }).where('lease_owner', '=', owner).where('end_time', 'is', null).execute();
  }

  /** Active jobs whose lease ran out (or whose owner is known dead), for the reaper. */
  expired(now: number, deadOwnersExcept?: string): Promise<SyncJobRow[]> {
    let q = this.db.selectFrom('sync_jobs').selectAll().where('end_time', 'is', null);
    q = deadOwnersExcept !== undefined
      ? q.where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '!=', deadOwnersExcept)]))
      : q.where('lease_expires_at', '<', now);
    return q.execute();
  }

  /** Active jobs of this worker, for finishing CUSTOM jobs that reached SYNCING_INDEXING. */
  owned(owner: string): Promise<SyncJobRow[]> {
    return this.db.selectFrom('sync_jobs').selectAll().where('lease_owner', '=', owner).where('end_time', 'is', null).execute();
  }

  async deleteOfDataSource(dataSourceId: string): Promise<void> {
    const jobs = this.db.selectFrom('sync_jobs').select('execution_id').where('data_source_id', '=', dataSourceId);
    await this.db.deleteFrom('sync_report').where('execution_id', 'in', jobs).execute();
    await this.db.deleteFrom('sync_job_transitions').where('execution_id', 'in', jobs).execute();
    await this.db.deleteFrom('sync_jobs').where('data_source_id', '=', dataSourceId).execute();
  }

  /**
   * S-LIST-7: drops terminal jobs that started before `before`, always keeping each data source's newest
   * `keepLatest` jobs. Works one data source and one bounded batch at a time.
   */
  async applyRetention(before: number, keepLatest: number, batch = 5000): Promise<number> {
    const sources = await this.db.selectFrom('sync_jobs').select('data_source_id').distinct().where('start_time', '<', before).where('end_time', 'is not', null).execute();
    let removed = 0;
    for (const { data_source_id } of sources) {
      const newest = this.db.selectFrom('sync_jobs').select(['start_time', 'seq']).where('data_source_id', '=', data_source_id).orderBy('start_time', 'desc').orderBy('seq', 'desc');
      const cutoff = keepLatest > 0 ? await newest.offset(keepLatest - 1).limit(1).executeTakeFirst() : undefined;
      if (keepLatest > 0 && !cutoff) continue;
      for (;;) {
        let q = this.db.selectFrom('sync_jobs').select('execution_id').where('data_source_id', '=', data_source_id).where('start_time', '<', before).where('end_time', 'is not', null);
        if (cutoff) q = q.where((eb) => eb(eb.refTuple('start_time', 'seq'), '<', eb.tuple(cutoff.start_time, cutoff.seq)));
        const ids = (await q.limit(batch).execute()).map((r) => r.execution_id);
        if (!ids.length) break;
        await this.db.transaction().execute(async (trx) => {
          await trx.deleteFrom('sync_report').where('execution_id', 'in', ids).execute();
          await trx.deleteFrom('sync_job_transitions').where('execution_id', 'in', ids).execute();
          await trx.deleteFrom('sync_jobs').where('execution_id', 'in', ids).execute();
        });
        removed += ids.length;
      }
    }
    return removed;
  }
}

export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
