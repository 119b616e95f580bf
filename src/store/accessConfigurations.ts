import type { Kysely, Selectable, Transaction } from 'kysely';
import type { AccessRow } from '../domain/access.js';
import { replaceRows } from './documentAccess.js';
import { sourceIdOf } from './idKeys.js';
import type { AccessConfigurationsTable, Database } from './schema.js';

export type AccessConfigurationRow = Selectable<AccessConfigurationsTable>;
type Db = Kysely<Database> | Transaction<Database>;

/** Documents rewritten per statement when a configuration changes. */
const CHUNK = 500;

export class AccessConfigurationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: AccessConfigurationRow): Promise<void> {
    await this.db.insertInto('access_configurations').values(row).execute();
  }

  get(indexId: string, id: string, db: Db = this.db): Promise<AccessConfigurationRow | undefined> {
    return db.selectFrom('access_configurations').selectAll().where('index_id', '=', indexId).where('id', '=', id).executeTakeFirst();
  }

  list(indexId: string, after: [number, string] | undefined, limit: number): Promise<AccessConfigurationRow[]> {
    let q = this.db.selectFrom('access_configurations').selectAll().where('index_id', '=', indexId);
    if (after) q = q.where((eb) => eb.or([eb('created_at', '>', after[0]), eb.and([eb('created_at', '=', after[0]), eb('id', '>', after[1])])]));
    return q.orderBy('created_at').orderBy('id').limit(limit).execute();
  }

  /**
   * Changes a configuration and, in the same transaction, the access rows of every document that
   * points at it (`rowsOf` per document's data source): no document is re-indexed, and no search
   * sees some documents with the old lists and some with the new.
   */
  async update(id: string, patch: Partial<AccessConfigurationRow>, rowsOf: (dataSourceId: string | null) => AccessRow[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('access_configurations').set(patch).where('id', '=', id).execute();
      if (patch.acl === undefined) return;
      for (let after = -1; ; ) {
        const docs = await trx.selectFrom('document_access_configurations as c').innerJoin('documents as d', 'd.doc_key', 'c.doc_key')
          .select(['c.doc_key', sourceIdOf('d.source_key').as('data_source_id')]).where('c.configuration_id', '=', id).where('c.doc_key', '>', after).orderBy('c.doc_key').limit(CHUNK).execute();
        if (!docs.length) break;
        await replaceRows(trx, docs.map((d) => d.doc_key), rowsOf, new Map(docs.map((d) => [d.doc_key, d.data_source_id])));
        after = docs[docs.length - 1]!.doc_key;
      }
    });
  }

  async documentsUsing(id: string): Promise<number> {
    const r = await this.db.selectFrom('document_access_configurations').select((eb) => eb.fn.countAll<number>().as('n')).where('configuration_id', '=', id).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('access_configurations').where('id', '=', id).execute();
  }

  async purgeIndex(indexId: string): Promise<void> {
    await this.db.deleteFrom('access_configurations').where('index_id', '=', indexId).execute();
  }
}
