import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Scope } from '../domain/arn.js';
import { ACTIVE_STATUSES, isTerminal, sourcesOf, type SyncJobStatus } from '../domain/syncJobStateMachine.js';
import { WriteStatement } from './preparedStatements.js';
import type { RawStatements } from './rawStatements.js';
import type { Database, SyncJobsTable } from './schema.js';

export type SyncJobRow = Selectable<SyncJobsTable>;

/** What a history page shows of a job (S-JOB-3/4) and resumes after (start_time, seq); reading less is faster. */
const HISTORY_COLUMNS = [
  'seq', 'execution_id', 'data_source_type', 'start_time', 'end_time', 'status', 'error_code', 'error_message', 'data_source_error_code',
  'documents_added', 'documents_modified', 'documents_deleted', 'documents_failed', 'documents_scanned',
] as const;
export type HistoryRow = Pick<SyncJobRow, (typeof HISTORY_COLUMNS)[number]>;
type HistoryValues = [number, string, string, number, number | null, string, string | null, string | null, string | null, number, number, number, number, number];

/** A raw row of HISTORY_COLUMNS, in that order. */
const historyRow = (v: HistoryValues): HistoryRow => ({
  seq: v[0], execution_id: v[1], data_source_type: v[2], start_time: v[3], end_time: v[4], status: v[5], error_code: v[6],
  error_message: v[7], data_source_error_code: v[8], documents_added: v[9], documents_modified: v[10], documents_deleted: v[11],
  documents_failed: v[12], documents_scanned: v[13],
});
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

/** holdWhileRunning's and addMetrics's statements, run by every transaction of a sync: prepared once on either backend (store/preparedStatements.ts). */
const HOLD = new WriteStatement(`UPDATE sync_jobs SET stop_requested = stop_requested WHERE execution_id = ? AND status IN ('SYNCING', 'SYNCING_INDEXING')`);
const ADD_METRICS = new WriteStatement(`UPDATE sync_jobs SET documents_added = documents_added + ?, documents_modified = documents_modified + ?,
  documents_deleted = documents_deleted + ?, documents_failed = documents_failed + ?, documents_scanned = documents_scanned + ? WHERE execution_id = ?`);

export class SyncJobStore {
  // ListDataSourceSyncJobs on SQLite: statements prepared once (by filter combination), not per request.
  private readonly pageStatements: (BetterSqlite3.Statement | undefined)[] = [];
  private scopeStatement: BetterSqlite3.Statement | undefined;
  /** Counts this process's writes to what a history page shows (see historyVersion). */
  private writes = 0;

  constructor(
    private readonly db: Kysely<Database>,
    /** The raw SQLite handle, when the store is SQLite: the history read runs on it directly. */
    private readonly sqlite?: BetterSqlite3.Database,
    /** SQLite: the statements every batch of a sync runs (holdWhileRunning, addMetrics), prepared once (rawStatements.ts). */
    private readonly raw?: RawStatements,
  ) {}

  /** Who hears of every job this process starts or moves (logs, metrics): the row as it now is. */
  private readonly listeners: ((row: Readonly<SyncJobRow>) => void)[] = [];

  onChange(listener: (row: Readonly<SyncJobRow>) => void): void {
    this.listeners.push(listener);
  }

  private changed(row: SyncJobRow): void {
    for (const l of this.listeners) l(row);
  }

