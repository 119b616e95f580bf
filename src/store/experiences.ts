import type { Kysely, Selectable } from 'kysely';
import type { Database, ExperienceEntitiesTable, ExperiencesTable } from './schema.js';

export type ExperienceRow = Selectable<ExperiencesTable>;
export type ExperienceEntityRow = Selectable<ExperienceEntitiesTable>;

/** Experiences and the entities (users, groups) given access to each, with their personas. */
export class ExperienceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: ExperienceRow): Promise<void> {
    await this.db.insertInto('experiences').values(row).execute();
  }

  get(indexId: string, id: string): Promise<ExperienceRow | undefined> {
    return this.db.selectFrom('experiences').selectAll().where('index_id', '=', indexId).where('id', '=', id).executeTakeFirst();
  }

  /** By id alone: for the experience page, whose URL names no index. */
  getById(id: string): Promise<ExperienceRow | undefined> {
    return this.db.selectFrom('experiences').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(indexId: string, after: [number, string] | undefined, limit: number): Promise<ExperienceRow[]> {
    let q = this.db.selectFrom('experiences').selectAll().where('index_id', '=', indexId);
    if (after) q = q.where((eb) => eb.or([eb('created_at', '>', after[0]), eb.and([eb('created_at', '=', after[0]), eb('id', '>', after[1])])]));
    return q.orderBy('created_at').orderBy('id').limit(limit).execute();
  }

  /** Changes a row only while it is still in one of `from` (a DELETING experience is not revived). */
  async update(id: string, patch: Partial<ExperienceRow>, from: string[]): Promise<boolean> {
    const r = await this.db.updateTable('experiences').set(patch).where('id', '=', id).where('status', 'in', from).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async delete(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('experience_entities').where('experience_id', '=', id).execute();
      await trx.deleteFrom('experiences').where('id', '=', id).execute();
    });
  }

  async purgeIndex(indexId: string): Promise<void> {
    const ids = this.db.selectFrom('experiences').select('id').where('index_id', '=', indexId);
    await this.db.deleteFrom('experience_entities').where('experience_id', 'in', ids).execute();
    await this.db.deleteFrom('experiences').where('index_id', '=', indexId).execute();
  }

  entities(experienceId: string, entityIds: string[]): Promise<ExperienceEntityRow[]> {
    if (!entityIds.length) return Promise.resolve([]);
    return this.db.selectFrom('experience_entities').selectAll().where('experience_id', '=', experienceId).where('entity_id', 'in', entityIds).execute();
  }

  async addEntities(rows: ExperienceEntityRow[]): Promise<void> {
    if (!rows.length) return;
    await this.db.insertInto('experience_entities').values(rows).onConflict((oc) => oc.columns(['experience_id', 'entity_id']).doNothing()).execute();
  }

  async removeEntities(experienceId: string, entityIds: string[]): Promise<void> {
    if (!entityIds.length) return;
    await this.db.deleteFrom('experience_entities').where('experience_id', '=', experienceId).where('entity_id', 'in', entityIds).execute();
  }

  async setPersona(experienceId: string, entityId: string, persona: string | null, now: number, createdAt: number | null): Promise<void> {
    await this.db.updateTable('experience_entities')
      .set({ persona, persona_created_at: persona === null ? null : (createdAt ?? now), persona_updated_at: persona === null ? null : now })
      .where('experience_id', '=', experienceId).where('entity_id', '=', entityId).execute();
  }

  /** A page of entities by id; `withPersona` keeps only those with a persona. */
  pageEntities(experienceId: string, after: string | undefined, limit: number, withPersona: boolean): Promise<ExperienceEntityRow[]> {
    let q = this.db.selectFrom('experience_entities').selectAll().where('experience_id', '=', experienceId);
    if (withPersona) q = q.where('persona', 'is not', null);
    if (after !== undefined) q = q.where('entity_id', '>', after);
    return q.orderBy('entity_id').limit(limit).execute();
  }
}
