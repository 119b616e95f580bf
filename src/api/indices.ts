import { date, scopeOf, type Handlers } from './context.js';
import type { IndexRow } from '../store/indices.js';

const SETTINGS = ['ServerSideEncryptionConfiguration', 'UserTokenConfigurations', 'UserContextPolicy', 'UserGroupResolutionConfiguration'] as const;

export const indexHandlers: Handlers = {
  async CreateIndex(input, ctx, s) {
    const settings: Record<string, unknown> = {};
    for (const k of SETTINGS) if (input[k] !== undefined) settings[k] = input[k];
    const Id = await s.indices.create(scopeOf(ctx), { ...input, settings });
    return { Id };
  },

  async DescribeIndex(input, ctx, s) {
    const row = await s.indices.get(scopeOf(ctx), input.Id);
    const stats = await s.indices.statistics(row.id);
    const settings = JSON.parse(row.settings) as Record<string, unknown>;
    return {
      ...summary(row),
      RoleArn: row.role_arn,
      Description: row.description ?? undefined,
      ErrorMessage: row.error_message ?? undefined,
      ...settings,
      DocumentMetadataConfigurations: settings.DocumentMetadataConfigurations as never,
      IndexStatistics: {
        FaqStatistics: { IndexedQuestionAnswersCount: await s.faqs.entryCount(row.id) },
        TextDocumentStatistics: { IndexedTextDocumentsCount: stats.count, IndexedTextBytes: stats.bytes },
      },
    };
  },

  async ListIndices(input, ctx, s) {
    const page = await s.indices.list(scopeOf(ctx), input.MaxResults ?? 10, input.NextToken);
    return { IndexConfigurationSummaryItems: page.items.map(summary), NextToken: page.nextToken };
  },

  async UpdateIndex(input, ctx, s) {
    const settings: Record<string, unknown> = {};
    for (const k of [...SETTINGS, 'CapacityUnits'] as const) if (k in input && input[k as keyof typeof input] !== undefined) settings[k] = input[k as keyof typeof input];
    await s.indices.update(scopeOf(ctx), input.Id, {
      Name: input.Name, RoleArn: input.RoleArn, Description: input.Description, settings, fieldUpdates: input.DocumentMetadataConfigurationUpdates,
    });
    return {};
  },

  async DeleteIndex(input, ctx, s) {
    await s.indices.delete(scopeOf(ctx), input.Id);
    return {};
  },
};

function summary(row: IndexRow) {
  return {
    Name: row.name,
    Id: row.id,
    Edition: row.edition as never,
    CreatedAt: date(row.created_at),
    UpdatedAt: date(row.updated_at),
    Status: row.status as never,
  };
}
