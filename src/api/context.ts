import type { Config } from '../config/config.js';
import type { DataSources } from '../domain/dataSources.js';
import type { Documents } from '../domain/documents.js';
import type { Feedback } from '../domain/feedback.js';
import type { QueryService } from '../domain/query.js';
import type { PrincipalMappings } from '../domain/principalMapping.js';
import type { AccessConfigurations } from '../domain/accessConfigurations.js';
import type { Faqs } from '../domain/faqs.js';
import type { FeaturedResults } from '../domain/featuredResults.js';
import type { Thesauri } from '../domain/thesauri.js';
import type { Indices } from '../domain/indices.js';
import type { Experiences } from '../domain/experiences.js';
import type { BlockLists } from '../domain/blockLists.js';
import type { Analytics } from '../domain/analytics.js';
import type { QuerySuggestions } from '../domain/querySuggestions.js';
import type { SyncJobs } from '../domain/syncJobs.js';
import type { Store } from '../store/store.js';
import type { RequestContext } from '../http/server.js';
import type { OperationInputs, OperationName, OperationOutputs } from '../protocol/generated/operations.js';
import type { SerializedOutput } from '../protocol/serialize.js';

/** The domain services the handlers call. */
export interface Services {
  config: Config;
  store: Store;
  indices: Indices;
  dataSources: DataSources;
  syncJobs: SyncJobs;
  documents: Documents;
  query: QueryService;
  feedback: Feedback;
  principalMappings: PrincipalMappings;
  accessConfigurations: AccessConfigurations;
  experiences: Experiences;
  faqs: Faqs;
  featuredResults: FeaturedResults;
  thesauri: Thesauri;
  querySuggestions: QuerySuggestions;
  blockLists: BlockLists;
  analytics: Analytics;
}

/** An operation's handler: its output, or a promise of it (an output known at once is returned as it is: no promise, no turn of the event loop). */
export type Handler<Op extends OperationName> = (input: OperationInputs[Op], ctx: RequestContext, s: Services) => OperationOutputs[Op] | SerializedOutput | Promise<OperationOutputs[Op] | SerializedOutput>;
export type Handlers = { [Op in OperationName]?: Handler<Op> };

export const scopeOf = (ctx: RequestContext) => ({ accountId: ctx.caller.accountId, region: ctx.caller.region });
export const date = (ms: number) => new Date(ms);
