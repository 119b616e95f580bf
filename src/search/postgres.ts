/**
 * The PostgreSQL backend: documents.search_vector (title weight A, body B, GIN) matched with
 * to_tsquery('english') for English, to_tsquery('simple') over the terms analysis.ts made for other
 * languages (the vector is built alike, by language), ranked by ts_rank_cd with A weighing ten times B, as FTS5's BM25 weighs
 * the title. Strings are ordered by code point (COLLATE "C"), as SQLite orders them.
 */
import pg from 'pg';
import type { Analyzer } from './analysis.js';
import { SqlSearchEngine, windowRank, type Backend, type DocumentRow, type Ranking, type TextMatch } from './engine.js';
import type { TextWeights } from './relevance.js';
import { PAST_STATEMENT_TIMEOUT, SearchCancelled } from './errors.js';
import { tsquery } from './matchSyntax.js';
import type { NormalQuery } from './queryText.js';
import { numbered, raw, sql, type Sql } from './sql.js';
import { queryNamed } from '../store/statementNames.js';

/** ts_rank_cd weights {D, C, B, A}: the title (A) ten times the body (B). */
const WEIGHTS = [0.1, 0.2, 0.1, 1.0];

/**
 * The weights as an SQL array, B and A scaled by relevance tuning's factors. ts_rank_cd refuses a
 * weight above 1, so all four are divided by the largest when one passes it (a constant factor on
 * every score: the order and the confidence buckets, which are ratios, are the same).
 */
function rankWeights(base: number[], w: TextWeights | undefined): string {
  const scaled = [base[0]!, base[1]!, base[2]! * (w?.body ?? 1), base[3]! * (w?.title ?? 1)];
  const top = Math.max(1, ...scaled);
  return `'{${scaled.map((n) => (n / top).toFixed(6)).join(', ')}}'`;
}
/** Rank divided by 1 + log(document length): long bodies do not win by length alone, as with BM25. */
const NORMALIZATION = 1;

/** PostgreSQL's code for a statement cancelled (by statement_timeout or pg_cancel_backend). */
export const QUERY_CANCELED = '57014';
/** Why a search was cancelled when its client went away. */
const GONE = 'the client went away';

/** `pool` is the engine's own (store/database.ts openSearchPool): its statements have a time-out. */
export function postgresEngine(pool: pg.Pool): SqlSearchEngine {
  return new SqlSearchEngine(new PostgresBackend(pool));
}

/** The text search configuration of an analysis, as the search_vector columns use it (migrations/postgres.ts). */
const config = (a: Analyzer) => (a.english ? `'english'` : `'simple'`);

class PostgresBackend implements Backend {
  readonly collate = ' COLLATE "C"';

  constructor(private readonly pool: pg.Pool) {}

  documentMatch(q: NormalQuery | undefined, analyzer: Analyzer, weights?: TextWeights): TextMatch {
    if (!q) return { from: raw('documents d'), where: raw('TRUE'), score: raw('0') };
    const from = sql`documents d CROSS JOIN to_tsquery(${raw(config(analyzer))}, ${tsquery(q.expr, analyzer)}) AS q`;
    if (q.negated) return { from, where: raw('NOT (d.search_vector @@ q)'), score: raw('0') };
    return { from, where: raw('d.search_vector @@ q'), score: raw(`ts_rank_cd(${rankWeights(WEIGHTS, weights)}, d.search_vector, q, ${NORMALIZATION})`) };
  }

  prefix(column: string, n: number): Sql {
    return sql`left(${raw(column)}, ${n})`;
  }

  text(column: string): Sql {
    return raw(column);
  }

  /**
   * A hashed subplan over one text[] parameter: PostgreSQL builds the hash once per statement and
   * probes it per row. The array reaches the subplan through a scalar subquery, so the planner never
   * sees its elements: with the array as a plan constant, a user of 10,000 groups cost 10,000
   * selectivity estimates at every planning (a quarter of a second) and a per-row cost so high that
   * the planner gave up the text index for a parallel scan of every document. `IS TRUE` keeps the IN
   * from being pulled up into a join, which would rescan the keys for every document.
   */
  memberOf(column: string, keys: string[]): Sql {
    return sql`(${raw(column)} IN (SELECT unnest((SELECT ${keys}::text[])))) IS TRUE`;
  }

  rowTest(column: string): Sql {
    return raw(column);
  }

