/** The q-quantile (0 < q ≤ 1) of ascending samples, nearest-rank: the value q of the samples do not exceed. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Fixed-precision figures for tables: requests/s as integers, milliseconds to 0.01, ratios to 0.01. */
export const fmt = {
  rps: (n: number) => (Number.isFinite(n) ? Math.round(n).toString() : '-'),
  ms: (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-'),
  ratio: (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-'),
  percent: (n: number) => (Number.isFinite(n) ? `${Math.round(n * 100)} %` : '-'),
};
