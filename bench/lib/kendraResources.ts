// Indexes and data sources created through the API as a client creates them, each waited for until
// ACTIVE: what the scenarios that sync through a kendrite server set up first.
import {
  CreateDataSourceCommand,
  CreateIndexCommand,
  DescribeDataSourceCommand,
  DescribeIndexCommand,
  type CreateDataSourceCommandInput,
  type KendraClient,
} from '@aws-sdk/client-kendra';
import { until } from './processes.js';

const ROLE = 'arn:aws:iam::000000000000:role/kendra';

export async function createIndex(client: KendraClient, name: string): Promise<string> {
  const indexId = (await client.send(new CreateIndexCommand({ Name: name, RoleArn: ROLE }))).Id!;
  await until(async () => (await client.send(new DescribeIndexCommand({ Id: indexId }))).Status === 'ACTIVE');
  return indexId;
}

export async function createDataSource(client: KendraClient, indexId: string, input: Omit<CreateDataSourceCommandInput, 'IndexId'>): Promise<string> {
  const { Id } = await client.send(new CreateDataSourceCommand({ IndexId: indexId, ...input }));
  await until(async () => (await client.send(new DescribeDataSourceCommand({ IndexId: indexId, Id }))).Status === 'ACTIVE');
  return Id!;
}

/** A FILESYSTEM data source (kendrite's TEMPLATE extension) over the local folder `folder`, every file included. */
export function createFolderSource(client: KendraClient, indexId: string, name: string, folder: string): Promise<string> {
  const Template = {
    type: 'FILESYSTEM', syncMode: 'FULL_CRAWL',
    connectionConfiguration: { repositoryEndpointMetadata: { path: folder } },
    additionalProperties: { inclusionPatterns: [], exclusionPatterns: [], maxFileSizeInMegaBytes: '50' },
  };
  return createDataSource(client, indexId, { Name: name, Type: 'TEMPLATE', RoleArn: ROLE, Configuration: { TemplateConfiguration: { Template } } });
}
