/**
 * Which FAQ questions answer a query. A question's terms (its words as the language's analysis makes
 * them, stop words left out) are what its full-text row holds (store/faqs.ts), so SQLite and
 * PostgreSQL find the same candidates; a candidate answers when the query and the question share at
 * least half of the larger one's terms. That share is its confidence: a question asked word for word
 * is VERY_HIGH. Kendra puts FAQ answers above documents whatever their confidence.
 */
import type { Analyzer } from './analysis.js';

/** FAQ answers served per query, at most. */
export const MAX_FAQ_ANSWERS = 3;
const MIN_SHARE = 0.5;

export type FaqConfidence = 'VERY_HIGH' | 'HIGH' | 'MEDIUM' | 'LOW';

/** The distinct searchable terms of a text, in order. */
export function questionTerms(text: string, analyzer: Analyzer): string[] {
  const out = new Set<string>();
  for (const t of analyzer.tokens(text)) if (!analyzer.isStopWord(t.text)) out.add(analyzer.term(t.text));
  return [...out];
}

/** What a question's full-text row holds. */
export const questionIndexText = (question: string, analyzer: Analyzer) => questionTerms(question, analyzer).join(' ');

export interface FaqMatch<T> {
  entry: T;
  share: number;
  confidence: FaqConfidence;
}

/** The candidates that answer the query, best first (ties: the order the engine ranked them). */
export function answering<T extends { question: string }>(queryTerms: string[], candidates: T[], analyzer: Analyzer): FaqMatch<T>[] {
  if (!queryTerms.length) return [];
  const wanted = new Set(queryTerms);
  const matches = candidates.flatMap((entry) => {
    const terms = questionTerms(entry.question, analyzer);
    const common = terms.filter((t) => wanted.has(t)).length;
    const share = common / Math.max(terms.length, wanted.size);
    return common && share >= MIN_SHARE ? [{ entry, share, confidence: bucket(share) }] : [];
  });
  return matches.sort((a, b) => b.share - a.share).slice(0, MAX_FAQ_ANSWERS);
}

function bucket(share: number): FaqConfidence {
  return share >= 0.999 ? 'VERY_HIGH' : share >= 0.75 ? 'HIGH' : share >= 0.6 ? 'MEDIUM' : 'LOW';
}