  /** Inserts a SYNCING job holding the data source's start slot; false when another job holds it (S-JOB-1). */
  async start(job: NewSyncJob): Promise<boolean> {
    try {
      const values = { ...job, status: 'SYNCING', start_slot: 1, stop_requested: 0,
        documents_added: 0, documents_modified: 0, documents_deleted: 0, documents_failed: 0, documents_scanned: 0,
        end_time: null, error_code: null, error_message: null, data_source_error_code: null, documents_expected: null };
      const inserted = await this.db.insertInto('sync_jobs').values(values).returningAll().executeTakeFirstOrThrow();
      this.changed(inserted);
      await this.db.insertInto('sync_job_transitions').values({ execution_id: job.execution_id, status: 'SYNCING', at: job.start_time }).execute();
      this.writes++;
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
      .returningAll()
      .executeTakeFirst();
    if (!r) return false;
    // Heard before anything else runs: whoever sees the job in its new state sees it counted too.
    this.changed(r);
    this.writes++;
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

  /**
   * Locks a connector job's row for the rest of the transaction if it may still write (SYNCING or
   * SYNCING_INDEXING); false once it was stopped, reaped or failed, so a late batch never lands.
   */
  async holdWhileRunning(executionId: string, db: Db): Promise<boolean> {
    return (await HOLD.changes(db, this.raw, Boolean(this.sqlite), [executionId])) > 0;
  }

  /** The documents a running job's connector expects to list (its progress total); ignored once the job has ended. */
  async setExpected(executionId: string, count: number): Promise<void> {
    await this.db.updateTable('sync_jobs').set({ documents_expected: count }).where('execution_id', '=', executionId).where('end_time', 'is', null).execute();
  }

  /** Active jobs (every process's) by data source type and status, for the metrics. */
  async activeCounts(): Promise<{ data_source_type: string; status: string; count: number }[]> {
    const rows = await this.db
      .selectFrom('sync_jobs')
      .select(['data_source_type', 'status', (eb) => eb.fn.countAll<number>().as('count')])
      .where('end_time', 'is', null)
      .groupBy(['data_source_type', 'status'])
      .execute();
    return rows.map((r) => ({ ...r, count: Number(r.count) }));
  }

  async requestStop(executionId: string): Promise<void> {
    await this.db.updateTable('sync_jobs').set({ stop_requested: 1 }).where('execution_id', '=', executionId).execute();
  }

  async addMetrics(executionId: string, d: MetricDeltas, db: Db = this.db): Promise<void> {
    if (!d.added && !d.modified && !d.deleted && !d.failed && !d.scanned) return;
    this.writes++;
    await ADD_METRICS.changes(db, this.raw, Boolean(this.sqlite), [d.added ?? 0, d.modified ?? 0, d.deleted ?? 0, d.failed ?? 0, d.scanned ?? 0, executionId]);
  }

  /**
   * S-LIST-1 in one statement: which of the index (in this account and region) and the data source
   * (in that index) does not exist, if either.
   */
  async missingFromScope(scope: Scope, indexId: string, dataSourceId: string): Promise<'index' | 'dataSource' | undefined> {
    let found: { i: unknown; d: unknown } | undefined;
    if (this.sqlite) {
      this.scopeStatement ??= this.sqlite.prepare(SCOPE_SQL);
      found = this.scopeStatement.get(indexId, scope.accountId, scope.region, dataSourceId, indexId) as typeof found;
    } else {
      const q = sql<{ i: boolean; d: boolean }>`SELECT EXISTS (SELECT 1 FROM indices WHERE id = ${indexId} AND account_id = ${scope.accountId} AND region = ${scope.region}) AS i,
        EXISTS (SELECT 1 FROM data_sources WHERE id = ${dataSourceId} AND index_id = ${indexId}) AS d`;
      found = (await q.execute(this.db)).rows[0];
    }
    return !found?.i ? 'index' : !found.d ? 'dataSource' : undefined;
  }

  /**
   * One page of history, newest first (S-LIST-2), resuming strictly after `after` = [start_time, seq].
   * The same statement requires the data source to exist in the index of this account and region,
   * so a page that comes back empty may mean either; missingFromScope() tells which (S-LIST-1).
   */
  page(scope: Scope, indexId: string, dataSourceId: string, filter: HistoryFilter, after: [number, number] | undefined, limit: number): Promise<HistoryRow[]> {
    if (this.sqlite) return Promise.resolve(this.sqlitePage(scope, indexId, dataSourceId, filter, after, limit));
    let q = this.db
      .selectFrom('sync_jobs')
      .select(HISTORY_COLUMNS)
      .where('data_source_id', '=', dataSourceId)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('data_sources as d')
            .innerJoin('indices as i', 'i.id', 'd.index_id')
            .select(sql.lit(1).as('one'))
            .where('d.id', '=', dataSourceId)
            .where('d.index_id', '=', indexId)
            .where('i.account_id', '=', scope.accountId)
            .where('i.region', '=', scope.region),
        ),
      );
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.startFrom !== undefined) q = q.where('start_time', '>=', filter.startFrom);
    if (filter.startTo !== undefined) q = q.where('start_time', '<=', filter.startTo);
    if (after) q = q.where((eb) => eb(eb.refTuple('start_time', 'seq'), '<', eb.tuple(after[0], after[1])));
    return q.orderBy('start_time', 'desc').orderBy('seq', 'desc').limit(limit).execute();
  }

  /**
   * page() on SQLite: the same query, prepared once per filter combination and run synchronously
   * (no per-request SQL compilation, no driver queue). Scope and page are one statement because each
   * statement is a read transaction of its own, which costs more than a primary-key lookup.
   */
  private sqlitePage(scope: Scope, indexId: string, dataSourceId: string, filter: HistoryFilter, after: [number, number] | undefined, limit: number): HistoryRow[] {
    const params: (string | number)[] = [dataSourceId, dataSourceId, indexId, scope.accountId, scope.region];
    let shape = 0;
    if (filter.status) {
      shape |= PAGE_STATUS;
      params.push(filter.status);
    }
    if (filter.startFrom !== undefined) {
      shape |= PAGE_FROM;
      params.push(filter.startFrom);
    }
    if (filter.startTo !== undefined) {
      shape |= PAGE_TO;
      params.push(filter.startTo);
    }
    if (after) {
      shape |= PAGE_AFTER;
      params.push(after[0], after[1]);
    }
    params.push(limit);
    // Raw rows (arrays) and a literal per row: half the cost of better-sqlite3 building each object.
    const statement = (this.pageStatements[shape] ??= this.sqlite!.prepare(pageSql(shape)).raw(true));
    return (statement.all(...params) as HistoryValues[]).map(historyRow);
  }

  /** Another connection of this process (the sync writer thread) committed writes to sync jobs. */
  committedElsewhere(): void {
    this.writes++;
  }

  /**
   * A number that changes whenever a history page could change, for caching pages (HistoryCache).
   * Only on SQLite, where this process is the only writer, and outside a transaction (whose
   * uncommitted rows the shared connection would see); undefined means "do not cache".
   */
  historyVersion(): number | undefined {
    return this.sqlite && !this.sqlite.inTransaction ? this.writes : undefined;
  }

  /**
   * Renews every lease `owner` holds until `until`, by its heartbeat row: the job rows themselves are
   * locked by the indexing transactions that write their documents and metrics, and a renewal
   * waiting behind those once let a live job's lease run out.
   */
  async renewLeases(owner: string, until: number): Promise<void> {
    await this.db
      .insertInto('worker_heartbeats')
      .values({ worker_id: owner, alive_until: until })
      .onConflict((oc) => oc.column('worker_id').doUpdateSet({ alive_until: until }))
      .execute();
  }

  /**
   * Active jobs whose lease ran out (or whose owner is known dead), for the reaper: a job's lease is
   * the one it was claimed with, then its owner's heartbeat.
   */
  expired(now: number, deadOwnersExcept?: string): Promise<SyncJobRow[]> {
    let q = this.db.selectFrom('sync_jobs').selectAll().where('end_time', 'is', null);
    q = deadOwnersExcept !== undefined
      ? q.where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '!=', deadOwnersExcept)]))
      : q.where('lease_expires_at', '<', now).where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('worker_heartbeats').select('worker_id').whereRef('worker_id', '=', 'sync_jobs.lease_owner').where('alive_until', '>=', now))),
        );
    return q.execute();
  }

  /** Heartbeats of workers gone for this long are of no more use. */
  async forgetWorkersSilentSince(before: number): Promise<void> {
    await this.db.deleteFrom('worker_heartbeats').where('alive_until', '<', before).execute();
  }

  /** Active jobs of this worker, for finishing CUSTOM jobs that reached SYNCING_INDEXING. */
  owned(owner: string): Promise<SyncJobRow[]> {
    return this.db.selectFrom('sync_jobs').selectAll().where('lease_owner', '=', owner).where('end_time', 'is', null).execute();
  }

  async deleteOfDataSource(dataSourceId: string): Promise<void> {
    this.writes++;
    const jobs = this.db.selectFrom('sync_jobs').select('execution_id').where('data_source_id', '=', dataSourceId);
    await this.db.deleteFrom('sync_report').where('job_seq', 'in', this.db.selectFrom('sync_jobs').select('seq').where('data_source_id', '=', dataSourceId)).execute();
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
          await trx.deleteFrom('sync_report').where('job_seq', 'in', trx.selectFrom('sync_jobs').select('seq').where('execution_id', 'in', ids)).execute();
          await trx.deleteFrom('sync_job_transitions').where('execution_id', 'in', ids).execute();
          await trx.deleteFrom('sync_jobs').where('execution_id', 'in', ids).execute();
        });
        removed += ids.length;
        this.writes++;
      }
    }
    return removed;
  }
}

