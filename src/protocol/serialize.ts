/**
 * An output already rendered to its JSON: by `of`, for a handler that serves the same output many
 * times (a cached page) and so renders it once; or written by its handler, for the hottest answers
 * (GetQuerySuggestions), where a generic pass over the output cost more than the lookup.
 */
export class SerializedOutput {
  constructor(readonly bytes: string | Buffer) {}

  static of(output: unknown): SerializedOutput {
    return new SerializedOutput(Buffer.from(serializeOutput(output)));
  }
}

/** Output JSON: timestamps as epoch seconds with milliseconds as the fraction (P-7). */
export function serializeOutput(output: unknown): string | Buffer {
  if (output instanceof SerializedOutput) return output.bytes;
  // Converting first and stringifying without a replacer is about 3× faster than a replacer, which
  // JSON.stringify calls back for every key of the output; an output without a Date (most answers
  // of the hot read paths: suggestions, queries) is stringified as it is, without a copy.
  const value = output ?? {};
  return JSON.stringify(holdsDate(value) ? toWire(value) : value);
}

/** Whether a Date is anywhere in `value`, where toWire would look. */
function holdsDate(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof Date) return true;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(value)) return value.some(holdsDate);
  for (const key of Object.keys(value)) if (holdsDate((value as Record<string, unknown>)[key])) return true;
  return false;
}

/** A copy of `value` with every Date as epoch seconds; everything else as JSON.stringify would see it. */
function toWire(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return value.getTime() / 1000;
  // Buffer and the like render themselves (toJSON); their result holds no Date.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  if (Array.isArray(value)) return value.map(toWire);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = toWire((value as Record<string, unknown>)[key]);
  return out;
}
