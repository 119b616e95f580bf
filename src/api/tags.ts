import { parseArn } from '../domain/arn.js';
import { notFound } from '../domain/errors.js';
import { scopeOf, type Services } from './context.js';
import type { Handlers } from './context.js';
import type { RequestContext } from '../http/server.js';
import { distinctTags } from '../domain/tags.js';

/** The ARN must name an index or data source of the caller's account and region. */
async function resolve(arn: string, ctx: RequestContext, s: Services): Promise<string> {
  const parsed = parseArn(arn);
  const scope = scopeOf(ctx);
  if (!parsed || parsed.scope.accountId !== scope.accountId || parsed.scope.region !== scope.region)
    throw notFound(`Resource ${arn} does not exist.`);
  if (parsed.kind === 'index') await s.indices.get(scope, parsed.indexId);
  else await s.dataSources.get(scope, parsed.indexId, parsed.dataSourceId);
  return arn;
}

export const tagHandlers: Handlers = {
  async TagResource(input, ctx, s) {
    await s.store.tags.put(await resolve(input.ResourceARN, ctx, s), distinctTags(input.Tags));
    return {};
  },
  async UntagResource(input, ctx, s) {
    await s.store.tags.remove(await resolve(input.ResourceARN, ctx, s), input.TagKeys);
    return {};
  },
  async ListTagsForResource(input, ctx, s) {
    return { Tags: await s.store.tags.list(await resolve(input.ResourceARN, ctx, s)) };
  },
};
