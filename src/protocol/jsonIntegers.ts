/**
 * JSON.parse turns an integer beyond 2^53 − 1 into the nearest double, a different number, and Node 20
 * cannot show a reviver the digits sent. Kendra's Long is 64-bit, but kendrite holds integers as
 * JavaScript numbers, so such a request is refused, quoting the number exactly as it was sent.
 */
import { KendraError } from './errors.js';

/** Sixteen digits in a row: the only bodies that need the closer look (most have none). */
const LONG_RUN = /\d{16}/;
/** A JSON string (skipped), or an integer token of 16 digits or more (not part of a fraction or exponent). */
const TOKENS = /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/g;
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** Throws ValidationException when `json` holds an integer JavaScript cannot represent exactly. */
export function refuseInexactIntegers(json: string): void {
  if (!LONG_RUN.test(json)) return;
  for (const [token] of json.matchAll(TOKENS)) {
    if (token.startsWith('"')) continue;
    const n = BigInt(token);
    if (n > MAX || n < -MAX)
      throw new KendraError('ValidationException', `1 validation error detected: Value '${token}' failed to satisfy constraint: kendrite holds integers exactly only between -${MAX} and ${MAX} (2^53 - 1)`);
  }
}
