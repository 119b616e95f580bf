import { sql, type Kysely, type Transaction } from 'kysely';
import { prepared, WriteStatement } from './preparedStatements.js';
import { RawStatements } from './rawStatements.js';
import type { Database } from './schema.js';

export type ReportAction = 'ADDED' | 'MODIFIED' | 'DELETED' | 'FAILED';
type Db = Kysely<Database> | Transaction<Database>;

/*
 * A report line names its job by the job's key (sync_jobs.seq), not its execution id (issue 14, size on disk: 36
 * characters a line, ~35 bytes a document a sync adds); every statement finds the key by the id, through sync_jobs'
 * unique index on it. A line of a job that does not exist is not written (none is: its writers hold a job).
 */

/** recordFirst's statement on SQLite for `n` actions, its text built once per n (a text built per line cost its hashing at each lookup). */
function recordFirstSql(n: number): string {
  return (RECORD_FIRST_SQL[n] ??= `INSERT INTO sync_report (job_seq, document_id, action, reason, at)
    SELECT j.seq, ?, ?, NULL, ? FROM sync_jobs j WHERE j.execution_id = ?
      AND NOT EXISTS (SELECT 1 FROM sync_report WHERE job_seq = j.seq AND document_id = ? AND action IN (${Array(n).fill('?').join(', ')}))
    ON CONFLICT (job_seq, action, document_id) DO NOTHING`);
}
const RECORD_FIRST_SQL: string[] = [];

/** record's statement: prepared once on either backend (store/preparedStatements.ts). */
const RECORD = new WriteStatement(`INSERT INTO sync_report (job_seq, document_id, action, reason, at)
  SELECT seq, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT) FROM sync_jobs WHERE execution_id = ?
  ON CONFLICT (job_seq, action, document_id) DO NOTHING`);

/**
 * PostgreSQL: recordFirst's statement for `n` actions, prepared. One probe of the primary key per action: with
 * `action IN (…)` PostgreSQL probed by the job and the document only, and tested the action on every line of
 * the job's report (the action comes between them in the key), a scan that grew with the report (O(n²) a sync).
 */
function recordFirstPostgres(n: number) {
  return (RECORD_FIRST_POSTGRES[n] ??= prepared(`INSERT INTO sync_report (job_seq, document_id, action, reason, at)
    SELECT j.seq, $2::text, $3::text, NULL, $4::bigint FROM sync_jobs j WHERE j.execution_id = $1::text
      AND ${Array.from({ length: n }, (_, i) => `NOT EXISTS (SELECT 1 FROM sync_report WHERE job_seq = j.seq AND action = $${i + 5}::text AND document_id = $2)`).join(' AND ')}
    ON CONFLICT (job_seq, action, document_id) DO NOTHING`));
}
const RECORD_FIRST_POSTGRES: ReturnType<typeof prepared>[] = [];

/**
 * recordFirstPostgres() of many lines: arrays of their document ids, actions and times, unnested ($5… the actions among
 * which one counts). Each NOT EXISTS is a probe of the primary key per line (OFFSET 0 keeps it a subplan): turned into
 * an anti-join, as PostgreSQL turns a NOT EXISTS, it read every line of the job's report with that action and compared
 * each with each line of the batch (O(n²) a sync: at 20,000 documents a tenth of the backends' CPU).
 */
function recordFirstManyPostgres(n: number) {
  return (RECORD_FIRST_MANY_POSTGRES[n] ??= prepared(`INSERT INTO sync_report (job_seq, document_id, action, reason, at)
    SELECT j.seq, w.id, w.action, NULL, w.at FROM sync_jobs j, unnest($2::text[], $3::text[], $4::bigint[]) AS w(id, action, at)
    WHERE j.execution_id = $1::text
      AND ${Array.from({ length: n }, (_, i) => `NOT EXISTS (SELECT 1 FROM sync_report r WHERE r.job_seq = j.seq AND r.action = $${i + 5}::text AND r.document_id = w.id OFFSET 0)`).join(' AND ')}
    ON CONFLICT (job_seq, action, document_id) DO NOTHING
    RETURNING action`));
}
const RECORD_FIRST_MANY_POSTGRES: ReturnType<typeof prepared>[] = [];

