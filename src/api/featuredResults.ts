import { FeaturedResultsConflict } from '../domain/featuredResults.js';
import { KendraError } from '../protocol/errors.js';
import { scopeOf, type Handlers } from './context.js';

/** A query text in another active set: Kendra's own error, with the conflicting items. */
async function conflicts<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof FeaturedResultsConflict) throw new KendraError('FeaturedResultsConflictException', e.message, undefined, { ConflictingItems: e.items });
    throw e;
  }
}

export const featuredResultsHandlers: Handlers = {
  async CreateFeaturedResultsSet(input, ctx, s) {
    return { FeaturedResultsSet: await conflicts(() => s.featuredResults.create(scopeOf(ctx), input as never)) } as never;
  },

  async UpdateFeaturedResultsSet(input, ctx, s) {
    return { FeaturedResultsSet: await conflicts(() => s.featuredResults.update(scopeOf(ctx), input as never)) } as never;
  },

  async DescribeFeaturedResultsSet(input, ctx, s) {
    return (await s.featuredResults.describe(scopeOf(ctx), input.IndexId, input.FeaturedResultsSetId)) as never;
  },

  async ListFeaturedResultsSets(input, ctx, s) {
    const page = await s.featuredResults.list(scopeOf(ctx), input.IndexId, input.MaxResults ?? 100, input.NextToken);
    return {
      FeaturedResultsSetSummaryItems: page.items.map((f) => ({
        FeaturedResultsSetId: f.FeaturedResultsSetId, FeaturedResultsSetName: f.FeaturedResultsSetName, Status: f.Status as never,
        LastUpdatedTimestamp: f.LastUpdatedTimestamp, CreationTimestamp: f.CreationTimestamp,
      })),
      NextToken: page.nextToken,
    };
  },

  async BatchDeleteFeaturedResultsSet(input, ctx, s) {
    return { Errors: await s.featuredResults.batchDelete(scopeOf(ctx), input.IndexId, input.FeaturedResultsSetIds) };
  },
};
