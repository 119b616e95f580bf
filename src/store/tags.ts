import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface TagPair {
  Key: string;
  Value: string;
}

export class TagStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(arn: string): Promise<TagPair[]> {
    const rows = await this.db.selectFrom('tags').select(['key', 'value']).where('resource_arn', '=', arn).orderBy('key').execute();
    return rows.map((r) => ({ Key: r.key, Value: r.value }));
  }

  async put(arn: string, tags: readonly TagPair[]): Promise<void> {
    if (!tags.length) return;
    await this.db
      .insertInto('tags')
      .values(tags.map((t) => ({ resource_arn: arn, key: t.Key, value: t.Value })))
      .onConflict((oc) => oc.columns(['resource_arn', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
      .execute();
  }

  async remove(arn: string, keys: readonly string[]): Promise<void> {
    if (keys.length) await this.db.deleteFrom('tags').where('resource_arn', '=', arn).where('key', 'in', keys).execute();
  }

  async removeAll(arnPrefix: string): Promise<void> {
    await this.db
      .deleteFrom('tags')
      .where((eb) => eb.or([eb('resource_arn', '=', arnPrefix), eb('resource_arn', 'like', `${arnPrefix}/%`)]))
      .execute();
  }
}
