import type { Store } from '../store/store.js';

/**
 * S-JOB-7: a job whose worker died does not stay active. It becomes FAILED (InternalError) — or
 * ABORTED if it was already STOPPING — once its lease has expired; at start-up of a single-process
 * store, every job a previous process left active is reaped at once.
 */
export async function reapJobs(store: Store, now: number, opts: { allButOwner?: string; liveOwner?: string } = {}): Promise<number> {
  const jobs = (await store.syncJobs.expired(now, opts.allButOwner)).filter((j) => opts.liveOwner === undefined || j.lease_owner !== opts.liveOwner);
  let reaped = 0;
  for (const job of jobs) {
    const moved =
      job.status === 'STOPPING'
        ? await store.syncJobs.transition(job.execution_id, 'ABORTED', now)
        : await store.syncJobs.transition(job.execution_id, 'FAILED', now, {
            error_code: 'InternalError',
            error_message:
              'The sync was interrupted because the kendrite process running it stopped (crash or shutdown). Documents indexed before the interruption stay; start a new sync to bring the index up to date.',
          });
    if (moved) reaped++;
  }
  return reaped;
}
