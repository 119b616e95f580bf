import type { RequestContext, Service } from '../http/server.js';
import { KendraError } from '../protocol/errors.js';
import { isStorable } from '../store/storableText.js';
import { date, scopeOf, type Services } from './context.js';
import { toKendraError } from './errors.js';
import { toSyncJob } from './syncJobs.js';

/**
 * kendrite's own API extension, outside the Kendra target prefix (S-JOB-8): same protocol, same
 * SigV4, target `KendriteService.<Operation>`. Never changes a Kendra response.
 *
 * - DescribeSyncJobReport {ExecutionId, MaxResults?, NextToken?, Action?} →
 *   {Job, Timeline: [{Status, Time}], Items: [{DocumentId, Action, Reason?, Time}], NextToken?}
 */
export const KENDRITE_TARGET_PREFIX = 'KendriteService';

export function kendriteService(services: Services): Service {
  return {
    prefix: KENDRITE_TARGET_PREFIX,
    has: (op) => op === 'DescribeSyncJobReport',
    async invoke(_op: string, body: unknown, ctx: RequestContext) {
      const input = body as Record<string, unknown>;
      const executionId = input.ExecutionId;
      const maxResults = input.MaxResults ?? 100;
      if (typeof executionId !== 'string' || !executionId) throw new KendraError('ValidationException', "1 validation error detected: Value null at 'executionId' failed to satisfy constraint: Member must not be null");
      // A member of the wrong JSON type is named, never stringified: String() of a deeply nested array overflows the stack (a 500).
      if (typeof maxResults !== 'number') throw new KendraError('SerializationException', "Invalid type at 'maxResults': expected an integer");
      if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000)
        throw new KendraError('ValidationException', `1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000`);
      if (input.NextToken !== undefined && typeof input.NextToken !== 'string') throw new KendraError('SerializationException', "Invalid type at 'nextToken': expected a string");
      // An id that cannot be stored names no job (and PostgreSQL would refuse to look it up).
      if (!isStorable(executionId)) throw new KendraError('ResourceNotFoundException', `Sync job ${executionId} does not exist.`);
      try {
        const r = await services.syncJobs.report(scopeOf(ctx), executionId, maxResults, input.NextToken as string | undefined);
        return {
          Job: { ...toSyncJob(r.job), IndexId: r.job.index_id, DataSourceId: r.job.data_source_id },
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
