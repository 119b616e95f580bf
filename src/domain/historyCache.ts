/**
 * Recently served ListDataSourceSyncJobs pages, for clients that poll the history in wait loops.
 * An entry is served only while the store's history version is the one it was read at, so any
 * write to a job (a status, a metric, a new job, retention) makes every older entry unusable; and
 * only for a few seconds, which also keeps the NextTokens it holds fresh.
 */
export class HistoryCache<T> {
  private readonly entries = new Map<string, { version: number; at: number; value: T }>();

  constructor(
    private readonly maxEntries = 512,
    private readonly ttlMs = 5000,
  ) {}

  get(key: string, version: number, now: number): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.version !== version || now - e.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, version: number, now: number, value: T): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { version, at: now, value });
  }
}
