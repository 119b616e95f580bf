// GetQuerySuggestions' hot path, piece by piece: the prefix structure's allocation-free lookup
// against a plain scan, the answer written straight into bytes against the generic serializer's
// text, and the UUIDs written without node:crypto's randomUUID.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerJson, suggestionsJson } from '../src/api/querySuggestions.js';
import { serializeOutput } from '../src/protocol/serialize.js';
import { uuid, writeUuid } from '../src/protocol/uuid.js';
import { SuggestionIndex, type SuggestionEntry } from '../src/search/suggestionIndex.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** What top() must return: every text starting with the prefix, most popular first, then by text. */
function scan(entries: SuggestionEntry[], prefix: string, k: number): SuggestionEntry[] {
  return entries
    .filter((e) => e.text.startsWith(prefix))
    .sort((a, b) => b.score - a.score || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
    .slice(0, Math.max(0, k));
}

test('the prefix structure finds what a scan finds, for every prefix and k', () => {
  // Deterministic texts over a small alphabet (many shared prefixes, many tied scores), and a few
  // whose next character sorts above a surrogate pair's first half (U+FFFD, U+FFFF) or is one (😀).
  let x = 12345;
  // xorshift32: exact in 32-bit integers (a linear congruence on doubles loses bits and cycles early).
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const texts = new Set<string>();
  while (texts.size < 2000) texts.add(Array.from({ length: 1 + (next() % 6) }, () => 'abcd '[next() % 5]).join(''));
  for (const t of ['ab\uffff', 'ab\ufffd x', 'ab😀', 'b\uffff\uffff']) texts.add(t);
  const entries = [...texts].map((text) => ({ text, score: 1 + (next() % 7) }));
  const index = new SuggestionIndex(entries);
  assert.equal(index.count, entries.length);
  const prefixes = ['a', 'ab', 'abc', 'b ', 'dd', 'e', '', 'ab\uffff', 'b\uffff', 'ab😀', 'abcdabcdabcd'];
  for (const t of [...texts].slice(0, 200)) prefixes.push(t, t.slice(0, 2));
  let compared = 0;
  for (const prefix of prefixes) {
    for (const k of [0, 1, 3, 10, 100, 5000]) {
      const want = scan(entries, prefix, k);
      assert.deepEqual(index.top(prefix, k), want, `${JSON.stringify(prefix)}, k ${k}`);
      const n = index.topPositions(prefix, k);
      assert.equal(n, want.length);
      assert.deepEqual(Array.from(index.found().subarray(0, n), (at) => index.textAt(at)), want.map((e) => e.text));
      compared++;
    }
  }
  assert.equal(compared, prefixes.length * 6);
  // The texts above a surrogate pair's first half are found (a bound of prefix + U+10FFFF left them out).
  assert.deepEqual(index.top('ab\uffff', 10).map((e) => e.text), ['ab\uffff']);
  assert.deepEqual(index.top('b\uffff', 10).map((e) => e.text), ['b\uffff\uffff']);
});

test('an answer written as bytes is the JSON the generic serializer makes of the same suggestions', () => {
  const texts = ['upcoming events 2050', 'say "hi"\\ \u2028 naïve 😀 \ud800 \x01', 'tab\there', 'plain', 'naïve café', 'del\x7f', '"', '\\', '~ !'];
  // Answers longer than the 16 KB scratch buffer they are first written in: it grows, the end piece moves with it.
  const long = Array.from({ length: 60 }, (_, i) => `${'long text '.repeat(40)}${i}`);
  for (const [queryTexts, prefixLength] of [[[], 2], [texts, 3], [texts.slice(3), 5], [long, 123456], [texts, 7]] as const) {
    const bytes = answerJson({ queryTexts: [...queryTexts], prefixLength, fields: [] });
    const parsed = JSON.parse(bytes.toString('utf8')) as { QuerySuggestionsId: string; Suggestions: { Id: string }[] };
    assert.match(parsed.QuerySuggestionsId, UUID_V4);
    assert.equal(parsed.Suggestions.length, queryTexts.length);
    for (const s of parsed.Suggestions) assert.match(s.Id, UUID_V4);
    assert.equal(new Set([parsed.QuerySuggestionsId, ...parsed.Suggestions.map((s) => s.Id)]).size, queryTexts.length + 1);
    // The same output with those ids, through the generic serializer: the same bytes.
    const output = {
      QuerySuggestionsId: parsed.QuerySuggestionsId,
      Suggestions: queryTexts.map((Text, i) => ({ Id: parsed.Suggestions[i]!.Id, Value: { Text: { Text, Highlights: [{ BeginOffset: 0, EndOffset: prefixLength }] } } })),
    };
    assert.equal(bytes.toString('utf8'), serializeOutput(output));
    assert.equal(bytes.toString('utf8'), suggestionsJson(output));
  }
});

test('an answer with suggestions from document fields lists the log\'s first, each with its own id', () => {
  const fields = [{ Id: 'field-1', Value: { Text: { Text: 'Upcoming holidays', Highlights: [{ BeginOffset: 0, EndOffset: 2 }] } }, SourceDocuments: [{ DocumentId: 'd', SuggestionAttributes: ['_document_title'], AdditionalAttributes: [] }] }];
  const parsed = JSON.parse(answerJson({ queryTexts: ['upcoming events'], prefixLength: 2, fields }).toString('utf8')) as { QuerySuggestionsId: string; Suggestions: { Id: string; Value: { Text: { Text: string } }; SourceDocuments?: unknown }[] };
  assert.match(parsed.QuerySuggestionsId, UUID_V4);
  assert.deepEqual(parsed.Suggestions.map((s) => s.Value.Text.Text), ['upcoming events', 'Upcoming holidays']);
  assert.match(parsed.Suggestions[0]!.Id, UUID_V4);
  assert.deepEqual(parsed.Suggestions[1], fields[0]);
});

test('UUIDs: version 4, variant 10, never repeated, also across the refill of their random bytes', () => {
  const seen = new Set<string>();
  // 256 ids use up one buffer of random bytes: 3,000 cross several refills.
  for (let i = 0; i < 3000; i++) {
    const id = uuid();
    assert.match(id, UUID_V4);
    seen.add(id);
  }
  assert.equal(seen.size, 3000);
  const out = Buffer.alloc(40, 0x78);
  assert.equal(writeUuid(out, 2), 38);
  assert.match(out.toString('latin1', 2, 38), UUID_V4);
  assert.equal(out.toString('latin1', 0, 2) + out.toString('latin1', 38), 'xxxx');
});
