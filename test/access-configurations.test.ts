import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  BatchPutDocumentCommand,
  CreateAccessControlConfigurationCommand,
  DeleteAccessControlConfigurationCommand,
  DescribeAccessControlConfigurationCommand,
  ListAccessControlConfigurationsCommand,
  UpdateAccessControlConfigurationCommand,
  type KendraClient,
} from '@aws-sdk/client-kendra';
import { putIndexed, visibleIds } from './support/acl.js';
import { activeIndex, rejectsWith } from './support/kendra.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';

const text = (Id: string, AccessControlConfigurationId?: string) => ({
  Id, Title: `Plan ${Id}`, Blob: Buffer.from(`The plan ${Id}.`), ContentType: 'PLAIN_TEXT' as const, ...(AccessControlConfigurationId ? { AccessControlConfigurationId } : {}),
});

for (const backend of backends()) {
  describeOrSkip(`access control configurations [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    const seen = async (UserId?: string, Groups?: string[]) => (await visibleIds(k, indexId, UserId ? { UserId, Groups } : undefined, 'plan')).ids;

    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store);
      k = server.client();
      indexId = await activeIndex(k, 'configurations');
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('documents take the lists of their configuration; an update applies to all of them at once, without re-sending them', async () => {
      const { Id } = await k.send(new CreateAccessControlConfigurationCommand({
        IndexId: indexId, Name: 'top-secret', Description: 'Only hr', AccessControlList: [{ Name: 'hr', Type: 'GROUP', Access: 'ALLOW' }],
      }));
      await putIndexed(k, indexId, [text('open'), text('secret-1', Id), text('secret-2', Id)]);
      assert.deepEqual(await seen('dave', ['hr']), ['open', 'secret-1', 'secret-2']);
      assert.deepEqual(await seen('alice'), ['open']);

      // alice joins the team, dave leaves it.
      await k.send(new UpdateAccessControlConfigurationCommand({
        IndexId: indexId, Id, AccessControlList: [{ Name: 'hr', Type: 'GROUP', Access: 'ALLOW' }, { Name: 'dave', Type: 'USER', Access: 'DENY' }, { Name: 'alice', Type: 'USER', Access: 'ALLOW' }],
      }));
      assert.deepEqual(await seen('dave', ['hr']), ['open']);
      assert.deepEqual(await seen('alice'), ['open', 'secret-1', 'secret-2']);
      assert.deepEqual(await seen('erin', ['hr']), ['open', 'secret-1', 'secret-2']);

      const d = await k.send(new DescribeAccessControlConfigurationCommand({ IndexId: indexId, Id }));
      assert.equal(d.Name, 'top-secret');
      assert.equal(d.Description, 'Only hr');
      assert.equal(d.AccessControlList!.length, 3);
      assert.equal(d.HierarchicalAccessControlList, undefined);

      // A rename leaves the lists alone.
      await k.send(new UpdateAccessControlConfigurationCommand({ IndexId: indexId, Id, Name: 'renamed' }));
      assert.equal((await k.send(new DescribeAccessControlConfigurationCommand({ IndexId: indexId, Id }))).Name, 'renamed');
      assert.deepEqual(await seen('alice'), ['open', 'secret-1', 'secret-2']);

      // In use: not deleted. Once no document points at it, gone.
      await rejectsWith(k.send(new DeleteAccessControlConfigurationCommand({ IndexId: indexId, Id })), 'ConflictException');
      await putIndexed(k, indexId, [text('secret-1'), text('secret-2')]);
      assert.deepEqual(await seen(), ['open', 'secret-1', 'secret-2']);
      await k.send(new DeleteAccessControlConfigurationCommand({ IndexId: indexId, Id }));
      await rejectsWith(k.send(new DescribeAccessControlConfigurationCommand({ IndexId: indexId, Id })), 'ResourceNotFoundException');
    });

    test('a document naming a configuration that does not exist, or both lists and a configuration, is rejected', async () => {
      const { Id } = await k.send(new CreateAccessControlConfigurationCommand({ IndexId: indexId, Name: 'x', AccessControlList: [{ Name: 'hr', Type: 'GROUP', Access: 'ALLOW' }] }));
      const r = await k.send(new BatchPutDocumentCommand({
        IndexId: indexId,
        Documents: [text('ghost', '00000000-0000-0000-0000-000000000000'), { ...text('both', Id), AccessControlList: [{ Name: 'a', Type: 'USER', Access: 'ALLOW' }] }],
      }));
      assert.deepEqual(r.FailedDocuments!.map((f) => [f.Id, f.ErrorCode]), [['ghost', 'InvalidRequest'], ['both', 'InvalidRequest']]);
      assert.match(r.FailedDocuments![0]!.ErrorMessage!, /does not exist/);
    });

    test('ListAccessControlConfigurations pages in creation order', async () => {
      const ids: string[] = [];
      for (const name of ['a', 'b', 'c']) ids.push((await k.send(new CreateAccessControlConfigurationCommand({ IndexId: indexId, Name: name }))).Id!);
      const all: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await k.send(new ListAccessControlConfigurationsCommand({ IndexId: indexId, MaxResults: 2, NextToken }));
        all.push(...page.AccessControlConfigurations!.map((c) => c.Id!));
        NextToken = page.NextToken;
      } while (NextToken);
      assert.equal(all.length, 4, 'the one from the previous test and these three');
      assert.deepEqual(all.slice(1), ids);
    });
  });
}
