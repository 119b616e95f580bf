/**
 * Experiences (Kendra's Experience Builder): a search application over one index, served by
 * kendrite's console at /console/experiences/<id>. An experience is CREATING, then ACTIVE after the
 * configured transition delay; DeleteExperience makes it DELETING, then gone. The status settles
 * when the experience is next read, so no worker is involved.
 *
 * Entities (IAM Identity Center users and groups, by id) are given access with
 * AssociateEntitiesToExperience and a persona (OWNER or VIEWER) with AssociatePersonasToEntities;
 * an entity that cannot be changed is reported in FailedEntityList, the others are changed.
 */
import type { ContentSources } from '../search/engine.js';
import type { ExperienceEntityRow, ExperienceRow } from '../store/experiences.js';
import type { Store } from '../store/store.js';
import type { Scope } from './arn.js';
import type { Clock } from './clock.js';
import { conflict, notFound } from './errors.js';
import { idempotent } from './idempotency.js';
import type { Indices } from './indices.js';
import type { Lifecycle } from './lifecycle.js';
import type { PageTokens } from './pageToken.js';

export interface ExperienceConfiguration {
  ContentSourceConfiguration?: { DataSourceIds?: string[]; FaqIds?: string[]; DirectPutContent?: boolean };
  UserIdentityConfiguration?: { IdentityAttributeName?: string };
}

export interface ExperienceInput {
  IndexId: string;
  Name: string;
  RoleArn?: string;
  Description?: string;
  Configuration?: ExperienceConfiguration;
  ClientToken?: string;
}

export interface Entity {
  EntityId: string;
  EntityType: 'USER' | 'GROUP';
}

export interface FailedEntity {
  EntityId: string;
  ErrorMessage: string;
}

/** Entities and personas listed per page (ListExperienceEntities has no MaxResults). */
const ENTITY_PAGE = 100;

