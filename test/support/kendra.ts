import {
  CreateDataSourceCommand,
  CreateIndexCommand,
  DescribeDataSourceCommand,
  DescribeIndexCommand,
  ListDataSourceSyncJobsCommand,
  type DataSourceSyncJob,
  type KendraClient,
} from '@aws-sdk/client-kendra';
import { waitFor } from './server.js';

export const ROLE = 'arn:aws:iam::000000000000:role/kendra';

/** Creates an index and waits until it is ACTIVE, as a client's wait loop does. */
export async function activeIndex(k: KendraClient, name = 'test-index'): Promise<string> {
  const { Id } = await k.send(new CreateIndexCommand({ Name: name, RoleArn: ROLE }));
  await waitFor(`index ${Id} ACTIVE`, async () => ((await k.send(new DescribeIndexCommand({ Id }))).Status === 'ACTIVE' ? true : undefined));
  return Id!;
}

export async function activeCustomDataSource(k: KendraClient, indexId: string, name = 'custom'): Promise<string> {
  const { Id } = await k.send(new CreateDataSourceCommand({ IndexId: indexId, Name: name, Type: 'CUSTOM' }));
  await waitFor(`data source ${Id} ACTIVE`, async () =>
    (await k.send(new DescribeDataSourceCommand({ IndexId: indexId, Id }))).Status === 'ACTIVE' ? true : undefined,
  );
  return Id!;
}

export async function jobOf(k: KendraClient, indexId: string, dataSourceId: string, executionId: string): Promise<DataSourceSyncJob | undefined> {
  let NextToken: string | undefined;
  do {
    const page = await k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: dataSourceId, NextToken }));
    const job = page.History!.find((j) => j.ExecutionId === executionId);
    if (job) return job;
    NextToken = page.NextToken;
  } while (NextToken);
  return undefined;
}

/** Waits for a job to reach one of `statuses`. */
export function jobReaching(k: KendraClient, indexId: string, dataSourceId: string, executionId: string, statuses: string[], ms = 15_000) {
  return waitFor(`job ${executionId} in ${statuses.join('/')}`, async () => {
    const j = await jobOf(k, indexId, dataSourceId, executionId);
    return j && statuses.includes(j.Status!) ? j : undefined;
  }, ms);
}

/** Asserts that a promise rejects with the given Kendra error code; returns the error. */
export async function rejectsWith(p: Promise<unknown>, code: string): Promise<Error & { name: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { name: string };
    if (err.name !== code) throw new Error(`expected ${code}, got ${err.name}: ${err.message}`);
    return err;
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}
