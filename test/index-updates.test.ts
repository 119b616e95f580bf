import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DescribeIndexCommand, UpdateIndexCommand, type DescribeIndexCommandOutput, type KendraClient } from '@aws-sdk/client-kendra';
import { activeIndex, rejectsWith } from './support/kendra.js';
import { backends, TestServer, TestStore, waitFor } from './support/server.js';

function activeDescription(k: KendraClient, Id: string): Promise<DescribeIndexCommandOutput> {
  return waitFor(`index ${Id} ACTIVE`, async () => {
    const d = await k.send(new DescribeIndexCommand({ Id }));
    return d.Status === 'ACTIVE' ? d : undefined;
  });
}

for (const backend of backends()) {
  describe(`UpdateIndex and UpdateDataSource as published indexers send them [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store);
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
  });
}
