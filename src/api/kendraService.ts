import type { RequestContext, Service } from '../http/server.js';
import { KendraError } from '../protocol/errors.js';
import { OPERATION_NAMES, TARGET_PREFIX, type OperationName } from '../protocol/generated/operations.js';
import { parseOperationInput } from '../protocol/validate.js';
import type { Handler, Handlers, Services } from './context.js';
import { dataSourceHandlers } from './dataSources.js';
import { documentHandlers } from './documents.js';
import { toKendraError } from './errors.js';
import { indexHandlers } from './indices.js';
import { accessConfigurationHandlers } from './accessConfigurations.js';
import { principalMappingHandlers } from './principalMapping.js';
import { queryHandlers } from './query.js';
import { syncJobHandlers } from './syncJobs.js';
import { tagHandlers } from './tags.js';
import { experienceHandlers } from './experiences.js';
import { faqHandlers } from './faqs.js';
import { featuredResultsHandlers } from './featuredResults.js';
import { thesaurusHandlers } from './thesauri.js';
import { querySuggestionHandlers } from './querySuggestions.js';
import { analyticsHandlers } from './analytics.js';

const HANDLERS: Handlers = {
  ...indexHandlers, ...dataSourceHandlers, ...tagHandlers, ...syncJobHandlers, ...documentHandlers, ...queryHandlers, ...principalMappingHandlers, ...accessConfigurationHandlers,
  ...experienceHandlers, ...faqHandlers, ...featuredResultsHandlers, ...thesaurusHandlers, ...querySuggestionHandlers, ...analyticsHandlers,
};
const KNOWN = new Set<string>(OPERATION_NAMES);

export const IMPLEMENTED_OPERATIONS = Object.keys(HANDLERS).sort() as OperationName[];

function rethrowAsKendra(e: unknown): never {
  throw toKendraError(e);
}

/** The Kendra API: input parsed and validated from the model, then the operation's handler. */
export function kendraService(services: Services): Service {
  return {
    prefix: TARGET_PREFIX,
    has: (op) => KNOWN.has(op),
    // A handler's output known at once is returned at once (not wrapped in a promise); its errors, thrown or rejected, are Kendra's either way.
    invoke(op: string, body: unknown, ctx: RequestContext) {
      const name = op as OperationName;
      const input = parseOperationInput(name, body);
      const handler = HANDLERS[name] as Handler<OperationName> | undefined;
      // P-9: a model operation kendrite does not serve yet says so (after validating its input).
      if (!handler) throw new KendraError('NotImplementedException', `kendrite does not implement ${op} yet. Implemented operations: ${IMPLEMENTED_OPERATIONS.join(', ')}.`);
      let output: unknown;
      try {
        output = handler(input, ctx, services);
      } catch (e) {
        throw toKendraError(e);
      }
      return output instanceof Promise ? output.catch(rethrowAsKendra) : output;
    },
  };
}
