import type { Kysely, Selectable } from 'kysely';
import { indexRowWrite } from './indexRowWrites.js';
import type { Database, FeaturedResultsSetsTable } from './schema.js';

export type FeaturedResultsSetRow = Selectable<FeaturedResultsSetsTable>;

export interface QueryTextOwner {
  query_text: string;
  set_id: string;
  name: string;
}

export class FeaturedResultsStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Writes the set and its normalized query texts together. */
  async save(row: FeaturedResultsSetRow, normalizedTexts: string[], isNew: boolean): Promise<void> {
    await indexRowWrite(this.db.transaction().execute(async (trx) => {
      if (isNew) await trx.insertInto('featured_results_sets').values(row).execute();
      else await trx.updateTable('featured_results_sets').set(row).where('id', '=', row.id).execute();
      await trx.deleteFrom('featured_query_texts').where('set_id', '=', row.id).execute();
      if (normalizedTexts.length) await trx.insertInto('featured_query_texts').values(normalizedTexts.map((query_text) => ({ index_id: row.index_id, query_text, set_id: row.id }))).execute();
    }));
  }

  get(indexId: string, id: string): Promise<FeaturedResultsSetRow | undefined> {
    return this.db.selectFrom('featured_results_sets').selectAll().where('index_id', '=', indexId).where('id', '=', id).executeTakeFirst();
  }

  byName(indexId: string, name: string): Promise<FeaturedResultsSetRow | undefined> {
    return this.db.selectFrom('featured_results_sets').selectAll().where('index_id', '=', indexId).where('name', '=', name).executeTakeFirst();
  }

  count(indexId: string): Promise<number> {
    return this.db.selectFrom('featured_results_sets').select((eb) => eb.fn.countAll<number>().as('n')).where('index_id', '=', indexId).executeTakeFirstOrThrow().then((r) => Number(r.n));
  }

  list(indexId: string, after: [number, string] | undefined, limit: number): Promise<FeaturedResultsSetRow[]> {
    let q = this.db.selectFrom('featured_results_sets').selectAll().where('index_id', '=', indexId);
    if (after) q = q.where((eb) => eb.or([eb('created_at', '>', after[0]), eb.and([eb('created_at', '=', after[0]), eb('id', '>', after[1])])]));
    return q.orderBy('created_at').orderBy('id').limit(limit).execute();
  }

  /** ACTIVE sets (other than `exceptSet`) that hold any of the normalized texts. */
  async activeOwners(indexId: string, texts: string[], exceptSet?: string): Promise<QueryTextOwner[]> {
    if (!texts.length) return [];
    let q = this.db.selectFrom('featured_query_texts as t').innerJoin('featured_results_sets as s', 's.id', 't.set_id')
      .select(['t.query_text', 't.set_id', 's.name']).where('t.index_id', '=', indexId).where('t.query_text', 'in', texts).where('s.status', '=', 'ACTIVE');
    if (exceptSet) q = q.where('t.set_id', '<>', exceptSet);
    return q.orderBy('t.query_text').orderBy('t.set_id').execute();
  }

  /** The query texts (normalized) of the index's ACTIVE sets with their sets' documents, oldest set first. */
  activeTexts(indexId: string): Promise<{ query_text: string; documents: string }[]> {
    return this.db.selectFrom('featured_query_texts as t').innerJoin('featured_results_sets as s', 's.id', 't.set_id').select(['t.query_text', 's.documents'])
      .where('t.index_id', '=', indexId).where('s.status', '=', 'ACTIVE').orderBy('s.created_at').orderBy('s.id').execute();
  }

  async delete(id: string): Promise<void> {
    await indexRowWrite(this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('featured_query_texts').where('set_id', '=', id).execute();
      await trx.deleteFrom('featured_results_sets').where('id', '=', id).execute();
    }));
  }

  async purgeIndex(indexId: string): Promise<void> {
    await indexRowWrite(this.db.deleteFrom('featured_query_texts').where('index_id', '=', indexId).execute());
    await indexRowWrite(this.db.deleteFrom('featured_results_sets').where('index_id', '=', indexId).execute());
  }
}
