/**
 * The prefix structure query suggestions are served from: the suggestible texts sorted, so that
 * the texts starting with a prefix are one contiguous range (two binary searches), and a segment
 * tree over their popularity, so that the k most popular of that range come out in O(k log n)
 * whatever the range's size (a two-letter prefix may cover a third of a million texts).
 *
 * Immutable once built: a rebuild makes a new one and swaps it in, so a lookup never sees half of one.
 */

export interface SuggestionEntry {
  text: string;
  /** Popularity: higher first; ties by text. */
  score: number;
}

export class SuggestionIndex {
  private readonly texts: string[];
  private readonly scores: Float64Array;
  /** tree[size + i] = i; tree[node] = the position of the best entry under node (-1: none). */
  private readonly tree: Int32Array;
  private readonly size: number;

  constructor(entries: SuggestionEntry[]) {
    const sorted = [...entries].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
    this.texts = sorted.map((e) => e.text);
    this.scores = Float64Array.from(sorted.map((e) => e.score));
    let size = 1;
    while (size < sorted.length) size *= 2;
    this.size = size;
    this.tree = new Int32Array(2 * size).fill(-1);
    for (let i = 0; i < sorted.length; i++) this.tree[size + i] = i;
    for (let n = size - 1; n >= 1; n--) this.tree[n] = this.better(this.tree[2 * n]!, this.tree[2 * n + 1]!);
  }

  get count(): number {
    return this.texts.length;
  }

  /** The `k` most popular texts starting with `prefix`, best first (then by text). */
  top(prefix: string, k: number): SuggestionEntry[] {
    const out: SuggestionEntry[] = [];
    const n = this.topPositions(prefix, k);
    for (let i = 0; i < n; i++) {
      const at = FOUND[i]!;
      out.push({ text: this.texts[at]!, score: this.scores[at]! });
    }
    return out;
  }

  /**
   * The positions of the `k` most popular texts starting with `prefix` (as top()), best first, in
   * `found()`'s first n places; returns n. Nothing is allocated for a lookup (the hot path of
   * GetQuerySuggestions: what a request allocates decides how often the young generation is
   * collected, and a collection is a request's tail latency). `found()` holds them until the next lookup.
   */
  topPositions(prefix: string, k: number): number {
    if (k <= 0) return 0;
    const lo = this.lowerBound(prefix);
    const hi = this.upperBoundOfPrefix(prefix, lo);
    if (lo >= hi) return 0;
    // Best-first over sub-ranges: pop the best range's best entry, split the range around it.
    // Each pop adds at most two ranges: the heap never holds more than k + 1.
    const heap = rangeHeap(k + 1);
    heap.clear(this.scores);
    heap.push(lo, hi, this.bestIn(lo, hi));
    const found = foundFor(k);
    let n = 0;
    while (n < k && heap.length) {
      const at = heap.popInto();
      const l = heap.l;
      const r = heap.r;
      found[n++] = at;
      if (l < at) heap.push(l, at, this.bestIn(l, at));
      if (at + 1 < r) heap.push(at + 1, r, this.bestIn(at + 1, r));
    }
    return n;
  }

  /** The positions the last topPositions() found (valid until the next lookup, on this or another index). */
  found(): Int32Array {
    return FOUND;
  }

  /** The text at a position topPositions() returned. */
  textAt(position: number): string {
    return this.texts[position]!;
  }

  /**
   * The end of the range of texts starting with `prefix`, from `lo` on (its start): the first text
   * not below prefix + U+10FFFF, as a lower bound of that string finds it, without making the string.
   */
  private upperBoundOfPrefix(prefix: string, lo: number): number {
    let hi = this.texts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.texts[mid]!.startsWith(prefix)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private lowerBound(s: string): number {
    let lo = 0;
    let hi = this.texts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.texts[mid]! < s) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The best position in [l, r). */
  private bestIn(l: number, r: number): number {
    let best = -1;
    for (l += this.size, r += this.size; l < r; l >>= 1, r >>= 1) {
      if (l & 1) best = this.better(best, this.tree[l++]!);
      if (r & 1) best = this.better(best, this.tree[--r]!);
    }
    return best;
  }

  private better(a: number, b: number): number {
    if (a < 0) return b;
    if (b < 0) return a;
    const d = this.scores[b]! - this.scores[a]!;
    return d > 0 || (d === 0 && b < a) ? b : a;
  }
}

let FOUND = new Int32Array(16);
function foundFor(k: number): Int32Array {
  if (FOUND.length < k) FOUND = new Int32Array(k);
  return FOUND;
}

/**
 * A max-heap of ranges [l, r) keyed by their best entry's position (score, then text order =
 * position), in typed arrays reused by every lookup (one lookup at a time: JavaScript's one thread).
 */
class RangeHeap {
  private ls: Int32Array;
  private rs: Int32Array;
  private ats: Int32Array;
  private scores: Float64Array = new Float64Array(0);
  length = 0;
  /** The range of the last popInto(). */
  l = 0;
  r = 0;

  constructor(capacity: number) {
    this.ls = new Int32Array(capacity);
    this.rs = new Int32Array(capacity);
    this.ats = new Int32Array(capacity);
  }

  get capacity(): number {
    return this.ats.length;
  }

  clear(scores: Float64Array): void {
    this.scores = scores;
    this.length = 0;
  }

  push(l: number, r: number, at: number): void {
    const { ls, rs, ats } = this;
    let i = this.length++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(at, ats[p]!)) break;
      ls[i] = ls[p]!;
      rs[i] = rs[p]!;
      ats[i] = ats[p]!;
      i = p;
    }
    ls[i] = l;
    rs[i] = r;
    ats[i] = at;
  }

  /** Removes the best range: its best position returned, its bounds in `l` and `r`. */
  popInto(): number {
    const { ls, rs, ats } = this;
    const top = ats[0]!;
    this.l = ls[0]!;
    this.r = rs[0]!;
    const n = --this.length;
    if (n > 0) {
      const l = ls[n]!;
      const r = rs[n]!;
      const at = ats[n]!;
      let i = 0;
      for (;;) {
        const a = 2 * i + 1;
        if (a >= n) break;
        const b = a + 1;
        const m = b < n && this.above(ats[b]!, ats[a]!) ? b : a;
        if (!this.above(ats[m]!, at)) break;
        ls[i] = ls[m]!;
        rs[i] = rs[m]!;
        ats[i] = ats[m]!;
        i = m;
      }
      ls[i] = l;
      rs[i] = r;
      ats[i] = at;
    }
    return top;
  }

  private above(a: number, b: number): boolean {
    const d = this.scores[a]! - this.scores[b]!;
    return d > 0 || (d === 0 && a < b);
  }
}

let HEAP = new RangeHeap(16);
function rangeHeap(capacity: number): RangeHeap {
  if (HEAP.capacity < capacity) HEAP = new RangeHeap(capacity);
  return HEAP;
}
