import type { CompiledQuery } from 'kysely';
import { prepared } from '../store/preparedStatements.js';
import type { Store } from '../store/store.js';

/**
 * Whether a turn of the background loop has anything to do: one read statement, where the full
 * turn costs eight (a claim transaction, its sweeps, the CUSTOM-job and schedule reads) every poll
 * interval: the suspected ~100 ms rhythm in GetQuerySuggestions' tail (#12). On SQLite that claim
 * was a BEGIN IMMEDIATE: the database's write lock taken 10 times a second by a server doing nothing.
 *
 * It asks the store, not this process, so work another process queued (PostgreSQL) is seen as before.
 * Each answer is a superset of what its step would act on, so no step is skipped that had work:
 * - an index or data source whose transition is due (LifecycleWorker.sweep);
 * - any queued document operation, claimable or not (DocumentIndexer.drain; a queue another live
 *   process is draining keeps the full turn running, as it always did);
 * - an active job this worker owns (JobRunner.pickUp) or an active CUSTOM job in SYNCING_INDEXING
 *   (finishIndexedCustomJobs);
 * - a schedule that is due (BackgroundWorker.fireSchedules).
 * Steps with nothing to act on are skipped in a busy turn too: the drain's claim is a write
 * transaction (BEGIN IMMEDIATE on SQLite), which during a connector sync waited on the writer thread.
 * Reaping and retention keep their own clocks and do not depend on it.
 */
/** Which of the loop's steps have something to act on. */
export interface Due {
  /** LifecycleWorker.sweep */
  transitions: boolean;
  /** DocumentIndexer.drain */
  queued: boolean;
  /** JobRunner.pickUp and finishIndexedCustomJobs */
  jobs: boolean;
  /** BackgroundWorker.fireSchedules */
  schedules: boolean;
}

type DueRow = Record<keyof Due | 'indexTransition' | 'sourceTransition' | 'nextRun', unknown>;

export class WorkDue {
  private compiled: CompiledQuery<DueRow> | undefined;
  /**
   * When the soonest transition or schedule falls due (ms since the epoch), as the last check saw it;
   * undefined when none is set. After an idle check it is in the future: the loop need not look sooner.
   */
  soonest: number | undefined;

  constructor(
    private readonly store: Store,
    private readonly owner: string,
  ) {}

  /** What is due now; undefined when nothing is (the idle turn). */
  async check(now: number): Promise<Due | undefined> {
    // Built and compiled once: building and compiling it with Kysely was most of an idle turn's CPU
    // (55 → 10 µs on SQLite). `now` is its only number parameter (the others are the owner and fixed strings).
    // On PostgreSQL prepared once per connection too (store/preparedStatements.ts): parsing and planning it anew ten
    // times a second was most of an idle server's backend CPU (~1 ms a check).
    const compiled = (this.compiled ??= preparedText(dueQuery(this.store, this.owner, 0).compile()));
    const parameters = compiled.parameters.map((p) => (typeof p === 'number' ? now : p));
    const row = (await this.store.db.executeQuery<DueRow>({ ...compiled, parameters })).rows[0]!;
    // PostgreSQL answers a bigint as text.
    const times = [row.indexTransition, row.sourceTransition, row.nextRun].filter((t) => t !== null && t !== undefined).map(Number);
    this.soonest = times.length ? Math.min(...times) : undefined;
    // SQLite answers 1/0, PostgreSQL true/false.
    const due: Due = { transitions: Boolean(row.transitions), queued: Boolean(row.queued), jobs: Boolean(row.jobs), schedules: Boolean(row.schedules) };
    return due.transitions || due.queued || due.jobs || due.schedules ? due : undefined;
  }
}

function dueQuery(store: Store, owner: string, now: number) {
  return store.db.selectNoFrom(({ exists, or, selectFrom }) => [
    or([
      exists(selectFrom('indices').select('id').where('transition_at', '<=', now)),
      exists(selectFrom('data_sources').select('id').where('transition_at', '<=', now)),
    ]).as('transitions'),
    exists(selectFrom('document_queue').select('seq')).as('queued'),
    exists(
      selectFrom('sync_jobs')
        .select('execution_id')
        .where('end_time', 'is', null)
        .where((eb) => eb.or([eb('lease_owner', '=', owner), eb.and([eb('status', '=', 'SYNCING_INDEXING'), eb('data_source_type', '=', 'CUSTOM')])])),
    ).as('jobs'),
    exists(selectFrom('data_sources').select('id').where('next_run_at', '<=', now).where('status', '=', 'ACTIVE')).as('schedules'),
    // When the soonest of each falls due (no number parameter: `now` is the query's only one).
    selectFrom('indices').select(({ fn }) => fn.min('transition_at').as('t')).as('indexTransition'),
    selectFrom('data_sources').select(({ fn }) => fn.min('transition_at').as('t')).as('sourceTransition'),
    selectFrom('data_sources').select(({ fn }) => fn.min('next_run_at').as('t')).where('status', '=', 'ACTIVE').as('nextRun'),
  ]);
}

/** The query, its text registered to be sent named (a no-op on SQLite, which keeps its statements itself). */
function preparedText<T extends CompiledQuery<DueRow>>(compiled: T): T {
  prepared(compiled.sql);
  return compiled;
}
