/**
 * Text both backends can hold. PostgreSQL cannot store U+0000 in TEXT or JSONB (it refuses the
 * whole statement), and UTF-8 cannot carry an unpaired UTF-16 surrogate (the drivers would quietly
 * turn it into U+FFFD, so two different strings could be stored as one). SQLite holds both, so the
 * rule is applied on both backends alike:
 * - content (titles, extracted text, attribute values, query text, filter values) has each such
 *   character replaced by U+FFFD, as a UTF-8 decoder does with bytes it cannot read: words on either
 *   side stay apart, and the gap stays visible;
 * - identifiers (document ids, tokens, tags, ids of any kind) must round-trip exactly, so a request
 *   carrying one is refused instead (protocol/validate.ts).
 */
/** A character to look closer at: cheap to scan for (most text has none). */
const SUSPECT = /[\0\uD800-\uDFFF]/;
/** U+0000, or a surrogate that is not half of a pair. */
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

export function isStorable(s: string): boolean {
  return !SUSPECT.test(s) || !UNSTORABLE.test(s);
}

export function storableText(s: string): string {
  return isStorable(s) ? s : s.replace(UNSTORABLE_ALL, '\uFFFD');
}
