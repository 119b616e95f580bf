import type { Suggestion } from '../domain/querySuggestions.js';
import { SerializedOutput, serializeOutput } from '../protocol/serialize.js';
import { scopeOf, type Handlers } from './context.js';

export const querySuggestionHandlers: Handlers = {
  async GetQuerySuggestions(input, ctx, s) {
    return new SerializedOutput(suggestionsJson(await s.querySuggestions.get(scopeOf(ctx), input as never)));
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

/**
 * GetQuerySuggestions' output, written here: the JSON serializeOutput makes of it (the same text,
 * test/query-suggestions.test.ts), without its pass looking for Dates through every suggestion —
 * the output's only generic part, SourceDocuments (attributes may hold dates), still takes it.
 */
export function suggestionsJson(out: { QuerySuggestionsId: string; Suggestions: Suggestion[] }): string {
  let json = `{"QuerySuggestionsId":${jsonString(out.QuerySuggestionsId)},"Suggestions":[`;
  for (let i = 0; i < out.Suggestions.length; i++) {
    const { Id, Value, SourceDocuments } = out.Suggestions[i]!;
    let highlights = '';
    for (const h of Value.Text.Highlights) highlights += `${highlights ? ',' : ''}{"BeginOffset":${h.BeginOffset},"EndOffset":${h.EndOffset}}`;
    json += `${i ? ',' : ''}{"Id":${jsonString(Id)},"Value":{"Text":{"Text":${jsonString(Value.Text.Text)},"Highlights":[${highlights}]}}`;
    json += SourceDocuments === undefined ? '}' : `,"SourceDocuments":${serializeOutput(SourceDocuments) as string}}`;
  }
  return `${json}]}`;
}

/** What JSON.stringify escapes in a string (ids and typed words hold none). */
const ESCAPED = /["\\\x00-\x1f\ud800-\udfff]/;

/** A string as JSON: quoted as it is when nothing in it needs escaping (JSON.stringify is a call into the runtime). */
function jsonString(s: string): string {
  return ESCAPED.test(s) ? JSON.stringify(s) : `"${s}"`;
}
