import type { ExperienceRow } from '../store/experiences.js';
import type { Experiences } from '../domain/experiences.js';
import { date, scopeOf, type Handlers } from './context.js';

export const experienceHandlers: Handlers = {
  async CreateExperience(input, ctx, s) {
    return { Id: await s.experiences.create(scopeOf(ctx), input as never) };
  },

  async DescribeExperience(input, ctx, s) {
    const row = await s.experiences.get(scopeOf(ctx), input.IndexId, input.Id);
    return {
      ...summary(row, s.experiences),
      IndexId: row.index_id,
      Configuration: row.configuration ? JSON.parse(row.configuration) : undefined,
      UpdatedAt: date(row.updated_at),
      Description: row.description ?? undefined,
      RoleArn: row.role_arn ?? undefined,
    };
  },

  async UpdateExperience(input, ctx, s) {
    await s.experiences.update(scopeOf(ctx), input as never);
    return {};
  },

  async DeleteExperience(input, ctx, s) {
    await s.experiences.delete(scopeOf(ctx), input.IndexId, input.Id);
    return {};
  },

  async ListExperiences(input, ctx, s) {
    const page = await s.experiences.list(scopeOf(ctx), input.IndexId, input.MaxResults ?? 100, input.NextToken);
    return { SummaryItems: page.items.map((r) => summary(r, s.experiences)), NextToken: page.nextToken };
  },

  async AssociateEntitiesToExperience(input, ctx, s) {
    return failures(await s.experiences.associateEntities(scopeOf(ctx), input.IndexId, input.Id, input.EntityList));
  },

  async DisassociateEntitiesFromExperience(input, ctx, s) {
    return failures(await s.experiences.disassociateEntities(scopeOf(ctx), input.IndexId, input.Id, input.EntityList));
  },

  async AssociatePersonasToEntities(input, ctx, s) {
    return failures(await s.experiences.associatePersonas(scopeOf(ctx), input.IndexId, input.Id, input.Personas));
  },

  async DisassociatePersonasFromEntities(input, ctx, s) {
    return failures(await s.experiences.disassociatePersonas(scopeOf(ctx), input.IndexId, input.Id, input.EntityIds));
  },

  async ListExperienceEntities(input, ctx, s) {
    const page = await s.experiences.listEntities(scopeOf(ctx), input.IndexId, input.Id, input.NextToken);
    return {
      SummaryItems: page.items.map((e) => ({
        EntityId: e.entity_id,
        EntityType: e.entity_type as never,
        // kendrite keeps no directory of names: the id is what it knows the entity by.
        DisplayData: e.entity_type === 'GROUP' ? { GroupName: e.entity_id } : { UserName: e.entity_id },
      })),
      NextToken: page.nextToken,
    };
  },

  async ListEntityPersonas(input, ctx, s) {
    const page = await s.experiences.listPersonas(scopeOf(ctx), input.IndexId, input.Id, input.MaxResults ?? 100, input.NextToken);
    return {
      SummaryItems: page.items.map((e) => ({ EntityId: e.entity_id, Persona: e.persona as never, CreatedAt: date(e.persona_created_at!), UpdatedAt: date(e.persona_updated_at!) })),
      NextToken: page.nextToken,
    };
  },
};

/** FailedEntityList only when something failed, as Kendra answers. */
const failures = (failed: { EntityId: string; ErrorMessage: string }[]) => (failed.length ? { FailedEntityList: failed } : {});

function summary(row: ExperienceRow, experiences: Experiences) {
  return {
    Name: row.name,
    Id: row.id,
    CreatedAt: date(row.created_at),
    Status: row.status as never,
    Endpoints: [{ EndpointType: 'HOME' as const, Endpoint: experiences.endpoint(row.id) }],
  };
}
