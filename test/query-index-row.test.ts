// Query reads its index's row through Indices.recent (held at most 100 ms): a change made through this
// process — UpdateIndex, DeleteIndex, a featured results set (its features_version) — is seen by the very
// next Query, without waiting (store/indexRowWrites.ts). Another process's changes: test/multi-process.test.ts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  BatchDeleteFeaturedResultsSetCommand,
  CreateFeaturedResultsSetCommand,
  DeleteIndexCommand,
  QueryCommand,
  UpdateIndexCommand,
  type KendraClient,
} from '@aws-sdk/client-kendra';
import { putIndexed } from './support/acl.js';
import { activeIndex, rejectsWith } from './support/kendra.js';
import { FEATURE_DOCS } from './support/searchFeatures.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';

for (const backend of backends()) {
  describeOrSkip(`Query sees this process's changes to its index at once [${backend.name}]`, { skip: backend.skip }, () => {
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

    test('UpdateIndex (UserContextPolicy), a featured results set created and deleted, DeleteIndex: each seen by the next Query', async () => {
      const indexId = await activeIndex(k, 'recent-row');
      await putIndexed(k, indexId, FEATURE_DOCS);
      const asUser = () => k.send(new QueryCommand({ IndexId: indexId, QueryText: 'vacation', UserContext: { UserId: 'alice' } }));
      const featured = async () => ((await k.send(new QueryCommand({ IndexId: indexId, QueryText: 'Time  off' }))).FeaturedResultsItems ?? []).map((i) => i.DocumentId);
      // Each Query below comes within 100 ms of the one before: the row is held from the first.
      assert.deepEqual((await asUser()).ResultItems!.map((i) => i.DocumentId), ['vacation']);
      assert.deepEqual(await featured(), []);

      const { FeaturedResultsSet: set } = await k.send(new CreateFeaturedResultsSetCommand({ IndexId: indexId, FeaturedResultsSetName: 'holidays', QueryTexts: ['time off'], FeaturedDocuments: [{ Id: 'vacation' }, { Id: 'onboarding' }] }));
      assert.deepEqual(await featured(), ['vacation', 'onboarding']);
      await k.send(new BatchDeleteFeaturedResultsSetCommand({ IndexId: indexId, FeaturedResultsSetIds: [set!.FeaturedResultsSetId!] }));
      assert.deepEqual(await featured(), []);

      await k.send(new UpdateIndexCommand({ Id: indexId, UserContextPolicy: 'USER_TOKEN' }));
      const refused = await rejectsWith(asUser(), 'ValidationException');
      assert.match(refused.message, /UserContextPolicy is USER_TOKEN/);

      await k.send(new DeleteIndexCommand({ Id: indexId }));
      const deleting = await rejectsWith(featured(), 'ConflictException');
      assert.match(deleting.message, /is DELETING/);
    });
  });
}
