import { sql, type Insertable, type Kysely } from 'kysely';
import type { Database, QueryLogTable } from './schema.js';

const CHUNK = 500;

export type NewLoggedQuery = Insertable<QueryLogTable>;

/** One distinct (normalized) query text of the log, with what suggestions judge it by. */
export interface QueryTextStats {
  text: string;
  /** Times searched, by anyone. */
  count: number;
  /** Times searched by a known user. */
  userCount: number;
  /** Distinct known users who searched it. */
  users: number;
  /** The most results any of its searches found. */
  bestResultCount: number;
}

export interface QueryRates {
  /** The normalized text, or the UTC day (days since the epoch). */
  key: string | number;
  searches: number;
  zeroResults: number;
  /** Searches with at least one click. */
  clicked: number;
  /** Searches answered by an ANSWER or QUESTION_ANSWER result. */
  answered: number;
}

/** The query log: every Query as served, written in batches (domain/queryLog.ts). */
export class QueryLogStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(rows: NewLoggedQuery[]): Promise<void> {
    if (!rows.length) return;
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += CHUNK) await trx.insertInto('query_log').values(rows.slice(i, i + CHUNK)).execute();
    });
  }

  /** The log of an index since `since` (ms), one row per distinct normalized text. */
  async textStats(indexId: string, since: number): Promise<QueryTextStats[]> {
    const rows = await this.db.selectFrom('query_log')
      .select((eb) => [
        'normalized_text as text',
        eb.fn.countAll<number>().as('count'),
        eb.fn.count<number>('user_id').as('userCount'),
        eb.fn.count<number>('user_id').distinct().as('users'),
        eb.fn.max<number>('result_count').as('bestResultCount'),
      ])
      .where('index_id', '=', indexId).where('at', '>=', since)
      .groupBy('normalized_text').execute();
    return rows.map((r) => ({ text: r.text, count: Number(r.count), userCount: Number(r.userCount), users: Number(r.users), bestResultCount: Number(r.bestResultCount) }));
  }

  /** The newest entry's sequence number in an index (0: none): whether the log changed since a build. */
  async lastSeq(indexId: string): Promise<number> {
    const r = await this.db.selectFrom('query_log').select((eb) => eb.fn.max<number>('seq').as('seq')).where('index_id', '=', indexId).executeTakeFirst();
    return Number(r?.seq ?? 0);
  }

  /**
   * Analytics over the entries of [from, to) (ms) of an index, grouped by `by` (the normalized text,
   * or the UTC day): searches, those that found nothing, those with at least one click (SubmitFeedback).
   */
  async rates(indexId: string, from: number, to: number, by: 'text' | 'day'): Promise<QueryRates[]> {
    const key = by === 'text' ? sql`l.normalized_text` : sql`(l.at / 86400000)`;
    const rows = await sql<{ k: string | number; n: number; z: number; c: number }>`
      SELECT ${key} AS k, count(*) AS n, sum(CASE WHEN l.result_count = 0 THEN 1 ELSE 0 END) AS z,
        sum(CASE WHEN EXISTS (SELECT 1 FROM query_feedback f WHERE f.index_id = l.index_id AND f.query_id = l.query_id AND f.kind = 'CLICK') THEN 1 ELSE 0 END) AS c
      FROM query_log l WHERE l.index_id = ${indexId} AND l.at >= ${from} AND l.at < ${to} GROUP BY ${key}`.execute(this.db);
    const answered = await this.answered(indexId, from, to, key);
    return rows.rows.map((r) => {
      const k = by === 'text' ? String(r.k) : Number(r.k);
      return { key: k, searches: Number(r.n), zeroResults: Number(r.z), clicked: Number(r.c), answered: answered.get(String(r.k)) ?? 0 };
    });
  }

  /**
   * Searches answered by an ANSWER or QUESTION_ANSWER result, per key: only those results carry a
   * third element, their type (domain/queryLog.ts loggedResults). LIKE only narrows the rows read;
   * each is then parsed, since a document id may hold the same characters.
   */
  private async answered(indexId: string, from: number, to: number, key: ReturnType<typeof sql>): Promise<Map<string, number>> {
    const rows = await sql<{ k: string | number; results: string }>`
      SELECT ${key} AS k, l.results FROM query_log l
      WHERE l.index_id = ${indexId} AND l.at >= ${from} AND l.at < ${to} AND l.results LIKE ${'%ANSWER"]%'}`.execute(this.db);
    const out = new Map<string, number>();
    for (const r of rows.rows) {
      const results = JSON.parse(r.results) as string[][];
      if (results.some((e) => e.length === 3)) out.set(String(r.k), (out.get(String(r.k)) ?? 0) + 1);
    }
    return out;
  }

  /** Each click (SubmitFeedback) on a result of a query logged in [from, to), with that query's [ResultId, DocumentId] pairs. */
  async clicks(indexId: string, from: number, to: number): Promise<{ resultId: string; results: string }[]> {
    const rows = await this.db.selectFrom('query_feedback as f').innerJoin('query_log as l', (j) => j.onRef('l.query_id', '=', 'f.query_id').onRef('l.index_id', '=', 'f.index_id'))
      .select(['f.result_id', 'l.results']).where('f.index_id', '=', indexId).where('f.kind', '=', 'CLICK')
      .where('l.at', '>=', from).where('l.at', '<', to).execute();
    return rows.map((r) => ({ resultId: r.result_id, results: r.results }));
  }

  /** Retention: entries older than `before` (ms) go, in batches, with their feedback. */
  async purgeBefore(before: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const n = await this.db.transaction().execute(async (trx) => {
        // Oldest first by the age index: ordered by seq alone, SQLite walked every entry to find none
        // old enough (300 ms at a million entries, the server stalled once a minute).
        const old = await trx.selectFrom('query_log').select(['seq', 'index_id', 'query_id']).where('at', '<', before).orderBy('at').orderBy('seq').limit(CHUNK).execute();
        if (!old.length) return 0;
        await trx.deleteFrom('query_feedback').where((eb) => eb.or(old.map((o) => eb.and([eb('index_id', '=', o.index_id), eb('query_id', '=', o.query_id)])))).execute();
        await trx.deleteFrom('query_log').where('seq', 'in', old.map((o) => o.seq)).execute();
        return old.length;
      });
      removed += n;
      if (n < CHUNK) return removed;
    }
  }

  async purgeIndex(indexId: string): Promise<void> {
    await this.db.deleteFrom('query_log').where('index_id', '=', indexId).execute();
    await this.db.deleteFrom('query_feedback').where('index_id', '=', indexId).execute();
  }
}
