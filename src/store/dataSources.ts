import type { Kysely, Selectable } from 'kysely';
import type { Database, DataSourcesTable } from './schema.js';

export type DataSourceRow = Selectable<DataSourcesTable>;

export class DataSourceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: DataSourceRow): Promise<void> {
    await this.db.insertInto('data_sources').values(row).execute();
  }

  get(indexId: string, id: string): Promise<DataSourceRow | undefined> {
    return this.db.selectFrom('data_sources').selectAll().where('id', '=', id).where('index_id', '=', indexId).executeTakeFirst();
  }

  getById(id: string): Promise<DataSourceRow | undefined> {
    return this.db.selectFrom('data_sources').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByName(indexId: string, name: string): Promise<DataSourceRow | undefined> {
    return this.db.selectFrom('data_sources').selectAll().where('index_id', '=', indexId).where('name', '=', name).executeTakeFirst();
  }

  list(indexId: string, after: [number, string] | undefined, limit: number): Promise<DataSourceRow[]> {
    let q = this.db.selectFrom('data_sources').selectAll().where('index_id', '=', indexId);
    if (after) q = q.where((eb) => eb.or([eb('created_at', '>', after[0]), eb.and([eb('created_at', '=', after[0]), eb('id', '>', after[1])])]));
    return q.orderBy('created_at').orderBy('id').limit(limit).execute();
  }

  listOfIndex(indexId: string): Promise<Pick<DataSourceRow, 'id' | 'status'>[]> {
    return this.db.selectFrom('data_sources').select(['id', 'status']).where('index_id', '=', indexId).execute();
  }

  /** Applies `patch` if the row is in one of `whereStatus`; `dueBy`: only if its transition is due by then (an update since may have pushed it back). */
  async update(id: string, patch: Partial<DataSourceRow>, whereStatus?: string[], dueBy?: number): Promise<boolean> {
    let q = this.db.updateTable('data_sources').set(patch).where('id', '=', id);
    if (whereStatus) q = q.where('status', 'in', whereStatus);
    if (dueBy !== undefined) q = q.where('transition_at', '<=', dueBy);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  dueTransitions(now: number): Promise<Pick<DataSourceRow, 'id' | 'status' | 'index_id'>[]> {
    return this.db.selectFrom('data_sources').select(['id', 'status', 'index_id']).where('transition_at', '<=', now).execute();
  }

  dueSchedules(now: number): Promise<DataSourceRow[]> {
    return this.db.selectFrom('data_sources').selectAll().where('next_run_at', '<=', now).where('status', '=', 'ACTIVE').execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('data_sources').where('id', '=', id).execute();
    await this.db.deleteFrom('web_pages').where('data_source_id', '=', id).execute();
  }
}
