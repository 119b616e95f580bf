// MaxUrlsPerMinuteCrawlRate, per host: requests to one host start at least 60 000 / rate ms apart,
// whatever the number of fetches in flight; other hosts are not held up.
export class HostRateLimiter {
  private readonly next = new Map<string, number>();

  /** `perMinute` 0: no limit. */
  constructor(private readonly perMinute: number) {}

  /** Resolves when a request to `host` may start (its slot taken); rejects when `signal` aborts. */
  async take(host: string, signal: AbortSignal): Promise<void> {
    if (!this.perMinute) return;
    const gap = 60_000 / this.perMinute;
    const now = performance.now();
    const at = Math.max(now, this.next.get(host) ?? now);
    this.next.set(host, at + gap);
    const wait = at - now;
    if (wait > 0) await sleep(wait, signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
