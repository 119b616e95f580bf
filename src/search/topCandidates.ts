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
import { raw, sql, type Sql } from './sql.js';

/** The fewest candidates taken, and how many per row the page reaches (offset + limit). */
const MIN_CANDIDATES = 100;
const PER_PAGE_ROW = 4;
/** Pages reaching deeper than this are ranked by the full statement (the candidates would be many). */
const MAX_PAGE_END = 500;

export interface CandidateRanking {
  /** The best `k` matches by text score: rows (doc_key, score), score descending. */
  candidates: (k: number) => Sql;
  /** documents as `d`, joined to each candidate by its doc_key… */
  rows: Sql;
  /** …and what a candidate's row must meet to be visible to the search. */
  conditions: Sql;
  /** Appended to the document id in ORDER BY (Backend.collate). */
  collate: string;
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

/**
 * One statement: the first `end` visible candidates in page order (score, then document id), then a summary row:
 * how many candidates there were (in doc_key), the lowest score among them (in score) and how many are visible (in
 * document_id). Only the page's rows come back: each row returned costs more than checking one.
 */
function candidatePage(q: CandidateRanking, k: number, end: number): Sql {
  const order = raw(`score DESC, document_id${q.collate}`);
  return sql`WITH c AS MATERIALIZED (${q.candidates(k)}),
      v AS MATERIALIZED (SELECT c.doc_key, c.score, d.document_id FROM c JOIN ${q.rows} ON d.doc_key = c.doc_key WHERE ${q.conditions})
    SELECT 0 AS summary, doc_key, score, document_id FROM (SELECT * FROM v ORDER BY ${order} LIMIT ${raw(String(end))}) p
    UNION ALL SELECT 1, (SELECT count(*) FROM c), (SELECT min(c.score) FROM c), (SELECT count(*) FROM v)
    ORDER BY summary, ${order}`;
}

export async function rankCandidates(backend: Backend, q: CandidateRanking, signal?: AbortSignal): Promise<CandidatePage | undefined> {
  const end = q.offset + q.limit;
  if (end === 0 || end > MAX_PAGE_END) return undefined;
  let k = Math.max(MIN_CANDIDATES, PER_PAGE_ROW * end);
  for (let attempt = 0; attempt < 2; attempt++) {
    const rows = await backend.all<{ doc_key: number; score: number | null; document_id: unknown }>(candidatePage(q, k, end), signal);
    const summary = rows.pop()!;
    const [found, visible] = [Number(summary.doc_key), Number(summary.document_id)];
    const ranked = rows.map((r) => ({ doc_key: Number(r.doc_key), score: Number(r.score) }));
    const everyMatch = found < k;
    if (everyMatch || (ranked.length >= end && ranked[end - 1]!.score > Number(summary.score))) {
      return { rows: ranked.slice(q.offset, end), total: everyMatch ? visible : undefined, top: ranked[0]?.score ?? 0 };
    }
    // Twice the candidates would likely still leave too few visible: the full ranking at once.
    if (2 * visible < end) return undefined;
    k *= 2;
  }
  return undefined;
}