export class Experiences {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly indices: Indices,
    private readonly lifecycle: Lifecycle,
    private readonly tokens: PageTokens,
    /** The experience page's URL (the server's address is known once it listens). */
    readonly endpoint: (id: string) => string,
  ) {}

  async create(scope: Scope, input: ExperienceInput): Promise<string> {
    await this.indices.getActive(scope, input.IndexId);
    await this.checkContent(input.IndexId, input.Configuration);
    const now = this.clock();
    const { id } = await idempotent(this.store.clientTokens, scope, 'CreateExperience', input, now, (id) =>
      this.store.experiences.insert({
        id, index_id: input.IndexId, name: input.Name, description: input.Description ?? null, role_arn: input.RoleArn ?? null,
        configuration: input.Configuration ? JSON.stringify(input.Configuration) : null,
        status: 'CREATING', transition_at: now + this.lifecycle.delayMs, created_at: now, updated_at: now,
      }),
    );
    return id;
  }

  /** The experience, its status settled; ResourceNotFoundException when it (or its index) does not exist. */
  async get(scope: Scope, indexId: string, id: string): Promise<ExperienceRow> {
    await this.indices.get(scope, indexId);
    const row = await this.settle(await this.store.experiences.get(indexId, id));
    if (!row) throw notFound(`Experience ${id} does not exist in index ${indexId}.`);
    return row;
  }

  async update(scope: Scope, input: Partial<ExperienceInput> & { IndexId: string; Id: string }): Promise<void> {
    const row = await this.changeable(scope, input.IndexId, input.Id);
    if (input.Configuration) await this.checkContent(input.IndexId, input.Configuration);
    const patch: Partial<ExperienceRow> = { updated_at: this.clock() };
    if (input.Name !== undefined) patch.name = input.Name;
    if (input.Description !== undefined) patch.description = input.Description;
    if (input.RoleArn !== undefined) patch.role_arn = input.RoleArn;
    if (input.Configuration !== undefined) {
      // Each part given replaces that part; a part not given is kept.
      const old = row.configuration ? (JSON.parse(row.configuration) as ExperienceConfiguration) : {};
      patch.configuration = JSON.stringify({ ...old, ...input.Configuration });
    }
    if (!(await this.store.experiences.update(row.id, patch, ['ACTIVE']))) throw conflict(`Experience ${input.Id} changed status meanwhile; try again.`);
  }

  async delete(scope: Scope, indexId: string, id: string): Promise<void> {
    const row = await this.get(scope, indexId, id);
    if (row.status === 'DELETING') throw conflict(`Experience ${id} is already being deleted.`);
    const now = this.clock();
    await this.store.experiences.update(row.id, { status: 'DELETING', transition_at: now + this.lifecycle.delayMs, updated_at: now }, [row.status]);
  }

  async list(scope: Scope, indexId: string, maxResults: number, nextToken?: string): Promise<{ items: ExperienceRow[]; nextToken?: string }> {
    await this.indices.get(scope, indexId);
    const binding = `ListExperiences\n${indexId}`;
    const after = nextToken ? (this.tokens.read(binding, nextToken) as [number, string]) : undefined;
    const rows = await this.store.experiences.list(indexId, after, maxResults + 1);
    const page = rows.slice(0, maxResults);
    const last = page[page.length - 1];
    const items: ExperienceRow[] = [];
    for (const r of page) {
      const settled = await this.settle(r);
      if (settled) items.push(settled);
    }
    return { items, nextToken: rows.length > maxResults && last ? this.tokens.issue(binding, [last.created_at, last.id]) : undefined };
  }

  async associateEntities(scope: Scope, indexId: string, id: string, entities: Entity[]): Promise<FailedEntity[]> {
    const row = await this.changeable(scope, indexId, id);
    const known = new Set((await this.store.experiences.entities(row.id, entities.map((e) => e.EntityId))).map((e) => e.entity_id));
    const failed: FailedEntity[] = [];
    const rows: ExperienceEntityRow[] = [];
    const now = this.clock();
    for (const e of entities) {
      if (known.has(e.EntityId)) {
        failed.push({ EntityId: e.EntityId, ErrorMessage: `Entity ${e.EntityId} is already associated with experience ${id}.` });
        continue;
      }
      known.add(e.EntityId);
      rows.push({ experience_id: row.id, entity_id: e.EntityId, entity_type: e.EntityType, persona: null, persona_created_at: null, persona_updated_at: null, created_at: now });
    }
    await this.store.experiences.addEntities(rows);
    return failed;
  }

  async disassociateEntities(scope: Scope, indexId: string, id: string, entities: Entity[]): Promise<FailedEntity[]> {
    const row = await this.changeable(scope, indexId, id);
    const known = new Map((await this.store.experiences.entities(row.id, entities.map((e) => e.EntityId))).map((e) => [e.entity_id, e]));
    const failed: FailedEntity[] = [];
    const remove: string[] = [];
    for (const e of entities) {
      const found = known.get(e.EntityId);
      if (!found || found.entity_type !== e.EntityType) failed.push({ EntityId: e.EntityId, ErrorMessage: `${e.EntityType} ${e.EntityId} is not associated with experience ${id}.` });
      else {
        remove.push(e.EntityId);
        known.delete(e.EntityId);
      }
    }
    await this.store.experiences.removeEntities(row.id, remove);
    return failed;
  }

  async associatePersonas(scope: Scope, indexId: string, id: string, personas: { EntityId: string; Persona: 'OWNER' | 'VIEWER' }[]): Promise<FailedEntity[]> {
    const row = await this.changeable(scope, indexId, id);
    const known = new Map((await this.store.experiences.entities(row.id, personas.map((p) => p.EntityId))).map((e) => [e.entity_id, e]));
    const failed: FailedEntity[] = [];
    const now = this.clock();
    for (const p of personas) {
      const found = known.get(p.EntityId);
      if (!found) failed.push({ EntityId: p.EntityId, ErrorMessage: `Entity ${p.EntityId} is not associated with experience ${id}; associate it first.` });
      else await this.store.experiences.setPersona(row.id, p.EntityId, p.Persona, now, found.persona_created_at);
    }
    return failed;
  }

  async disassociatePersonas(scope: Scope, indexId: string, id: string, entityIds: string[]): Promise<FailedEntity[]> {
    const row = await this.changeable(scope, indexId, id);
    const known = new Map((await this.store.experiences.entities(row.id, entityIds)).map((e) => [e.entity_id, e]));
    const failed: FailedEntity[] = [];
    const now = this.clock();
    for (const entityId of entityIds) {
      if (known.get(entityId)?.persona == null) failed.push({ EntityId: entityId, ErrorMessage: `Entity ${entityId} has no persona in experience ${id}.` });
      else await this.store.experiences.setPersona(row.id, entityId, null, now, null);
    }
    return failed;
  }

  async listEntities(scope: Scope, indexId: string, id: string, nextToken?: string) {
    return this.pageEntities(scope, indexId, id, ENTITY_PAGE, nextToken, false, 'ListExperienceEntities');
  }

  async listPersonas(scope: Scope, indexId: string, id: string, maxResults: number, nextToken?: string) {
    return this.pageEntities(scope, indexId, id, maxResults, nextToken, true, 'ListEntityPersonas');
  }

  /**
   * What the experience's page searches: its data sources, and the documents put directly
   * (BatchPutDocument, no data source) when DirectPutContent is set. No ContentSourceConfiguration:
   * the whole index (undefined).
   */
  contentSources(row: ExperienceRow): ContentSources | undefined {
    const content = row.configuration ? (JSON.parse(row.configuration) as ExperienceConfiguration).ContentSourceConfiguration : undefined;
    return content ? { dataSourceIds: content.DataSourceIds ?? [], direct: content.DirectPutContent === true } : undefined;
  }

  /** For the experience page: the experience by id, settled, or undefined. */
  async byId(id: string): Promise<ExperienceRow | undefined> {
    return this.settle(await this.store.experiences.getById(id));
  }

  private async pageEntities(scope: Scope, indexId: string, id: string, limit: number, nextToken: string | undefined, withPersona: boolean, operation: string) {
    const row = await this.get(scope, indexId, id);
    const binding = `${operation}\n${indexId}\n${id}`;
    const after = nextToken ? String(this.tokens.read(binding, nextToken)[0]) : undefined;
    const rows = await this.store.experiences.pageEntities(row.id, after, limit + 1, withPersona);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextToken: rows.length > limit && last ? this.tokens.issue(binding, [last.entity_id]) : undefined };
  }

  /** An experience that may be changed: ACTIVE (one still CREATING or DELETING is a ConflictException). */
  private async changeable(scope: Scope, indexId: string, id: string): Promise<ExperienceRow> {
    const row = await this.get(scope, indexId, id);
    if (row.status !== 'ACTIVE') throw conflict(`Experience ${id} is ${row.status}; it must be ACTIVE.`);
    return row;
  }

  /** Completes a due transition: CREATING becomes ACTIVE, DELETING removes the experience (undefined). */
  private async settle(row: ExperienceRow | undefined): Promise<ExperienceRow | undefined> {
    if (!row || row.transition_at === null || row.transition_at > this.clock()) return row;
    if (row.status === 'DELETING') {
      await this.store.experiences.delete(row.id);
      return undefined;
    }
    const patch = { status: 'ACTIVE', transition_at: null };
    await this.store.experiences.update(row.id, patch, [row.status]);
    return { ...row, ...patch };
  }

  private async checkContent(indexId: string, configuration: ExperienceConfiguration | undefined): Promise<void> {
    const content = configuration?.ContentSourceConfiguration;
    if (!content) return;
    const known = new Set((await this.store.dataSources.listOfIndex(indexId)).map((d) => d.id));
    for (const id of content.DataSourceIds ?? []) if (!known.has(id)) throw notFound(`Data source ${id} does not exist in index ${indexId}.`);
    // kendrite has no FAQs yet: any FAQ id names none.
    for (const id of content.FaqIds ?? []) throw notFound(`FAQ ${id} does not exist in index ${indexId}.`);
  }
}
