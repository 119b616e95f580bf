import { date, scopeOf, type Handlers } from './context.js';
import type { DataSourceRow } from '../store/dataSources.js';

const parsed = (s: string | null) => (s === null ? undefined : JSON.parse(s));

export const dataSourceHandlers: Handlers = {
  async CreateDataSource(input, ctx, s) {
    const Id = await s.dataSources.create(scopeOf(ctx), input.IndexId, {
      ...input,
      Configuration: input.Configuration as Record<string, unknown> | undefined,
    });
    return { Id };
  },

  async DescribeDataSource(input, ctx, s) {
    const row = await s.dataSources.get(scopeOf(ctx), input.IndexId, input.Id);
    return {
      ...summary(row),
      IndexId: row.index_id,
      Configuration: parsed(row.configuration),
      VpcConfiguration: parsed(row.vpc_configuration),
      CustomDocumentEnrichmentConfiguration: parsed(row.enrichment_configuration),
      Description: row.description ?? undefined,
      Schedule: row.schedule ?? undefined,
      RoleArn: row.role_arn ?? undefined,
      ErrorMessage: row.error_message ?? undefined,
    };
  },

  async ListDataSources(input, ctx, s) {
    const page = await s.dataSources.list(scopeOf(ctx), input.IndexId, input.MaxResults ?? 10, input.NextToken);
    return { SummaryItems: page.items.map(summary), NextToken: page.nextToken };
  },

  async UpdateDataSource(input, ctx, s) {
    await s.dataSources.update(scopeOf(ctx), input.IndexId, input.Id, {
      ...input,
      Configuration: input.Configuration as Record<string, unknown> | undefined,
    });
    return {};
  },

  async DeleteDataSource(input, ctx, s) {
    await s.dataSources.delete(scopeOf(ctx), input.IndexId, input.Id);
    return {};
  },
};

function summary(row: DataSourceRow) {
  return {
    Name: row.name,
    Id: row.id,
    Type: row.type as never,
    CreatedAt: date(row.created_at),
    UpdatedAt: date(row.updated_at),
    Status: row.status as never,
    LanguageCode: row.language_code ?? undefined,
  };
}
