import { scopeOf, type Handlers } from './context.js';

export const principalMappingHandlers: Handlers = {
  async PutPrincipalMapping(input, ctx, s) {
    await s.principalMappings.put(scopeOf(ctx), input as never);
    return {};
  },

  async DeletePrincipalMapping(input, ctx, s) {
    await s.principalMappings.delete(scopeOf(ctx), input);
    return {};
  },

  async DescribePrincipalMapping(input, ctx, s) {
    const GroupOrderingIdSummaries = await s.principalMappings.describe(scopeOf(ctx), input);
    return { IndexId: input.IndexId, DataSourceId: input.DataSourceId, GroupId: input.GroupId, GroupOrderingIdSummaries: GroupOrderingIdSummaries as never };
  },

  async ListGroupsOlderThanOrderingId(input, ctx, s) {
    return s.principalMappings.olderThan(scopeOf(ctx), input);
  },
};
