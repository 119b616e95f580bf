import type { Kysely, Selectable } from 'kysely';
import { indexRowWrite } from './indexRowWrites.js';
import type { Database, ThesauriTable } from './schema.js';

export type ThesaurusRow = Selectable<ThesauriTable>;

export class ThesaurusStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: ThesaurusRow): Promise<void> {
    await indexRowWrite(this.db.insertInto('thesauri').values(row).execute());
  }

  get(indexId: string, id: string): Promise<ThesaurusRow | undefined> {
    return this.db.selectFrom('thesauri').selectAll().where('index_id', '=', indexId).where('id', '=', id).executeTakeFirst();
  }

  count(indexId: string): Promise<number> {
    return this.db.selectFrom('thesauri').select((eb) => eb.fn.countAll<number>().as('n')).where('index_id', '=', indexId).executeTakeFirstOrThrow().then((r) => Number(r.n));
  }

  list(indexId: string, after: [number, string] | undefined, limit: number): Promise<ThesaurusRow[]> {
    let q = this.db.selectFrom('thesauri').selectAll().where('index_id', '=', indexId);
    if (after) q = q.where((eb) => eb.or([eb('created_at', '>', after[0]), eb.and([eb('created_at', '=', after[0]), eb('id', '>', after[1])])]));
    return q.orderBy('created_at').orderBy('id').limit(limit).execute();
  }

  /** Changes a thesaurus only while it is in `from` (a delete meanwhile wins). */
  async update(id: string, patch: Partial<ThesaurusRow>, from?: string[]): Promise<void> {
    let q = this.db.updateTable('thesauri').set(patch).where('id', '=', id);
    if (from) q = q.where('status', 'in', from);
    await indexRowWrite(q.execute());
  }

  /** The thesaurus the index's queries use: its id and version, read on every query (cheap), the rules only when they changed. */
  inUse(indexId: string): Promise<{ id: string; updated_at: number } | undefined> {
    return this.db.selectFrom('thesauri').select(['id', 'updated_at']).where('index_id', '=', indexId).where('status', 'in', ['ACTIVE', 'UPDATING', 'ACTIVE_BUT_UPDATE_FAILED']).executeTakeFirst();
  }

  rules(id: string): Promise<string | undefined> {
    return this.db.selectFrom('thesauri').select('rules').where('id', '=', id).executeTakeFirst().then((r) => r?.rules);
  }

  async delete(id: string): Promise<void> {
    await indexRowWrite(this.db.deleteFrom('thesauri').where('id', '=', id).execute());
  }

  async purgeIndex(indexId: string): Promise<void> {
    await indexRowWrite(this.db.deleteFrom('thesauri').where('index_id', '=', indexId).execute());
  }
}
