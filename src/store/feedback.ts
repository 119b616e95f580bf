import type { Insertable, Kysely } from 'kysely';
import type { Database, QueryFeedbackTable } from './schema.js';

const CHUNK = 500;

export type NewFeedback = Insertable<QueryFeedbackTable>;

/** SubmitFeedback as received: clicks and relevance judgements per query result. */
export class FeedbackStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** In statements of CHUNK rows (one statement's bound parameters are limited: 32,766 on SQLite), all in one transaction. */
  async insert(rows: NewFeedback[]): Promise<void> {
    if (!rows.length) return;
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += CHUNK) await trx.insertInto('query_feedback').values(rows.slice(i, i + CHUNK)).execute();
    });
  }

  ofQuery(indexId: string, queryId: string) {
    return this.db.selectFrom('query_feedback').selectAll().where('index_id', '=', indexId).where('query_id', '=', queryId).orderBy('seq').execute();
  }
}
