// Every sync job this process starts or moves, told to the log and the metrics: one line when it
// starts, one per change of state, one when it ends (its metrics and duration) or fails (its reason).
import { isTerminal, type SyncJobStatus } from '../domain/syncJobStateMachine.js';
import type { SyncJobRow } from '../store/syncJobs.js';
import type { Log } from './log.js';
import type { Metrics } from './metrics.js';

export function syncJobEvents(log: Log, metrics: Metrics): (job: Readonly<SyncJobRow>) => void {
  return (job) => {
    const at = { executionId: job.execution_id, indexId: job.index_id, dataSourceId: job.data_source_id, dataSourceType: job.data_source_type, status: job.status };
    if (!isTerminal(job.status as SyncJobStatus)) {
      if (job.status === 'SYNCING') log.info(at, 'sync started');
      else log.info(at, `sync ${job.status}`);
      return;
    }
    metrics.jobEnded(job);
    const ended = {
      ...at,
      durationMs: (job.end_time ?? job.start_time) - job.start_time,
      metrics: { added: job.documents_added, modified: job.documents_modified, deleted: job.documents_deleted, failed: job.documents_failed, scanned: job.documents_scanned },
    };
    if (job.status === 'FAILED')
      log.error({ ...ended, errorCode: job.error_code, dataSourceErrorCode: job.data_source_error_code ?? undefined, reason: job.error_message }, 'sync failed');
    else if (job.status === 'INCOMPLETE') log.warn(ended, 'sync ended INCOMPLETE: some documents failed');
    else log.info(ended, `sync ended ${job.status}`);
  };
}
