import type { RequestContext, Service } from '../http/server.js';
import { KendraError } from '../protocol/errors.js';
import { isStorable } from '../store/storableText.js';
import type { SyncJobRow } from '../store/syncJobs.js';
import { date, scopeOf, type Services } from './context.js';
import { toKendraError } from './errors.js';
import { toSyncJob } from './syncJobs.js';

/**
 * kendrite's own API extension, outside the Kendra target prefix (S-JOB-8): same protocol, same
 * SigV4, target `KendriteService.<Operation>`. Never changes a Kendra response.
 *
 * - DescribeSyncJobReport {ExecutionId, MaxResults?, NextToken?, Action?} →
 *   {Job, Timeline: [{Status, Time}], Items: [{DocumentId, Action, Reason?, Time}], NextToken?}
 * - DescribeSyncJob {ExecutionId} → {Job}: one job, live; its `DocumentsExpected` is how many
 *   documents the connector expects to scan (the folder's or bucket's listing, ahead of the fetches;
 *   exact once the listing is done), absent while unknown: with Metrics.DocumentsScanned, a progress.
 */
export const KENDRITE_TARGET_PREFIX = 'KendriteService';

const OPERATIONS = new Set(['DescribeSyncJobReport', 'DescribeSyncJob']);

export function kendriteService(services: Services): Service {
  return {
    prefix: KENDRITE_TARGET_PREFIX,
    has: (op) => OPERATIONS.has(op),
    async invoke(op: string, body: unknown, ctx: RequestContext) {
      const input = body as Record<string, unknown>;
      const executionId = input.ExecutionId;
      if (typeof executionId !== 'string' || !executionId) throw new KendraError('ValidationException', "1 validation error detected: Value null at 'executionId' failed to satisfy constraint: Member must not be null");
      const maxResults = input.MaxResults ?? 100;
      if (op === 'DescribeSyncJobReport') {
        // A member of the wrong JSON type is named, never stringified: String() of a deeply nested array overflows the stack (a 500).
        if (typeof maxResults !== 'number') throw new KendraError('SerializationException', "Invalid type at 'maxResults': expected an integer");
        if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000)
          throw new KendraError('ValidationException', `1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000`);
        if (input.NextToken !== undefined && typeof input.NextToken !== 'string') throw new KendraError('SerializationException', "Invalid type at 'nextToken': expected a string");
      }
      // An id that cannot be stored names no job (and PostgreSQL would refuse to look it up).
      if (!isStorable(executionId)) throw new KendraError('ResourceNotFoundException', `Sync job ${executionId} does not exist.`);
      try {
        if (op === 'DescribeSyncJob') return { Job: jobOf(await services.syncJobs.describe(scopeOf(ctx), executionId)) };
        const r = await services.syncJobs.report(scopeOf(ctx), executionId, maxResults as number, input.NextToken as string | undefined);
        return {
          Job: jobOf(r.job),
          Timeline: r.timeline.map((t) => ({ Status: t.status, Time: date(t.at) })),
          Items: r.items.map((i) => ({ DocumentId: i.document_id, Action: i.action, Reason: i.reason ?? undefined, Time: date(i.at) })),
          NextToken: r.nextToken,
        };
      } catch (e) {
        throw toKendraError(e);
      }
    },
  };
}

function jobOf(job: SyncJobRow) {
  return { ...toSyncJob(job), IndexId: job.index_id, DataSourceId: job.data_source_id, DocumentsExpected: job.documents_expected ?? undefined };
}
