import type { CompiledQuery } from 'kysely';
import type { Store } from '../store/store.js';

/**
 * Whether a turn of the background loop has anything to do: one read statement, where the full
 * turn costs eight (a claim transaction, its sweeps, the CUSTOM-job and schedule reads), and the
 * idle turns every poll interval were the ~100 ms rhythm in GetQuerySuggestions' tail (#12).
 *
 * It asks the store, not this process, so work another process queued (PostgreSQL) is seen as before.
 * Each branch is a superset of what its step would act on, so no step is skipped that had work:
 * - an index or data source whose transition is due (LifecycleWorker.sweep);
 * - any queued document operation, claimable or not (DocumentIndexer.drain; a queue another live
 *   process is draining keeps the full turn running, as it always did);
 * - an active job this worker owns (JobRunner.pickUp) or an active CUSTOM job in SYNCING_INDEXING
 *   (finishIndexedCustomJobs);
 * - a schedule that is due (BackgroundWorker.fireSchedules).
 * Reaping and retention keep their own clocks and do not depend on it.
 */
export class WorkDue {
  private compiled: CompiledQuery<{ due: unknown }> | undefined;

  constructor(
    private readonly store: Store,
    private readonly owner: string,
  ) {}

  async check(now: number): Promise<boolean> {
    // Built and compiled once: building and compiling it with Kysely was most of an idle turn's CPU
    // (55 → 10 µs on SQLite). `now` is its only number parameter (the others are the owner and fixed strings).
    const compiled = (this.compiled ??= dueQuery(this.store, this.owner, 0).compile());
    const parameters = compiled.parameters.map((p) => (typeof p === 'number' ? now : p));
    const { rows } = await this.store.db.executeQuery<{ due: unknown }>({ ...compiled, parameters });
    // SQLite answers 1/0, PostgreSQL true/false.
    return Boolean(rows[0]!.due);
  }
}

function dueQuery(store: Store, owner: string, now: number) {
  return store.db.selectNoFrom(({ exists, or, selectFrom }) => [
    or([
      exists(selectFrom('indices').select('id').where('transition_at', '<=', now)),
      exists(selectFrom('data_sources').select('id').where('transition_at', '<=', now)),
      exists(selectFrom('document_queue').select('seq')),
      exists(
        selectFrom('sync_jobs')
          .select('execution_id')
          .where('end_time', 'is', null)
          .where((eb) => eb.or([eb('lease_owner', '=', owner), eb.and([eb('status', '=', 'SYNCING_INDEXING'), eb('data_source_type', '=', 'CUSTOM')])])),
      ),
      exists(selectFrom('data_sources').select('id').where('next_run_at', '<=', now).where('status', '=', 'ACTIVE')),
    ]).as('due'),
  ]);
}
