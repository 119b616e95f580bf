/**
 * Retrieve's passages, cut from the text of the documents a search ranked best (chunkPassages) and
 * matched and scored here, the same on both backends: the full-text index holds documents only, so
 * that text is indexed once. A passage carries its document's title, as a row of two columns: it
 * matches the query as an FTS5 row of (title, passage) would — a word or a prefix in either column,
 * a phrase's words consecutive within one — and is scored by FTS5's BM25 over such rows, its
 * statistics (passages, passages holding each word, mean length) taken over the passages of the
 * documents given. Matching follows the index of the query's language (analysis.ts), as highlight.ts does;
 * every language's analysis cuts words as tokenize.ts does.
 */
import type { Analyzer } from './analysis.js';
import type { TextWeights } from './relevance.js';
import { chunkPassages } from './passages.js';
import type { MatchExpr, NormalQuery } from './queryText.js';
import { tokenWords } from './tokenize.js';

/** A document whose passages are wanted, with the factor relevance tuning gives its scores (1 without). */
export interface PassageDocument {
  docKey: number;
  documentId: string;
  title: string;
  body: string;
  factor: number;
}

export interface ScoredPassage {
  docKey: number;
  documentId: string;
  ordinal: number;
  content: string;
  score: number;
}

/** Within one passage the title counts twice the passage text: enough to find a document by its title, not so much that its every passage outranks real matches. */
const TITLE_WEIGHT = 2;
/** FTS5's BM25 constants. */
const K1 = 1.2;
const B = 0.75;

/** A column's words and the terms they are indexed under. */
interface Column {
  words: string[];
  terms: string[];
}

type Leaf = Extract<MatchExpr, { kind: 'term' | 'prefix' | 'phrase' }>;

/**
 * Every passage of the documents that matches the query (negated: that does not match its
 * expression; those score 0), best first, then by document id and place in the document.
 */
export function scorePassages(docs: PassageDocument[], q: NormalQuery, analyzer: Analyzer, weights?: TextWeights): ScoredPassage[] {
  const stems = new Map<string, string>();
  const term = (w: string) => {
    let t = stems.get(w);
    if (t === undefined) stems.set(w, (t = analyzer.term(w)));
    return t;
  };
  const column = (text: string): Column => {
    const words = tokenWords(text);
    return { words, terms: words.map(term) };
  };
  const { leaves, leafOf } = leavesOf(q.expr);
  const wanted = leaves.map((l): string[] => (l.kind === 'phrase' ? l.words.map(term) : l.kind === 'term' ? [term(l.word)] : [analyzer.prefix(l.word)]));
  const hits = (li: number, c: Column): number => {
    const leaf = leaves[li]!;
    const w = wanted[li]!;
    let n = 0;
    for (let i = 0; i + w.length <= c.terms.length; i++) {
      if (leaf.kind === 'prefix' ? c.terms[i]!.startsWith(w[0]!) || analyzer.prefix(c.words[i]!).startsWith(w[0]!) : w.every((x, k) => c.terms[i + k] === x)) n++;
    }
    return n;
  };
  // Every passage's hits per leaf in the title and in the text, and its length: BM25's statistics are over all of them.
  const rows = docs.flatMap((d) => {
    const title = column(d.title);
    const titleHits = leaves.map((_, li) => hits(li, title));
    return chunkPassages(d.body).map((content, ordinal) => {
      const text = column(content);
      return { doc: d, ordinal, content, length: title.words.length + text.words.length, titleHits, textHits: leaves.map((_, li) => hits(li, text)) };
    });
  });
  const found = (r: (typeof rows)[number]) => (li: number) => r.titleHits[li]! + r.textHits[li]! > 0;
  const matching = rows.filter((r) => matches(q.expr, leafOf, found(r)) !== q.negated);
  const idf = leaves.map((_, li) => {
    const n = rows.filter((r) => found(r)(li)).length;
    const v = Math.log(0.5 + (rows.length - n + 0.5) / (n + 0.5));
    return v > 0 ? v : 1e-6;
  });
  const meanLength = rows.reduce((s, r) => s + r.length, 0) / Math.max(1, rows.length);
  const titleWeight = TITLE_WEIGHT * (weights?.title ?? 1);
  const textWeight = weights?.body ?? 1;
  return matching
    .map((r) => {
      let score = 0;
      if (!q.negated) {
        for (let li = 0; li < leaves.length; li++) {
          const f = titleWeight * r.titleHits[li]! + textWeight * r.textHits[li]!;
          score += (idf[li]! * (f * (K1 + 1))) / (f + K1 * (1 - B + (B * r.length) / (meanLength || 1)));
        }
      }
      return { docKey: r.doc.docKey, documentId: r.doc.documentId, ordinal: r.ordinal, content: r.content, score: score * r.doc.factor };
    })
    .sort((a, b) => b.score - a.score || (a.documentId < b.documentId ? -1 : a.documentId > b.documentId ? 1 : a.ordinal - b.ordinal));
}

/**
 * The words and phrases of the expression, each once, in order, and the place in that list of each of
 * the expression's own leaf nodes (a word twice in the query is two nodes, one leaf).
 */
function leavesOf(e: MatchExpr): { leaves: Leaf[]; leafOf: Map<MatchExpr, number> } {
  const leaves: Leaf[] = [];
  const leafOf = new Map<MatchExpr, number>();
  const byText = new Map<string, number>();
  const walk = (x: MatchExpr) => {
    if (x.kind === 'and') [...x.children, ...x.without].forEach(walk);
    else if (x.kind === 'or') x.children.forEach(walk);
    else {
      const text = JSON.stringify(x);
      let li = byText.get(text);
      if (li === undefined) byText.set(text, (li = leaves.push(x) - 1));
      leafOf.set(x, li);
    }
  };
  walk(e);
  return { leaves, leafOf };
}

function matches(e: MatchExpr, leafOf: Map<MatchExpr, number>, found: (li: number) => boolean): boolean {
  switch (e.kind) {
    case 'and':
      return e.children.every((c) => matches(c, leafOf, found)) && !e.without.some((w) => matches(w, leafOf, found));
    case 'or':
      return e.children.some((c) => matches(c, leafOf, found));
    default:
      return found(leafOf.get(e)!);
  }
}
