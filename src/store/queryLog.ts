import type { Insertable, Kysely } from 'kysely';
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

  /** The entries of [from, to) (ms) of an index: what analytics count. */
  entries(indexId: string, from: number, to: number) {
    return this.db.selectFrom('query_log').select(['query_id', 'query_text', 'normalized_text', 'result_count', 'results', 'at'])
      .where('index_id', '=', indexId).where('at', '>=', from).where('at', '<', to).orderBy('seq').execute();
  }

  /** The result ids clicked (SubmitFeedback) of the queries logged in [from, to). */
  clicks(indexId: string, from: number, to: number) {
    return this.db.selectFrom('query_feedback as f').innerJoin('query_log as l', (j) => j.onRef('l.query_id', '=', 'f.query_id').onRef('l.index_id', '=', 'f.index_id'))
      .select(['f.query_id', 'f.result_id']).where('f.index_id', '=', indexId).where('f.kind', '=', 'CLICK')
      .where('l.at', '>=', from).where('l.at', '<', to).execute();
  }

  /** Retention: entries older than `before` (ms) go, in batches, with their feedback. */
  async purgeBefore(before: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const n = await this.db.transaction().execute(async (trx) => {
        const old = await trx.selectFrom('query_log').select(['seq', 'index_id', 'query_id']).where('at', '<', before).orderBy('seq').limit(CHUNK).execute();
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
