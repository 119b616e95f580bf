import { date, scopeOf, type Handlers } from './context.js';

export const faqHandlers: Handlers = {
  async CreateFaq(input, ctx, s) {
    return { Id: await s.faqs.create(scopeOf(ctx), input as never) };
  },

  async DescribeFaq(input, ctx, s) {
    return (await s.faqs.describe(scopeOf(ctx), input.IndexId, input.Id)) as never;
  },

  async ListFaqs(input, ctx, s) {
    const page = await s.faqs.list(scopeOf(ctx), input.IndexId, input.MaxResults ?? 100, input.NextToken);
    return {
      FaqSummaryItems: page.items.map((r) => ({
        Id: r.id, Name: r.name, Status: r.status as never, CreatedAt: date(Number(r.created_at)), UpdatedAt: date(Number(r.updated_at)),
        FileFormat: r.file_format as never, LanguageCode: r.language_code,
      })),
      NextToken: page.nextToken,
    };
  },

  async DeleteFaq(input, ctx, s) {
    await s.faqs.delete(scopeOf(ctx), input.IndexId, input.Id);
    return {};
  },
};
