/**
 * Where a query's words occur in a title or an excerpt, as Kendra's Highlights (offsets into the
 * returned text), and which part of a body makes the excerpt: the window of words holding the most
 * distinct query words. Matching follows the index of the query's language (analysis.ts): its
 * words, its terms (English: Porter stems), prefixes on the word or its term, phrases as consecutive
 * words. Computed here rather than by the engine, so that both backends highlight the same words.
 */
import type { Analyzer } from './analysis.js';
import { positiveLeaves, type QueryNode } from './queryText.js';
import type { Token } from './tokenize.js';

export interface Highlight {
  BeginOffset: number;
  EndOffset: number;
  TopAnswer: boolean;
  Type: 'STANDARD';
}

export interface TextWithHighlights {
  Text: string;
  Highlights: Highlight[];
}

/** A result's AdditionalAttributes entry (QuestionText, AnswerText). */
export interface TextAttribute {
  Key: string;
  ValueType: 'TEXT_WITH_HIGHLIGHTS_VALUE';
  Value: { TextWithHighlightsValue: TextWithHighlights };
}

export const textAttribute = (Key: string, v: TextWithHighlights): TextAttribute => ({ Key, ValueType: 'TEXT_WITH_HIGHLIGHTS_VALUE', Value: { TextWithHighlightsValue: v } });

/** The text with the answer's span highlighted as the top answer, in place of the query words' highlights inside it. */
export function withTopAnswer(t: TextWithHighlights, begin: number, end: number): TextWithHighlights {
  const kept = t.Highlights.filter((h) => h.EndOffset <= begin || h.BeginOffset >= end);
  const top: Highlight = { BeginOffset: begin, EndOffset: end, TopAnswer: true, Type: 'STANDARD' };
  return { Text: t.Text, Highlights: [...kept, top].sort((a, b) => a.BeginOffset - b.BeginOffset) };
}

/** Words in an excerpt, and at most this many characters. */
const EXCERPT_WORDS = 40;
const EXCERPT_CHARS = 400;
/** Words of context kept before the first match of the excerpt. */
const LEAD_WORDS = 6;

type Leaf = { words: string[]; prefix: boolean };
/** A match of leaf `leaf` from token `word` on: [begin, end) in the text. */
type Span = { begin: number; end: number; word: number; leaf: number };

export class Highlighter {
  private readonly leaves: Leaf[];
  /**
   * The word-and-phrase leaves by their first word, in leaf order: each token of a text is looked up
   * here (by its term and by itself) instead of every leaf testing every token.
   */
  private readonly byFirstWord = new Map<string, number[]>();
  private readonly prefixLeaves: number[] = [];
  /**
   * The first characters (UTF-16 code units) of the leaves' first words, when the analyzer keeps a
   * word's first character in its term and prefix form: a token beginning otherwise starts no match.
   * Absent: every token is looked up (other analyzers, or a leaf with an empty word).
   */
  private readonly firstCharacters?: Set<number>;

  constructor(
    query: QueryNode | undefined,
    private readonly analyzer: Analyzer,
  ) {
    const term = (w: string) => analyzer.term(w);
    this.leaves = positiveLeaves(query).map((l) =>
      l.kind === 'phrase' ? { words: l.words.map(term), prefix: false } : l.kind === 'prefix' ? { words: [analyzer.prefix(l.word)], prefix: true } : { words: [term(l.word)], prefix: false },
    );
    this.leaves.forEach((leaf, li) => {
      if (leaf.prefix) return void this.prefixLeaves.push(li);
      const list = this.byFirstWord.get(leaf.words[0]!);
      if (list) list.push(li);
      else this.byFirstWord.set(leaf.words[0]!, [li]);
    });
    if (analyzer.keepsFirstCharacter && this.leaves.every((l) => l.words[0]!.length > 0)) this.firstCharacters = new Set(this.leaves.map((l) => l.words[0]!.charCodeAt(0)));
  }

  /** The whole text with its matches highlighted (titles). */
  highlight(text: string): TextWithHighlights {
    return { Text: text, Highlights: toHighlights(this.spans(this.analyzer.tokens(text)), 0, text.length) };
  }

