import { randomUUID } from 'node:crypto';
import type { Suggestion, SuggestionsAnswer } from '../domain/querySuggestions.js';
import { jsonString, NEEDS_ESCAPING } from '../protocol/jsonString.js';
import { SerializedOutput, serializeOutput } from '../protocol/serialize.js';
import { UUID_LENGTH, writeUuid } from '../protocol/uuid.js';
import { scopeOf, type Handlers } from './context.js';

export const querySuggestionHandlers: Handlers = {
  // Answered at once when the domain answers at once (the usual request: see QuerySuggestions.get).
  GetQuerySuggestions(input, ctx, s) {
    const answer = s.querySuggestions.get(scopeOf(ctx), input as never);
    return answer instanceof Promise ? answer.then(answerOutput) : answerOutput(answer);
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

function answerOutput(a: SuggestionsAnswer): SerializedOutput {
  return new SerializedOutput(answerJson(a));
}

/**
 * GetQuerySuggestions' output JSON, as UTF-8: the text suggestionsJson makes of the answer's
 * suggestions, with a random (version 4) UUID as QuerySuggestionsId and another as each suggestion's
 * Id. The common answer (suggestions from the log only) is written straight into bytes from the
 * texts: no object, id string or piece of JSON text is made per suggestion (what a request allocates
 * sets how often the young generation is collected, and a collection is a request's tail latency).
 */
export function answerJson(a: SuggestionsAnswer): Buffer {
  if (a.fields.length) {
    const Suggestions: Suggestion[] = a.queryTexts.map((Text) => ({ Id: randomUUID(), Value: { Text: { Text, Highlights: [{ BeginOffset: 0, EndOffset: a.prefixLength }] } } }));
    return Buffer.from(suggestionsJson({ QuerySuggestionsId: randomUUID(), Suggestions: [...Suggestions, ...a.fields] }));
  }
  const end = `,"Highlights":[{"BeginOffset":0,"EndOffset":${a.prefixLength}}]}}}`;
  // At most 3 UTF-8 bytes per UTF-16 unit, 6 per unit escaped (\u0001), and what surrounds each text.
  let bound = 64 + UUID_LENGTH + end.length;
  for (const t of a.queryTexts) bound += 6 * t.length + 3 + SUGGESTION_START.length + UUID_LENGTH + TEXT_START.length + end.length;
  const out = scratchOf(bound);
  // The end of a suggestion (its highlight is the same in all) is written once, at the far end of the scratch buffer, and copied from there.
  const endAt = out.length - end.length;
  writeAscii(out, endAt, end);
  out.set(ANSWER_START, 0);
  let at = writeUuid(out, ANSWER_START.length);
  out.set(SUGGESTIONS_START, at);
  at += SUGGESTIONS_START.length;
  for (let i = 0; i < a.queryTexts.length; i++) {
    if (i) out[at++] = 0x2c; // ','
    out.set(SUGGESTION_START, at);
    at = writeUuid(out, at + SUGGESTION_START.length);
    out.set(TEXT_START, at);
    at = writeJsonString(out, at + TEXT_START.length, a.queryTexts[i]!);
    out.copyWithin(at, endAt, out.length);
    at += end.length;
  }
  out[at++] = 0x5d; // ']'
  out[at++] = 0x7d; // '}'
  const bytes = Buffer.allocUnsafe(at);
  out.copy(bytes, 0, 0, at);
  return bytes;
}

// The fixed pieces of the answer, as bytes: copied by TypedArray#set, not character by character.
const ANSWER_START = Buffer.from('{"QuerySuggestionsId":"', 'latin1');
const SUGGESTIONS_START = Buffer.from('","Suggestions":[', 'latin1');
const SUGGESTION_START = Buffer.from('{"Id":"', 'latin1');
const TEXT_START = Buffer.from('","Value":{"Text":{"Text":', 'latin1');

let scratch = Buffer.allocUnsafeSlow(16 * 1024);
/** A buffer of at least `bytes` to write an answer in before it is copied out (one answer at a time: it is written synchronously). */
function scratchOf(bytes: number): Buffer {
  if (scratch.length < bytes) scratch = Buffer.allocUnsafeSlow(Math.max(bytes, 2 * scratch.length));
  return scratch;
}

/**
 * `s` as a JSON string at `at`; returns the position after it. A text of printable ASCII without a
 * quote or backslash (the usual one) is copied as it is, checked on the way; any other is written
 * as JSON.stringify quotes it (when NEEDS_ESCAPING says it must be) or as UTF-8 between quotes.
 */
function writeJsonString(out: Buffer, at: number, s: string): number {
  out[at] = 0x22; // '"'
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
      if (NEEDS_ESCAPING.test(s)) return at + out.write(JSON.stringify(s), at, 'utf8');
      at += 1 + out.write(s, at + 1, 'utf8');
      out[at] = 0x22;
      return at + 1;
    }
    out[at + 1 + i] = c;
  }
  out[at + 1 + n] = 0x22;
  return at + n + 2;
}

/** `s` at `at` as UTF-8; returns the position after it (a character at a time while it is ASCII). */
function writeAscii(out: Buffer, at: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return at + out.write(s, at, 'utf8');
    out[at + i] = c;
  }
  return at + n;
}

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
