import type { Store } from '../store/store.js';

/**
 * Ends every active job of a data source that is going away (X-2, D-5): a SYNCING job is stopped
 * (STOPPING → ABORTED), one already SYNCING_INDEXING cannot be aborted and is failed.
 */
export async function abortActiveJobs(store: Store, dataSourceId: string, now: number, why: string): Promise<void> {
  for (const job of await store.syncJobs.active(dataSourceId)) {
    await store.syncJobs.requestStop(job.execution_id);
    if (job.status === 'SYNCING') await store.syncJobs.transition(job.execution_id, 'STOPPING', now);
    if (!(await store.syncJobs.transition(job.execution_id, 'ABORTED', now)))
      await store.syncJobs.transition(job.execution_id, 'FAILED', now, { error_code: 'InternalError', error_message: why });
  }
}

/** A CUSTOM job whose documents have all been applied ends SUCCEEDED, or INCOMPLETE if any failed (S-JOB-6). */
export async function finishIndexedCustomJobs(store: Store, now: number): Promise<number> {
  let finished = 0;
  const pending = await store.db
    .selectFrom('sync_jobs')
    .select(['execution_id', 'documents_failed'])
    .where('status', '=', 'SYNCING_INDEXING')
    .where('data_source_type', '=', 'CUSTOM')
    // Always true of an active job; it lets the store use the partial index of active jobs instead of
    // scanning the whole history on every worker tick.
    .where('end_time', 'is', null)
    .execute();
  for (const job of pending) {
    if (await store.documents.hasQueued(job.execution_id)) continue;
    const fresh = await store.syncJobs.get(job.execution_id);
    if (!fresh) continue;
    if (await store.syncJobs.transition(job.execution_id, fresh.documents_failed > 0 ? 'INCOMPLETE' : 'SUCCEEDED', now)) finished++;
  }
  return finished;
}