const SCOPE_SQL =
  'SELECT EXISTS (SELECT 1 FROM indices WHERE id = ? AND account_id = ? AND region = ?) AS i, ' +
  'EXISTS (SELECT 1 FROM data_sources WHERE id = ? AND index_id = ?) AS d';

const PAGE_STATUS = 1;
const PAGE_FROM = 2;
const PAGE_TO = 4;
const PAGE_AFTER = 8;

/**
 * The history page query for one filter combination. The index is named so that every combination
 * stays a range scan (S-LIST-6): without statistics SQLite would pick the time index for a status
 * filter with a time range and walk the whole range looking for a rare status.
 */
function pageSql(shape: number): string {
  const status = (shape & PAGE_STATUS) !== 0;
  return (
    `SELECT ${HISTORY_COLUMNS.join(', ')} FROM sync_jobs INDEXED BY ${status ? 'sync_jobs_history_status' : 'sync_jobs_history'} WHERE data_source_id = ?` +
    // Uncorrelated: evaluated once per statement.
    ' AND EXISTS (SELECT 1 FROM data_sources d JOIN indices i ON i.id = d.index_id WHERE d.id = ? AND d.index_id = ? AND i.account_id = ? AND i.region = ?)' +
    (status ? ' AND status = ?' : '') +
    (shape & PAGE_FROM ? ' AND start_time >= ?' : '') +
    (shape & PAGE_TO ? ' AND start_time <= ?' : '') +
    (shape & PAGE_AFTER ? ' AND (start_time, seq) < (?, ?)' : '') +
    ' ORDER BY start_time DESC, seq DESC LIMIT ?'
  );
}

export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
