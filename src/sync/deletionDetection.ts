// Deletion detection without holding every id: each document the sync saw is stamped with its
// execution id (synced_documents.seen_by); once the whole source was enumerated, the data source's
// documents without the stamp are gone from the source, and are removed a batch at a time (walking
// doc_key order once), each batch with its report lines and metric.
import type { Clock } from '../domain/clock.js';
import { SEARCHABLE_STATUSES } from '../store/documents.js';
import type { Store } from '../store/store.js';
import { JobEnded, type JobRef } from './pipeline.js';

const searchable = new Set<string>(SEARCHABLE_STATUSES);

export const DELETED_REASON = 'no longer in the source (or no longer included by its patterns)';

/**
 * Removes the documents of the job's data source that the job did not see. Only documents the index
 * held count as deleted; a placeholder of a document that never indexed (it failed) goes silently.
 */
export async function deleteUnseen(store: Store, clock: Clock, job: JobRef, signal: AbortSignal, batch = 500): Promise<void> {
  let after = 0;
  for (;;) {
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    const rows = await store.syncDocuments.unseen(job.dataSourceId, job.executionId, after, batch);
    if (!rows.length) return;
    after = rows[rows.length - 1]!.doc_key;
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
  }
}
