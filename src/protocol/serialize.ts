/** Output JSON: timestamps as epoch seconds with milliseconds as the fraction (P-7). */
export function serializeOutput(output: unknown): string {
  return JSON.stringify(output ?? {}, dateAsEpochSeconds);
}

function dateAsEpochSeconds(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  return original instanceof Date ? original.getTime() / 1000 : value;
}
