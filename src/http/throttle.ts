import { KendraError } from '../protocol/errors.js';

/** P-10: a token bucket per account and operation, for the operations the config names. */
export class Throttle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limits: Record<string, { ratePerSecond: number; burst: number }>,
    private readonly now: () => number = Date.now,
  ) {}

  check(accountId: string, operation: string): void {
    const limit = this.limits[operation];
    if (!limit) return;
    const key = `${accountId}:${operation}`;
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: limit.burst, at: t };
    b.tokens = Math.min(limit.burst, b.tokens + ((t - b.at) / 1000) * limit.ratePerSecond);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens < 1) throw new KendraError('ThrottlingException', `Rate exceeded for ${operation}: at most ${limit.ratePerSecond} requests per second.`);
    b.tokens -= 1;
  }
}