  /** A window of the body around its best matches, with offsets into the window's text. */
  excerpt(body: string): TextWithHighlights {
    const tokens = this.analyzer.tokens(body);
    if (!tokens.length) return { Text: body.trim().slice(0, EXCERPT_CHARS), Highlights: [] };
    const spans = this.spans(tokens);
    const first = bestWindowStart(spans);
    const last = Math.min(tokens.length, first + EXCERPT_WORDS) - 1;
    const begin = tokens[first]!.begin;
    let end = tokens[last]!.end;
    // Keep the punctuation that closes the last word ("year." rather than "year").
    while (end < body.length && /[^\s\p{L}\p{N}]/u.test(body[end]!)) end++;
    end = Math.min(end, begin + EXCERPT_CHARS);
    return { Text: body.slice(begin, end), Highlights: toHighlights(spans, begin, end) };
  }

  /**
   * Every match of every leaf, by position (longest first where two begin together, then leaf order).
   * A word (or a phrase's word) matches a token by the token's term or by the token itself; a prefix
   * by the token's prefix form or its term. One pass over the tokens; a token's term is taken once,
   * and only when it can matter: where the analyzer keeps a word's first character in its term, a
   * token beginning with no leaf's first character starts no match, and is looked at again only as
   * a phrase's next word.
   */
  private spans(tokens: Token[]): Span[] {
    if (!this.leaves.length) return [];
    const terms: (string | undefined)[] = new Array(tokens.length);
    const termOf = (i: number): string => (terms[i] ??= this.analyzer.term(tokens[i]!.text));
    const out: Span[] = [];
    const starting: number[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const text = tokens[i]!.text;
      if (this.firstCharacters && !this.firstCharacters.has(text.charCodeAt(0))) continue;
      const term = termOf(i);
      starting.length = 0;
      for (const li of this.byFirstWord.get(term) ?? []) starting.push(li);
      if (text !== term) for (const li of this.byFirstWord.get(text) ?? []) if (!starting.includes(li)) starting.push(li);
      for (const li of this.prefixLeaves) {
        const p = this.leaves[li]!.words[0]!;
        if (this.analyzer.prefix(text).startsWith(p) || term.startsWith(p)) starting.push(li);
      }
      if (starting.length > 1) starting.sort((a, b) => a - b);
      for (const li of starting) {
        const words = this.leaves[li]!.words;
        const n = words.length;
        if (i + n > tokens.length) continue;
        let k = 1;
        while (k < n && (termOf(i + k) === words[k] || tokens[i + k]!.text === words[k])) k++;
        if (k === n) out.push({ begin: tokens[i]!.begin, end: tokens[i + n - 1]!.end, word: i, leaf: li });
      }
    }
    return out.sort((a, b) => a.begin - b.begin || b.end - a.end || a.leaf - b.leaf);
  }
}

/** Index of the first word of the excerpt: before the window with the most distinct query words (earliest on ties). */
function bestWindowStart(hits: Span[]): number {
  if (!hits.length) return 0;
  let best = { distinct: 0, count: 0, word: hits[0]!.word };
  // Sliding window over the hits (sorted by position): [i, j) fit in the words after the lead.
  const perLeaf = new Map<number, number>();
  let j = 0;
  for (let i = 0; i < hits.length; i++) {
    while (j < hits.length && hits[j]!.word < hits[i]!.word + EXCERPT_WORDS - LEAD_WORDS) {
      perLeaf.set(hits[j]!.leaf, (perLeaf.get(hits[j]!.leaf) ?? 0) + 1);
      j++;
    }
    const count = j - i;
    if (perLeaf.size > best.distinct || (perLeaf.size === best.distinct && count > best.count)) best = { distinct: perLeaf.size, count, word: hits[i]!.word };
    const left = perLeaf.get(hits[i]!.leaf)! - 1;
    if (left) perLeaf.set(hits[i]!.leaf, left);
    else perLeaf.delete(hits[i]!.leaf);
  }
  return Math.max(0, best.word - LEAD_WORDS);
}

/** Spans inside [begin, end), merged where they overlap, as offsets from `begin`. */
function toHighlights(spans: Span[], begin: number, end: number): Highlight[] {
  const out: Highlight[] = [];
  for (const s of spans) {
    if (s.begin < begin || s.end > end) continue;
    const prev = out[out.length - 1];
    if (prev && s.begin - begin < prev.EndOffset) prev.EndOffset = Math.max(prev.EndOffset, s.end - begin);
    else out.push({ BeginOffset: s.begin - begin, EndOffset: s.end - begin, TopAnswer: false, Type: 'STANDARD' });
  }
  return out;
}
