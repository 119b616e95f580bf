import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, PrincipalMappingHistoryTable } from './schema.js';

/** One group of an index: `dataSourceId` '' for a group of every data source. */
export interface GroupKey {
  indexId: string;
  dataSourceId: string;
  groupId: string;
}

export interface Member {
  type: 'U' | 'G';
  id: string;
  /** A sub-group's data source ('' for every one); '' for users. */
  dataSourceId: string;
}

export type HistoryRow = Selectable<PrincipalMappingHistoryTable>;

/** Rows per insert: well under both backends' parameter limits. */
const CHUNK = 500;
/** Kendra reports the last ten actions of a group. */
const HISTORY = 10;

/**
 * Principal mappings: groups, their members and the history of the actions on them. An action
 * older (lower OrderingId) than the one a group last took is not applied; the check and the write
 * are one transaction, with the group's row locked on PostgreSQL.
 */
export class PrincipalMappingStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {}

  /** Replaces the group's members (`members`), or deletes the group (null). Returns false for an action older than the group's last. */
  async apply(key: GroupKey, orderingId: number, members: Member[] | null, receivedAt: number, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const where = { index_id: key.indexId, data_source_id: key.dataSourceId, group_id: key.groupId };
      await trx.insertInto('principal_groups').values({ ...where, ordering_id: -1, deleted: 1, updated_at: now }).onConflict((oc) => oc.doNothing()).execute();
      let q = trx.selectFrom('principal_groups').select('ordering_id').where('index_id', '=', key.indexId).where('data_source_id', '=', key.dataSourceId).where('group_id', '=', key.groupId);
      if (this.dialect === 'postgres') q = q.forUpdate();
      const current = Number((await q.executeTakeFirstOrThrow()).ordering_id);
      const applied = orderingId >= current;
      if (applied) {
        await trx.updateTable('principal_groups').set({ ordering_id: orderingId, deleted: members ? 0 : 1, updated_at: now })
          .where('index_id', '=', key.indexId).where('data_source_id', '=', key.dataSourceId).where('group_id', '=', key.groupId).execute();
        await trx.deleteFrom('principal_members').where('index_id', '=', key.indexId).where('data_source_id', '=', key.dataSourceId).where('group_id', '=', key.groupId).execute();
        const rows = (members ?? []).map((m) => ({ ...where, member_type: m.type, member_id: m.id, member_data_source_id: m.dataSourceId }));
        for (let i = 0; i < rows.length; i += CHUNK) await trx.insertInto('principal_members').values(rows.slice(i, i + CHUNK)).onConflict((oc) => oc.doNothing()).execute();
        // In the same transaction: a process that reads the new version finds the new members.
        await trx.insertInto('principal_mapping_versions').values({ index_id: key.indexId, version: 1 })
          .onConflict((oc) => oc.column('index_id').doUpdateSet({ version: sql<number>`principal_mapping_versions.version + 1` })).execute();
      }
      const status = !applied ? 'FAILED' : members ? 'SUCCEEDED' : 'DELETED';
      const reason = applied ? null : `OrderingId ${orderingId} is older than the group's last action (${current}); the newer one stands.`;
      await trx.insertInto('principal_mapping_history').values({ ...where, ordering_id: orderingId, status, failure_reason: reason, received_at: receivedAt, updated_at: now }).execute();
      const keep = await trx.selectFrom('principal_mapping_history').select('seq').where('index_id', '=', key.indexId).where('data_source_id', '=', key.dataSourceId).where('group_id', '=', key.groupId)
        .orderBy('seq', 'desc').offset(HISTORY).limit(1).executeTakeFirst();
      if (keep) await trx.deleteFrom('principal_mapping_history').where('index_id', '=', key.indexId).where('data_source_id', '=', key.dataSourceId).where('group_id', '=', key.groupId).where('seq', '<=', keep.seq).execute();
      return applied;
    });
  }

  /** An action that could not be carried out (its member list could not be read). */
  async failed(key: GroupKey, orderingId: number, reason: string, receivedAt: number, now: number): Promise<void> {
    await this.db.insertInto('principal_mapping_history')
      .values({ index_id: key.indexId, data_source_id: key.dataSourceId, group_id: key.groupId, ordering_id: orderingId, status: 'FAILED', failure_reason: reason, received_at: receivedAt, updated_at: now })
      .execute();
  }

  history(key: GroupKey): Promise<HistoryRow[]> {
    return this.db.selectFrom('principal_mapping_history').selectAll().where('index_id', '=', key.indexId).where('data_source_id', '=', key.dataSourceId).where('group_id', '=', key.groupId).orderBy('seq').execute();
  }

  /** Groups (not deleted) whose last action is older than `orderingId`, by group id after `after`. */
  async olderThan(indexId: string, dataSourceId: string, orderingId: number, after: string | undefined, limit: number): Promise<{ group_id: string; ordering_id: number }[]> {
    let q = this.db.selectFrom('principal_groups').select(['group_id', 'ordering_id']).where('index_id', '=', indexId).where('data_source_id', '=', dataSourceId)
      .where('deleted', '=', 0).where('ordering_id', '<', orderingId);
    if (after !== undefined) q = q.where('group_id', '>', after);
    const rows = await q.orderBy('group_id').limit(limit).execute();
    return rows.map((r) => ({ group_id: r.group_id, ordering_id: Number(r.ordering_id) }));
  }

  /** The index's mapping version: it changes whenever a group or its members do (0: never mapped). */
  async version(indexId: string): Promise<number> {
    const row = await this.db.selectFrom('principal_mapping_versions').select('version').where('index_id', '=', indexId).executeTakeFirst();
    return Number(row?.version ?? 0);
  }

  /**
   * Every group holding the user or one of the `groups`, directly or through sub-groups: one recursive
   * query (UNION ends cycles), whatever the number of groups; the seeds travel as one JSON parameter.
   */
  async groupsOf(indexId: string, userId: string | undefined, groups: { groupId: string; dataSourceId: string }[]): Promise<{ groupId: string; dataSourceId: string }[]> {
    const seeds = JSON.stringify(groups.map((g) => [g.dataSourceId, g.groupId]));
    const seedRows = this.dialect === 'postgres'
      ? sql`SELECT e->>0 AS ds, e->>1 AS id FROM jsonb_array_elements(${seeds}::jsonb) e`
      : sql`SELECT value ->> 0 AS ds, value ->> 1 AS id FROM json_each(${seeds})`;
    // SQLite is told the plan: found (or seeds) outer, one index probe per group. Left to itself it may
    // scan every member of the index for each group found, as it did in the bench (50 s at 10,000 groups).
    const members = sql.raw(this.dialect === 'sqlite' ? 'principal_members m INDEXED BY principal_members_member' : 'principal_members m');
    const rows = await sql<{ ds: string; id: string }>`
      WITH RECURSIVE seeds(ds, id) AS (${seedRows}),
      found(ds, id) AS (
        SELECT m.data_source_id, m.group_id FROM ${members}
          WHERE m.index_id = ${indexId} AND m.member_type = 'U' AND m.member_id = ${userId ?? null} AND m.member_data_source_id = ''
        UNION SELECT m.data_source_id, m.group_id FROM seeds s CROSS JOIN ${members}
          WHERE m.index_id = ${indexId} AND m.member_type = 'G' AND m.member_id = s.id AND m.member_data_source_id = s.ds
        UNION SELECT m.data_source_id, m.group_id FROM found f CROSS JOIN ${members}
          WHERE m.index_id = ${indexId} AND m.member_type = 'G' AND m.member_id = f.id AND m.member_data_source_id = f.ds
      )
      SELECT ds, id FROM found`.execute(this.db);
    return rows.rows.map((r) => ({ groupId: r.id, dataSourceId: r.ds }));
  }

  async purgeIndex(indexId: string): Promise<void> {
    for (const table of ['principal_members', 'principal_groups', 'principal_mapping_history', 'principal_mapping_versions'] as const) await this.db.deleteFrom(table).where('index_id', '=', indexId).execute();
  }
}
