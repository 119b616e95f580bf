/**
 * Starts of a worker thread that failed in a row, and the pause before the next one. A thread loads
 * kendrite's code from disk when it starts, long after the server did: a dist/ rebuilt or upgraded in
 * place under a running server (a module missing or half written for a moment) makes a start fail.
 * Such a thread ran nothing, so the work given to it waits for another, started after a pause that
 * doubles from `firstPauseMs` (0.1 + 0.2 + … 1.6 s); only when `attempts` starts in a row have failed
 * does that work fail. Used by the search read threads (search/readPool.ts) and the sync writer thread
 * (sync/threadWriter.ts).
 */
export class ThreadStarts {
  private failures = 0;

  constructor(
    readonly attempts = 6,
    private readonly firstPauseMs = 100,
  ) {}

  /** A thread is ready (its code loaded, its connection open): the count starts again. */
  ready(): void {
    this.failures = 0;
  }

  /**
   * A start failed: which attempt in a row it was, and the pause before the next one (ms); no pause
   * when it was the last attempt — the waiting work fails, and the count starts again.
   */
  failure(): { attempt: number; pauseMs?: number } {
    const attempt = ++this.failures;
    if (attempt < this.attempts) return { attempt, pauseMs: this.firstPauseMs * 2 ** (attempt - 1) };
    this.failures = 0;
    return { attempt };
  }
}
