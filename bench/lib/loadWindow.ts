import { performance } from 'node:perf_hooks';

/**
 * When a closed-loop load measures. A fixed window, `warmupMs` then `durationMs`: everything answered
 * inside [warm-up end, + duration) counts. Where a side answers only a few queries a second (PostgreSQL
 * reading a million documents from disk), such a window holds a handful of answers and its p99 is
 * their maximum: `answers` then lengthens the window until that many right answers are in, and
 * `warmupAnswers` the warm-up until that many answers (right or not) are, each no shorter than its
 * time; `capMs` (from the load's start, warm-up included) ends the load whatever it has by then.
 * Without the three, the window is exactly the fixed one.
 */
export interface LoadStop {
  warmupMs: number;
  durationMs: number;
  /** Right answers the measured window holds at least (it ends at the answer that makes them enough, or at `durationMs` if later). */
  answers?: number;
  /** Answers the warm-up takes at least, right or wrong. */
  warmupAnswers?: number;
  /** The load stops sending this long after its start, however many answers it has. */
  capMs?: number;
  /**
   * Ends the measured window when it aborts (no shorter than `durationMs`): a load that runs beside
   * another for as long as that one does (with `answers: Infinity`, nothing else ends it but the cap).
   */
  signal?: AbortSignal;
}

/**
 * The measured window of one load, decided as its answers come in: the load's clients ask open()
 * before each request, and note each answer with answered(), which says whether it is measured.
 */
export class LoadWindow {
  private readonly earliestStart: number;
  private readonly capAt: number;
  private readonly answers: number;
  private readonly warmupAnswers: number;
  private readonly durationMs: number;
  /** Start of the measured window; Infinity while warming up. */
  private start = Infinity;
  /** End of the measured window (exclusive); Infinity while not yet decided. */
  private end = Infinity;
  private warmed = 0;
  private measuredCount = 0;

  constructor(o: LoadStop, now = performance.now()) {
    this.earliestStart = now + o.warmupMs;
    this.durationMs = o.durationMs;
    this.capAt = now + (o.capMs ?? Infinity);
    this.answers = o.answers ?? 0;
    this.warmupAnswers = o.warmupAnswers ?? 0;
    if (this.warmupAnswers === 0) this.begin(this.earliestStart);
    if (o.signal?.aborted) this.close(now);
    else o.signal?.addEventListener('abort', () => this.close(), { once: true });
  }

  /** Ends the window at `now` (or at `durationMs` after its start, if later); one already ended keeps its end. */
  close(now = performance.now()): void {
    if (this.end === Infinity) this.end = this.start === Infinity ? now : Math.max(this.start + this.durationMs, now);
  }

  /** Whether a client may send another request at `now`. */
  open(now = performance.now()): boolean {
    return now < this.end && now < this.capAt;
  }

  /** Notes an answer that arrived at `done` (`right`: it passed its check); true when it is one the figures rest on. */
  answered(done: number, right: boolean): boolean {
    if (this.start === Infinity) {
      if (++this.warmed >= this.warmupAnswers) this.begin(Math.max(this.earliestStart, done));
      return false;
    }
    if (!right || done < this.start || done >= this.end || done >= this.capAt) return false;
    // The answer that makes them enough is in; those after it, not (they arrive at or after it).
    if (++this.measuredCount === this.answers) this.end = Math.max(this.start + this.durationMs, done);
    return true;
  }

  /** The measured window's length in ms (ended by the cap if it came first); NaN if it never began (the warm-up never ended, or the window closed first). */
  get measuredMs(): number {
    const end = Math.min(this.end, this.capAt);
    if (this.start >= end) return NaN; // never began, or closed before it did
    // The fixed window's own length, not one rounded by the subtraction.
    return end === this.start + this.durationMs ? this.durationMs : end - this.start;
  }

  /** Right answers inside the window. */
  get measured(): number {
    return this.measuredCount;
  }

  /** Whether the cap, not the answers and time asked for, ended the load. */
  get capped(): boolean {
    return this.capAt < this.end;
  }

  private begin(at: number): void {
    this.start = at;
    if (this.answers === 0 && this.end === Infinity) this.end = at + this.durationMs;
  }
}

