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
    if (k <= 0) return [];
    const lo = this.lowerBound(prefix);
    const hi = this.lowerBound(`${prefix}\u{10FFFF}`);
    if (lo >= hi) return [];
    // Best-first over sub-ranges: pop the best range's best entry, split the range around it.
    const heap = new RangeHeap(this.scores);
    heap.push(lo, hi, this.bestIn(lo, hi));
    const out: SuggestionEntry[] = [];
    while (out.length < k && heap.length) {
      const [l, r, at] = heap.pop();
      out.push({ text: this.texts[at]!, score: this.scores[at]! });
      if (l < at) heap.push(l, at, this.bestIn(l, at));
      if (at + 1 < r) heap.push(at + 1, r, this.bestIn(at + 1, r));
    }
    return out;
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

/** A max-heap of ranges keyed by their best entry (score, then text order = position). */
class RangeHeap {
  private readonly items: [number, number, number][] = [];
  constructor(private readonly scores: Float64Array) {}

  get length(): number {
    return this.items.length;
  }

  push(l: number, r: number, at: number): void {
    const items = this.items;
    items.push([l, r, at]);
    for (let i = items.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.above(items[i]![2], items[p]![2])) break;
      [items[i], items[p]] = [items[p]!, items[i]!];
      i = p;
    }
  }

  pop(): [number, number, number] {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length) {
      items[0] = last;
      for (let i = 0; ; ) {
        const a = 2 * i + 1;
        const b = a + 1;
        let m = i;
        if (a < items.length && this.above(items[a]![2], items[m]![2])) m = a;
        if (b < items.length && this.above(items[b]![2], items[m]![2])) m = b;
        if (m === i) break;
        [items[i], items[m]] = [items[m]!, items[i]!];
        i = m;
      }
    }
    return top;
  }

  private above(a: number, b: number): boolean {
    const d = this.scores[a]! - this.scores[b]!;
    return d > 0 || (d === 0 && a < b);
  }
}
