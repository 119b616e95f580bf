// Deletion detection without holding every id: a document the sync wrote carries its execution id
// (synced_documents.seen_by), one it found unchanged is a bit in the pipeline's DocKeySet. Once the
// whole source was enumerated, the data source's documents with neither are gone from the source. Its
// doc_keys are walked in order once, from the index alone; the few that are neither are read and
// removed a batch at a time, each batch with its report lines and metric.
import type { Clock } from '../domain/clock.js';
import { SEARCHABLE_STATUSES } from '../store/documents.js';
import type { Store } from '../store/store.js';
import type { DocKeySet } from './docKeySet.js';
import { JobEnded, type JobRef } from './pipeline.js';

const searchable = new Set<string>(SEARCHABLE_STATUSES);

export const DELETED_REASON = 'no longer in the source (or no longer included by its patterns)';

/**
 * Removes the documents of the job's data source that the job did not see. Only documents the index
 * held count as deleted; a placeholder of a document that never indexed (it failed) goes silently.
 */
export async function deleteUnseen(store: Store, clock: Clock, job: JobRef, unchanged: DocKeySet, signal: AbortSignal, batch = 500): Promise<void> {
  let after = 0;
  for (;;) {
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    const keys = await store.syncDocuments.keysOf(job.dataSourceId, after, KEYS_PER_READ);
    if (!keys.length) return;
    after = keys[keys.length - 1]!;
    const candidates = keys.filter((k) => !unchanged.has(k));
    for (let i = 0; i < candidates.length; i += batch) {
      const rows = await store.syncDocuments.unseenAmong(candidates.slice(i, i + batch), job.executionId);
      if (rows.length) await removeBatch(store, clock, job, rows);
    }
  }
}

const KEYS_PER_READ = 5000;

async function removeBatch(store: Store, clock: Clock, job: JobRef, rows: { doc_key: number; document_id: string; status: string }[]): Promise<void> {
  const written = await store.db.transaction().execute(async (trx) => {
    if (!(await store.syncJobs.holdWhileRunning(job.executionId, trx))) return false;
    await store.syncDocuments.remove(rows.map((r) => r.doc_key), trx);
    let deleted = 0;
    const now = clock();
    for (const r of rows)
      if (searchable.has(r.status) && (await store.reports.record(job.executionId, r.document_id, 'DELETED', DELETED_REASON, now, trx))) deleted++;
    await store.syncJobs.addMetrics(job.executionId, { deleted }, trx);
    return true;
  });
  if (!written) throw new JobEnded('the sync job can no longer write');
  store.plannerStatistics.changed(rows.length);
}
