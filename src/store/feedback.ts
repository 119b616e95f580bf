import type { Insertable, Kysely } from 'kysely';
import type { Database, QueryFeedbackTable } from './schema.js';

export type NewFeedback = Insertable<QueryFeedbackTable>;

/** SubmitFeedback as received: clicks and relevance judgements per query result. */
export class FeedbackStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(rows: NewFeedback[]): Promise<void> {
    if (rows.length) await this.db.insertInto('query_feedback').values(rows).execute();
  }

  ofQuery(indexId: string, queryId: string) {
    return this.db.selectFrom('query_feedback').selectAll().where('index_id', '=', indexId).where('query_id', '=', queryId).orderBy('seq').execute();
  }
}
