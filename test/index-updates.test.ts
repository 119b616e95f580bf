import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CreateDataSourceCommand,
  CreateIndexCommand,
  DeleteDataSourceCommand,
  DeleteIndexCommand,
  DescribeDataSourceCommand,
  DescribeIndexCommand,
  UpdateDataSourceCommand,
  UpdateIndexCommand,
  type DescribeIndexCommandOutput,
  type KendraClient,
} from '@aws-sdk/client-kendra';
import { activeIndex, rejectsWith, ROLE } from './support/kendra.js';
import { activeDataSource } from './support/sync.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';

function activeDescription(k: KendraClient, Id: string): Promise<DescribeIndexCommandOutput> {
  return waitFor(`index ${Id} ACTIVE`, async () => {
    const d = await k.send(new DescribeIndexCommand({ Id }));
    return d.Status === 'ACTIVE' ? d : undefined;
  });
}

for (const backend of backends()) {
  describeOrSkip(`UpdateIndex and UpdateDataSource as published indexers send them [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    before(async () => {
      store = await TestStore.create(backend.name);
      // Long enough that the second of two back-to-back updates finds the first still UPDATING.
      server = await TestServer.start(store, { env: { KENDRITE_TRANSITION_DELAY_MS: '1000' } });
      k = server.client();
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('DocumentMetadataConfigurationUpdates adds the fields it names and replaces those it names; the others are kept', async () => {
      const id = await activeIndex(k, 'fields');
      await k.send(new UpdateIndexCommand({
        Id: id,
        DocumentMetadataConfigurationUpdates: [
          { Name: 'Department', Type: 'STRING_VALUE', Search: { Facetable: true } },
          { Name: 'Year', Type: 'LONG_VALUE', Search: { Sortable: true } },
        ],
      }));
      await activeDescription(k, id);
      await k.send(new UpdateIndexCommand({
        Id: id,
        DocumentMetadataConfigurationUpdates: [
          { Name: 'Department', Type: 'STRING_VALUE', Search: { Facetable: true, Displayable: true } },
          { Name: '_category', Type: 'STRING_VALUE', Search: { Facetable: true } },
        ],
      }));
      const expected = [
        { Name: 'Department', Type: 'STRING_VALUE', Search: { Facetable: true, Displayable: true } },
        { Name: 'Year', Type: 'LONG_VALUE', Search: { Sortable: true } },
        { Name: '_category', Type: 'STRING_VALUE', Search: { Facetable: true } },
      ];
      assert.deepEqual((await activeDescription(k, id)).DocumentMetadataConfigurations, expected);

      // A field's type never changes, a reserved field keeps its reserved type, and one update names a field once.
      for (const updates of [
        [{ Name: 'Year', Type: 'STRING_VALUE' as const }],
        [{ Name: '_created_at', Type: 'STRING_VALUE' as const }],
        [{ Name: 'Team', Type: 'STRING_VALUE' as const }, { Name: 'Team', Type: 'STRING_LIST_VALUE' as const }],
      ]) {
        const e = await rejectsWith(k.send(new UpdateIndexCommand({ Id: id, DocumentMetadataConfigurationUpdates: updates })), 'ValidationException');
        assert.match(e.message, updates[0]!.Name === 'Team' ? /names the field Team more than once/ : new RegExp(`field ${updates[0]!.Name} is \\w+.*cannot be changed`));
      }
      const after = await k.send(new DescribeIndexCommand({ Id: id }));
      assert.equal(after.Status, 'ACTIVE');
      assert.deepEqual(after.DocumentMetadataConfigurations, expected);
    });

    test('a second UpdateIndex sent while the first is UPDATING is applied after it, in order; CREATING and DELETING refuse updates', async () => {
      const id = await activeIndex(k, 'back-to-back');
      await k.send(new UpdateIndexCommand({ Id: id, Description: 'first', DocumentMetadataConfigurationUpdates: [{ Name: 'Department', Type: 'STRING_VALUE' }] }));
      assert.equal((await k.send(new DescribeIndexCommand({ Id: id }))).Status, 'UPDATING');
      await k.send(new UpdateIndexCommand({ Id: id, Name: 'renamed', Description: 'second', DocumentMetadataConfigurationUpdates: [{ Name: 'Year', Type: 'LONG_VALUE' }] }));
      assert.equal((await k.send(new DescribeIndexCommand({ Id: id }))).Status, 'UPDATING');
      const d = await activeDescription(k, id);
      assert.deepEqual([d.Name, d.Description], ['renamed', 'second']);
      assert.deepEqual(d.DocumentMetadataConfigurations, [{ Name: 'Department', Type: 'STRING_VALUE' }, { Name: 'Year', Type: 'LONG_VALUE' }]);

      const { Id: creating } = await k.send(new CreateIndexCommand({ Name: 'still-creating', RoleArn: ROLE }));
      assert.match((await rejectsWith(k.send(new UpdateIndexCommand({ Id: creating, Description: 'x' })), 'ConflictException')).message, /is CREATING/);
      await k.send(new DeleteIndexCommand({ Id: id }));
      assert.match((await rejectsWith(k.send(new UpdateIndexCommand({ Id: id, Description: 'x' })), 'ConflictException')).message, /is DELETING/);
    });

    test('a second UpdateDataSource sent while the first is UPDATING is applied after it, in order; CREATING and DELETING refuse updates', async () => {
      const indexId = await activeIndex(k, 'ds-back-to-back');
      const s3 = (BucketName: string) => ({ S3Configuration: { BucketName } });
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'docs', Type: 'S3', Configuration: s3('bucket-zero') });
      await k.send(new UpdateDataSourceCommand({ IndexId: indexId, Id: ds, RoleArn: ROLE, Configuration: s3('bucket-one'), Description: 'first' }));
      assert.equal((await k.send(new DescribeDataSourceCommand({ IndexId: indexId, Id: ds }))).Status, 'UPDATING');
      await k.send(new UpdateDataSourceCommand({ IndexId: indexId, Id: ds, Description: 'second', Schedule: 'cron(0 3 * * ? *)', LanguageCode: 'de' }));
      assert.equal((await k.send(new DescribeDataSourceCommand({ IndexId: indexId, Id: ds }))).Status, 'UPDATING');
      const d = await waitFor('data source ACTIVE', async () => {
        const x = await k.send(new DescribeDataSourceCommand({ IndexId: indexId, Id: ds }));
        return x.Status === 'ACTIVE' ? x : undefined;
      });
      assert.deepEqual(
        [d.Configuration, d.Description, d.Schedule, d.LanguageCode, d.Name],
        [s3('bucket-one'), 'second', 'cron(0 3 * * ? *)', 'de', 'docs'],
      );

      const { Id: creating } = await k.send(new CreateDataSourceCommand({ IndexId: indexId, Name: 'still-creating', Type: 'S3', RoleArn: ROLE, Configuration: s3('bucket-two') }));
      assert.match((await rejectsWith(k.send(new UpdateDataSourceCommand({ IndexId: indexId, Id: creating, Description: 'x' })), 'ConflictException')).message, /is CREATING/);
      await k.send(new DeleteDataSourceCommand({ IndexId: indexId, Id: ds }));
      assert.match((await rejectsWith(k.send(new UpdateDataSourceCommand({ IndexId: indexId, Id: ds, Description: 'x' })), 'ConflictException')).message, /is DELETING/);
    });
  });
}
