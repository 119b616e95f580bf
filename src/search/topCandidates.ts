/**
 * A page of a text search ranked by the text score alone first (docs/query-at-scale.md, proposal 1): the
 * best K matches by score straight from the text index (no per-match visibility check), then the
 * visibility conditions on those K only, ordered by (score DESC, document id). The page is exact when
 * it can be decided from the candidates alone:
 *
 * - every match was a candidate (fewer than K came back); or
 * - at least offset + limit candidates are visible and the last page row's score is strictly above the
 *   K-th candidate's: every visible match scoring at least that much is then a candidate (one scoring
 *   exactly the K-th's may have been cut off by the LIMIT, hence strictly).
 *
 * Otherwise K doubles once; then the caller runs its full ranking (undefined).
 */
import type { Backend } from './engine.js';
import type { Sql } from './sql.js';

/** The fewest candidates taken, and how many per row the page reaches (offset + limit). */
const MIN_CANDIDATES = 100;
const PER_PAGE_ROW = 4;
/** Pages reaching deeper than this are ranked by the full statement (the candidates' key list would be long). */
const MAX_PAGE_END = 500;

export interface CandidateRanking {
  /** The best `k` matches by text score: rows (doc_key, score), score descending. */
  candidates: (k: number) => Sql;
  /** Of these keys, the documents visible to the search: rows (doc_key), in document id order. */
  visible: (docKeys: number[]) => Sql;
  offset: number;
  limit: number;
}

export interface CandidatePage {
  rows: { doc_key: number; score: number }[];
  /** Every visible match's count, when all matches were candidates (otherwise the caller counts). */
  total?: number;
  /** The best score of all visible matches (0: none). */
  top: number;
}

export async function rankCandidates(backend: Backend, q: CandidateRanking, signal?: AbortSignal): Promise<CandidatePage | undefined> {
  const end = q.offset + q.limit;
  if (end === 0 || end > MAX_PAGE_END) return undefined;
  let k = Math.max(MIN_CANDIDATES, PER_PAGE_ROW * end);
  for (let attempt = 0; attempt < 2; attempt++) {
    const found = await backend.all<{ doc_key: number; score: number }>(q.candidates(k), signal);
    const score = new Map(found.map((r) => [Number(r.doc_key), Number(r.score)]));
    const kept = found.length ? await backend.all<{ doc_key: number }>(q.visible([...score.keys()]), signal) : [];
    // Stable: equal scores stay in document id order, as the statement ordered them (its collation).
    const ranked = kept.map((r) => ({ doc_key: Number(r.doc_key), score: score.get(Number(r.doc_key))! })).sort((a, b) => b.score - a.score);
    const everyMatch = found.length < k;
    if (everyMatch || (ranked.length >= end && ranked[end - 1]!.score > Number(found[k - 1]!.score))) {
      return { rows: ranked.slice(q.offset, end), total: everyMatch ? ranked.length : undefined, top: ranked[0]?.score ?? 0 };
    }
    // Twice the candidates would likely still leave too few visible: the full ranking at once.
    if (2 * ranked.length < end) return undefined;
    k *= 2;
  }
  return undefined;
}
