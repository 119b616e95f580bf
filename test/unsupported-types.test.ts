import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CreateDataSourceCommand, type CreateDataSourceCommandInput, type KendraClient } from '@aws-sdk/client-kendra';
import { activeIndex, rejectsWith, ROLE } from './support/kendra.js';
import { backends, describeOrSkip, REPO_ROOT, TestServer, TestStore } from './support/server.js';
import { activeDataSource, metrics, syncToEnd } from './support/sync.js';

/** What kendrite syncs, as every message about it says it (src/connectors/registry.ts). */
const SYNCABLE = 'S3 (S3Configuration: an S3 bucket), TEMPLATE (template type S3 or FILESYSTEM or WEBCRAWLERV2), DATABASE (DatabaseConfiguration: a PostgreSQL or MySQL/MariaDB table), WEBCRAWLER (WebCrawlerConfiguration: web sites, from seed URLs or site maps), CUSTOM (documents sent with BatchPutDocument)';
const SECRET = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:x';

test('`kendrite --help` and the README name the data source types that sync, from the one list', async () => {
  const { SYNCABLE_TYPES_TEXT } = (await import(path.join(REPO_ROOT, 'dist/src/connectors/registry.js'))) as { SYNCABLE_TYPES_TEXT: string };
  assert.equal(SYNCABLE_TYPES_TEXT, SYNCABLE);
  const help = execFileSync(process.execPath, [path.join(REPO_ROOT, 'dist/src/cli/main.js'), '--help'], { encoding: 'utf8' });
  assert.ok(help.includes(`Data source types that sync: ${SYNCABLE}.`), help);
  assert.ok(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8').includes(`Data source types that sync: ${SYNCABLE}.`));
});

for (const backend of backends()) {
  describeOrSkip(`data source types kendrite has no connector for [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store);
      k = server.client();
      indexId = await activeIndex(k);
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('accepted when the configuration fits the model, ACTIVE; a sync ends FAILED, InvalidRequest, naming the types that sync', async () => {
      const sources: [string, Omit<CreateDataSourceCommandInput, 'RoleArn' | 'IndexId'>][] = [
        ['SALESFORCE', { Name: 'salesforce', Type: 'SALESFORCE', Configuration: { SalesforceConfiguration: { ServerUrl: 'https://example.my.salesforce.com', SecretArn: SECRET } } }],
        ['GOOGLEDRIVE', { Name: 'drive', Type: 'GOOGLEDRIVE', Configuration: { GoogleDriveConfiguration: { SecretArn: SECRET } } }],
        ['TEMPLATE/JIRA', { Name: 'jira', Type: 'TEMPLATE', Configuration: { TemplateConfiguration: { Template: { type: 'JIRA', connectionConfiguration: { repositoryEndpointMetadata: { jiraAccountUrl: 'https://example.atlassian.net' } } } } } }],
      ];
      for (const [type, input] of sources) {
        const ds = await activeDataSource(k, { IndexId: indexId, ...input });
        const job = await syncToEnd(k, indexId, ds);
        assert.equal(job.Status, 'FAILED', type);
        assert.equal(job.ErrorCode, 'InvalidRequest', type);
        assert.equal(job.ErrorMessage, `kendrite has no connector for data source type ${type}; the types it syncs are ${SYNCABLE}.`);
        assert.deepEqual(metrics(job), { scanned: '0', added: '0', modified: '0', deleted: '0', failed: '0' }, type);
      }
    });

    test('a configuration that does not fit the model is a ValidationException', async () => {
      await rejectsWith(k.send(new CreateDataSourceCommand({
        IndexId: indexId, Name: 'no-url', Type: 'SALESFORCE', RoleArn: ROLE, Configuration: { SalesforceConfiguration: { SecretArn: SECRET } as never },
      })), 'ValidationException');
      await rejectsWith(k.send(new CreateDataSourceCommand({
        IndexId: indexId, Name: 'wrong-member', Type: 'SALESFORCE', RoleArn: ROLE, Configuration: { S3Configuration: { BucketName: 'a-bucket' } },
      })), 'ValidationException');
    });
  });
}
