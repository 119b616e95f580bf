/**
 * Strings as JSON text on hot paths (an answer's texts, the request log line): quoted as they are
 * when nothing in them needs escaping, which is the usual case (ids, operation names, typed words);
 * JSON.stringify, a call into the runtime, only for the rest.
 */

/** What JSON.stringify escapes in a string. */
export const NEEDS_ESCAPING = /["\\\x00-\x1f\ud800-\udfff]/;

/** `s` as a JSON string: the text JSON.stringify(s) gives. */
export function jsonString(s: string): string {
  return NEEDS_ESCAPING.test(s) ? JSON.stringify(s) : `"${s}"`;
}
