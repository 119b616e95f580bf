import type { HistoryPage } from '../domain/syncJobs.js';
import { SerializedOutput } from '../protocol/serialize.js';
import type { HistoryRow } from '../store/syncJobs.js';
import { date, scopeOf, type Handlers } from './context.js';

export const syncJobHandlers: Handlers = {
  async StartDataSourceSyncJob(input, ctx, s) {
    return { ExecutionId: await s.syncJobs.start(scopeOf(ctx), input.IndexId, input.Id) };
  },

  async StopDataSourceSyncJob(input, ctx, s) {
    await s.syncJobs.stop(scopeOf(ctx), input.IndexId, input.Id);
    return {};
  },

  async ListDataSourceSyncJobs(input, ctx, s) {
    const page = await s.syncJobs.history(scopeOf(ctx), input.IndexId, input.Id, {
      status: input.StatusFilter,
      startTime: input.StartTimeFilter?.StartTime,
      endTime: input.StartTimeFilter?.EndTime,
      maxResults: input.MaxResults ?? 10,
      nextToken: input.NextToken,
    });
    // A page served again from the history cache is the same object: render it once.
    let out = rendered.get(page);
    if (!out) rendered.set(page, (out = SerializedOutput.of({ History: page.jobs.map(toSyncJob), NextToken: page.nextToken })));
    return out;
  },
};

const rendered = new WeakMap<HistoryPage, SerializedOutput>();

/** S-JOB-3/4: EndTime only when terminal; metrics always as decimal strings, no DocumentsScanned for CUSTOM. */
export function toSyncJob(j: HistoryRow) {
  return {
    ExecutionId: j.execution_id,
    StartTime: date(j.start_time),
    EndTime: j.end_time === null ? undefined : date(j.end_time),
    Status: j.status as never,
    ErrorMessage: j.error_message ?? undefined,
    ErrorCode: (j.error_code ?? undefined) as never,
    DataSourceErrorCode: j.data_source_error_code ?? undefined,
    Metrics: {
      DocumentsAdded: String(j.documents_added),
      DocumentsModified: String(j.documents_modified),
      DocumentsDeleted: String(j.documents_deleted),
      DocumentsFailed: String(j.documents_failed),
      DocumentsScanned: j.data_source_type === 'CUSTOM' ? undefined : String(j.documents_scanned),
    },
  };
}
