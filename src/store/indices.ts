import type { Insertable, Kysely, Selectable } from 'kysely';
import { indexRowWrite } from './indexRowWrites.js';
import type { Scope } from '../domain/arn.js';
import type { Database, IndicesTable } from './schema.js';

export type IndexRow = Selectable<IndicesTable>;

export class IndexStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: Insertable<IndicesTable>): Promise<void> {
    await indexRowWrite(this.db.insertInto('indices').values(row).execute());
  }

  get(scope: Scope, id: string): Promise<IndexRow | undefined> {
    return this.db
      .selectFrom('indices')
      .selectAll()
      .where('id', '=', id)
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .executeTakeFirst();
  }

  getById(id: string): Promise<IndexRow | undefined> {
    return this.db.selectFrom('indices').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Keyset page ordered by creation. `after` is the [created_at, id] of the last item seen. */
  list(scope: Scope, after: [number, string] | undefined, limit: number): Promise<IndexRow[]> {
    let q = this.db
      .selectFrom('indices')
      .selectAll()
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region);
    if (after) q = q.where((eb) => eb.or([eb('created_at', '>', after[0]), eb.and([eb('created_at', '=', after[0]), eb('id', '>', after[1])])]));
    return q.orderBy('created_at').orderBy('id').limit(limit).execute();
  }

  /**
   * Applies `patch` if the row is in one of `whereStatus`; `guard.settings`: only if its settings are
   * still these (a read-merge-write of settings loses nothing to a concurrent update);
   * `guard.dueBy`: only if its transition is due by then (an update since may have pushed it back).
   */
  async update(id: string, patch: Partial<IndexRow>, whereStatus?: string[], guard: { settings?: string; dueBy?: number } = {}): Promise<boolean> {
    let q = this.db.updateTable('indices').set(patch).where('id', '=', id);
    if (whereStatus) q = q.where('status', 'in', whereStatus);
    if (guard.settings !== undefined) q = q.where('settings', '=', guard.settings);
    if (guard.dueBy !== undefined) q = q.where('transition_at', '<=', guard.dueBy);
    const r = await indexRowWrite(q.executeTakeFirst());
    return Number(r.numUpdatedRows) > 0;
  }

  dueTransitions(now: number): Promise<Pick<IndexRow, 'id' | 'status'>[]> {
    return this.db
      .selectFrom('indices')
      .select(['id', 'status'])
      .where('transition_at', '<=', now)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await indexRowWrite(this.db.deleteFrom('indices').where('id', '=', id).execute());
  }
}
