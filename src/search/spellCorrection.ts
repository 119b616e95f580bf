/**
 * Spell correction from an index's own words, as Kendra's spell checker documents it: a query word
 * is corrected only when the index does not hold it (nor a word of the same stem), to the indexed
 * word nearest in edit distance (Damerau–Levenshtein: 1 for words of up to 4 letters, else 2), the
 * one more documents use on a tie. Words under 3 or over 30 characters and words with digits are
 * never corrected; a word in fewer than 0.01% of the documents is never suggested.
 */
import type { Analyzer } from './analysis.js';

const MIN_WORD = 3;
const MAX_WORD = 30;
const MIN_SHARE_OF_DOCUMENTS = 0.0001;

export interface Correction {
  BeginOffset: number;
  EndOffset: number;
  Term: string;
  CorrectedTerm: string;
}

export class Vocabulary {
  /** Word → number of documents holding it. */
  private readonly words = new Map<string, number>();
  private readonly stems = new Set<string>();
  private documents = 0;

  constructor(private readonly analyzer: Analyzer) {}

  addDocument(text: string): void {
    this.documents++;
    const seen = new Set<string>();
    for (const t of this.analyzer.tokens(text)) {
      if (seen.has(t.text)) continue;
      seen.add(t.text);
      this.words.set(t.text, (this.words.get(t.text) ?? 0) + 1);
    }
  }

  /** Call once every document is added. */
  seal(): this {
    for (const w of this.words.keys()) this.stems.add(this.analyzer.term(w));
    return this;
  }

  has(word: string): boolean {
    return this.words.has(word) || this.stems.has(this.analyzer.term(word));
  }

  /** The best correction of a word the index does not hold, if one is near enough. */
  suggest(word: string): string | undefined {
    const max = word.length <= 4 ? 1 : 2;
    const minDocs = Math.max(1, Math.ceil(this.documents * MIN_SHARE_OF_DOCUMENTS));
    let best: { w: string; d: number; f: number } | undefined;
    for (const [w, f] of this.words) {
      if (f < minDocs || Math.abs(w.length - word.length) > max || w.length < MIN_WORD || /\p{N}/u.test(w)) continue;
      const d = distance(word, w, max);
      if (d > max) continue;
      if (!best || d < best.d || (d === best.d && (f > best.f || (f === best.f && w < best.w)))) best = { w, d, f };
    }
    return best?.w;
  }
}

/** The corrections of a query text's words (offsets into the text), none when every word is known. */
export function correct(text: string, vocabulary: Vocabulary, analyzer: Analyzer): Correction[] {
  const out: Correction[] = [];
  for (const t of analyzer.tokens(text)) {
    const original = text.slice(t.begin, t.end);
    if (t.text.length < MIN_WORD || t.text.length > MAX_WORD || /\p{N}/u.test(t.text)) continue;
    if (original === 'AND' || original === 'OR' || original === 'NOT') continue;
    if (vocabulary.has(t.text)) continue;
    const fix = vocabulary.suggest(t.text);
    if (fix) out.push({ BeginOffset: t.begin, EndOffset: t.end, Term: original, CorrectedTerm: fix });
  }
  return out;
}

/** The text with its corrections applied. */
export function corrected(text: string, corrections: Correction[]): string {
  let out = '';
  let at = 0;
  for (const c of corrections) {
    out += text.slice(at, c.BeginOffset) + c.CorrectedTerm;
    at = c.EndOffset;
  }
  return out + text.slice(at);
}

/** Optimal string alignment distance, stopping once every path exceeds `max`. */
function distance(a: string, b: string, max: number): number {
  const n = a.length;
  const m = b.length;
  let prev2: number[] = [];
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  for (let i = 1; i <= n; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[m]!;
}
