import { date, scopeOf, type Handlers } from './context.js';

export const thesaurusHandlers: Handlers = {
  async CreateThesaurus(input, ctx, s) {
    return { Id: await s.thesauri.create(scopeOf(ctx), input as never) };
  },

  async DescribeThesaurus(input, ctx, s) {
    return (await s.thesauri.describe(scopeOf(ctx), input.IndexId, input.Id)) as never;
  },

  async UpdateThesaurus(input, ctx, s) {
    await s.thesauri.update(scopeOf(ctx), input as never);
    return {};
  },

  async ListThesauri(input, ctx, s) {
    const page = await s.thesauri.list(scopeOf(ctx), input.IndexId, input.MaxResults ?? 100, input.NextToken);
    return {
      ThesaurusSummaryItems: page.items.map((r) => ({ Id: r.id, Name: r.name, Status: r.status as never, CreatedAt: date(Number(r.created_at)), UpdatedAt: date(Number(r.updated_at)) })),
      NextToken: page.nextToken,
    };
  },

  async DeleteThesaurus(input, ctx, s) {
    await s.thesauri.delete(scopeOf(ctx), input.IndexId, input.Id);
    return {};
  },
};