/** The document-level report of each job (S-JOB-8); its rows also make each document count once per metric. */
export class SyncReportStore {
  constructor(
    private readonly db: Kysely<Database>,
    /** SQLite: a sync's lines written through statements prepared once (rawStatements.ts); absent on PostgreSQL, which prepares its own (preparedStatements.ts). */
    private readonly raw?: RawStatements,
  ) {}

  /** Records one line; false if the job already has this action for this document (so it is not counted twice). */
  async record(executionId: string, documentId: string, action: ReportAction, reason: string | null, now: number, db: Db = this.db): Promise<boolean> {
    return (await RECORD.changes(db, this.raw, this.raw !== undefined, [documentId, action, reason, now, executionId])) > 0;
  }

  /**
   * Records `action` unless the job's report already holds one of `among` for the document (an
   * ADDED or MODIFIED line counts once per job): the check and the write are one statement.
   */
  async recordFirst(executionId: string, documentId: string, action: ReportAction, among: ReportAction[], now: number, db: Db = this.db): Promise<boolean> {
    const raw = RawStatements.within(this.raw, db);
    if (raw) return raw.get(recordFirstSql(among.length)).run(documentId, action, now, executionId, documentId, ...among).changes > 0;
    if (!this.raw) return Number((await recordFirstPostgres(among.length).execute(db, [executionId, documentId, action, now, ...among])).numAffectedRows ?? 0n) > 0;
    const r = await sql`INSERT INTO sync_report (job_seq, document_id, action, reason, at)
      SELECT j.seq, CAST(${documentId} AS TEXT), CAST(${action} AS TEXT), NULL, CAST(${now} AS BIGINT) FROM sync_jobs j WHERE j.execution_id = ${executionId}
        AND NOT EXISTS (SELECT 1 FROM sync_report WHERE job_seq = j.seq AND document_id = ${documentId} AND action IN (${sql.join(among)}))
      ON CONFLICT (job_seq, action, document_id) DO NOTHING`.execute(db);
    return Number(r.numAffectedRows ?? 0n) > 0;
  }

  /**
   * recordFirst() of many lines (document id, action, time) in one statement on PostgreSQL, in order on SQLite; each
   * document named once. Returns the actions of the lines recorded.
   */
  async recordFirstMany(executionId: string, lines: [documentId: string, action: ReportAction, at: number][], among: ReportAction[], db: Db = this.db): Promise<ReportAction[]> {
    if (!lines.length) return [];
    if (this.raw) {
      const out: ReportAction[] = [];
      for (const [id, action, at] of lines) if (await this.recordFirst(executionId, id, action, among, at, db)) out.push(action);
      return out;
    }
    const { rows } = await recordFirstManyPostgres(among.length).execute<{ action: ReportAction }>(db, [executionId, lines.map((l) => l[0]), lines.map((l) => l[1]), lines.map((l) => l[2]), ...among]);
    return rows.map((r) => r.action);
  }

  /** A page of a job's report, ordered by document id then action; `after` is [document_id, action]. */
  page(executionId: string, after: [string, string] | undefined, limit: number, action?: ReportAction, reasonContains?: string) {
    let q = this.db.selectFrom('sync_report').select(['document_id', 'action', 'reason', 'at']).where('job_seq', '=', (eb) => eb.selectFrom('sync_jobs').select('seq').where('execution_id', '=', executionId));
    if (action) q = q.where('action', '=', action);
    if (reasonContains) {
      const pattern = `%${reasonContains.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where(sql<boolean>`lower(reason) LIKE ${pattern} ESCAPE '\\'`);
    }
    if (after) q = q.where((eb) => eb(eb.refTuple('document_id', 'action'), '>', eb.tuple(after[0], after[1])));
    return q.orderBy('document_id').orderBy('action').limit(limit).execute();
  }
}
