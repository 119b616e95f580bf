import { scopeOf, type Handlers } from './context.js';

export const querySuggestionHandlers: Handlers = {
  async GetQuerySuggestions(input, ctx, s) {
    return (await s.querySuggestions.get(scopeOf(ctx), input as never)) as never;
  },

  async DescribeQuerySuggestionsConfig(input, ctx, s) {
    return s.querySuggestions.describeConfig(scopeOf(ctx), input.IndexId);
  },

  async UpdateQuerySuggestionsConfig(input, ctx, s) {
    await s.querySuggestions.updateConfig(scopeOf(ctx), input as never);
    return {};
  },

  async ClearQuerySuggestions(input, ctx, s) {
    await s.querySuggestions.clear(scopeOf(ctx), input.IndexId);
    return {};
  },

  async CreateQuerySuggestionsBlockList(input, ctx, s) {
    return { Id: await s.blockLists.create(scopeOf(ctx), input as never) };
  },

  async DescribeQuerySuggestionsBlockList(input, ctx, s) {
    return (await s.blockLists.describe(scopeOf(ctx), input.IndexId, input.Id)) as never;
  },

  async UpdateQuerySuggestionsBlockList(input, ctx, s) {
    await s.blockLists.update(scopeOf(ctx), input as never);
    return {};
  },

  async DeleteQuerySuggestionsBlockList(input, ctx, s) {
    await s.blockLists.delete(scopeOf(ctx), input.IndexId, input.Id);
    return {};
  },

  async ListQuerySuggestionsBlockLists(input, ctx, s) {
    return (await s.blockLists.list(scopeOf(ctx), input.IndexId, input.MaxResults ?? 100, input.NextToken)) as never;
  },
};
