import { scopeOf, type Handlers } from './context.js';

export const accessConfigurationHandlers: Handlers = {
  async CreateAccessControlConfiguration(input, ctx, s) {
    return { Id: await s.accessConfigurations.create(scopeOf(ctx), input as never) };
  },

  async DescribeAccessControlConfiguration(input, ctx, s) {
    return (await s.accessConfigurations.describe(scopeOf(ctx), input.IndexId, input.Id)) as never;
  },

  async UpdateAccessControlConfiguration(input, ctx, s) {
    await s.accessConfigurations.update(scopeOf(ctx), input as never);
    return {};
  },

  async DeleteAccessControlConfiguration(input, ctx, s) {
    await s.accessConfigurations.delete(scopeOf(ctx), input.IndexId, input.Id);
    return {};
  },

  async ListAccessControlConfigurations(input, ctx, s) {
    const page = await s.accessConfigurations.list(scopeOf(ctx), input.IndexId, input.MaxResults ?? 100, input.NextToken);
    return { AccessControlConfigurations: page.ids.map((Id) => ({ Id })), NextToken: page.nextToken };
  },
};