  /**
   * Ranked by score first (no sort keys before it): the first offset + limit rows by a bounded sort with
   * count(*) OVER () for the total, then the page of them, the best score the first row's (max() over at
   * most offset + limit rows). windowRank's max() OVER () over every match made PostgreSQL score each
   * match twice (ts_rank_cd for max()'s argument and again for the sort). With sort keys first the best
   * score is no row's in particular: windowRank.
   */
  rank<T>(q: Ranking, signal?: AbortSignal): Promise<{ rows: T[]; total?: number; top?: number }> {
    return q.byScore ? this.ranked<T>(q, undefined, signal) : windowRank<T>(this, q, signal);
  }

  /** rank() with the page rows' documents joined: one round trip, one snapshot. */
  rankPage<T>(q: Ranking, columns: Sql, signal?: AbortSignal): Promise<{ rows: (T & DocumentRow)[]; total?: number; top?: number }> {
    return this.ranked<T & DocumentRow>(q, columns, signal);
  }

  private async ranked<T>(q: Ranking, documentColumns: Sql | undefined, signal?: AbortSignal): Promise<{ rows: T[]; total?: number; top?: number }> {
    const rows = await this.run<T & { total: string; top: number }>(sql`
      SELECT ${raw(q.columns)}, m.total, max(m.score) OVER () AS top${documentColumns ? sql`, ${documentColumns}` : raw('')}
      FROM (SELECT m.*, count(*) OVER () AS total FROM (${q.inner(q.score)}) m ORDER BY ${raw(q.order)} LIMIT ${q.offset + q.limit}) m
      ${raw(documentColumns ? 'JOIN documents d ON d.doc_key = m.doc_key' : '')}
      ORDER BY ${raw(q.order)} LIMIT ${q.limit} OFFSET ${q.offset}`, signal, true);
    // Past the last match no row is left to report the total on (the engine counts); nothing matching is 0.
    if (!rows.length) return q.offset ? { rows: [] } : { rows: [], total: 0 };
    return { rows, total: Number(rows[0]!.total), top: Number(rows[0]!.top) };
  }

  all<T>(q: Sql, signal?: AbortSignal): Promise<T[]> {
    return this.run<T>(q, signal, false);
  }

  /**
   * Runs a statement; `named`: prepared on the connection (store/statementNames.ts), for Query's rank
   * statement, whose generic plan keeps the GIN bitmap scan (the text query is a function of a parameter
   * either way, so custom plans estimate its matches no better). Other statements are planned at each run.
   */
  private async run<T>(q: Sql, signal: AbortSignal | undefined, named: boolean): Promise<T[]> {
    // A search whose client is gone is cancelled (as the read threads cancel it on SQLite), whether it
    // went before the statement started or during it; signal.throwIfAborted() threw an AbortError, a 500.
    if (signal?.aborted) throw new SearchCancelled(GONE);
    const client = await this.pool.connect();
    if (signal?.aborted) {
      client.release();
      throw new SearchCancelled(GONE);
    }
    // The client went away: stop the statement in the server, not only the wait for its answer.
    // processID: the backend's pid, which node-postgres keeps from the connection start-up (not in its types).
    let cancelSent = false;
    const cancel = () => {
      cancelSent = true;
      void this.cancel((client as unknown as { processID: number }).processID);
    };
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      const text = numbered(q.text);
      return (named ? await queryNamed(client, text, q.params) : await client.query(text, q.params)).rows as T[];
    } catch (e) {
      if ((e as { code?: string }).code !== QUERY_CANCELED) throw e;
      throw new SearchCancelled(signal?.aborted ? GONE : PAST_STATEMENT_TIMEOUT);
    } finally {
      signal?.removeEventListener('abort', cancel);
      // A cancel is sent from a connection of its own and may arrive after this statement has ended:
      // back in the pool, this connection would then run another search, and that one would be cancelled.
      // It is closed instead (its backend gone, the late cancel finds nothing to stop).
      client.release(cancelSent);
    }
  }

  /** On a connection of its own: the pool may be busy with the very statements to cancel. */
  private async cancel(pid: number): Promise<void> {
    const c = new pg.Client({ ...this.pool.options, application_name: `${this.pool.options.application_name}-cancel` });
    try {
      await c.connect();
      await c.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch {
      // Nothing more to do: the statement time-out ends it anyway.
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
