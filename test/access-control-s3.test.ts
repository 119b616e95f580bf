import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CreateAccessControlConfigurationCommand, type KendraClient } from '@aws-sdk/client-kendra';
import { visibleIds } from './support/acl.js';
import { activeIndex } from './support/kendra.js';
import { Bucket, Moto } from './support/moto.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';
import { activeDataSource, metrics, report, syncToEnd } from './support/sync.js';

let moto: Moto;
before(async () => {
  moto = await Moto.start();
});
after(async () => {
  await moto?.stop();
});

const meta = (acl: object) => JSON.stringify(acl);

for (const backend of backends()) {
  describeOrSkip(`access control from S3 metadata files [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, { env: moto.env });
      k = server.client();
      indexId = await activeIndex(k);
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('AccessControlList, HierarchicalAccessControlList and AccessControlConfigurationId in .metadata.json files decide who finds each document', async () => {
      const bucket = await Bucket.create(moto.client(), `acl-${backend.name}`);
      await bucket.put('open.txt', 'Quarterly report, open to all.');
      await bucket.put('hr.txt', 'Quarterly report of salaries.');
      await bucket.put('hr.txt.metadata.json', meta({ AccessControlList: [{ Name: 'hr', Type: 'GROUP', Access: 'ALLOW' }, { Name: 'bob', Type: 'USER', Access: 'DENY' }] }));
      await bucket.put('board.txt', 'Quarterly report for the board.');
      await bucket.put('board.txt.metadata.json', meta({
        Title: 'Board report',
        HierarchicalAccessControlList: [{ PrincipalList: [{ Name: 'staff', Type: 'GROUP', Access: 'ALLOW' }] }, { PrincipalList: [{ Name: 'carol', Type: 'USER', Access: 'ALLOW' }] }],
      }));
      const { Id: configuration } = await k.send(new CreateAccessControlConfigurationCommand({ IndexId: indexId, Name: 'finance', AccessControlList: [{ Name: 'finance', Type: 'GROUP', Access: 'ALLOW' }] }));
      await bucket.put('budget.txt', 'Quarterly report of the budget.');
      await bucket.put('budget.txt.metadata.json', meta({ AccessControlConfigurationId: configuration }));
      await bucket.put('broken.txt', 'Quarterly report with a broken list.');
      await bucket.put('broken.txt.metadata.json', meta({ AccessControlList: [{ Name: 'hr', Type: 'TEAM', Access: 'ALLOW' }] }));
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 's3-acl', Type: 'S3', Configuration: { S3Configuration: { BucketName: bucket.name } } });
      const first = await syncToEnd(k, indexId, ds);
      assert.equal(first.Status, 'INCOMPLETE');
      assert.deepEqual(metrics(first), { scanned: '5', added: '4', modified: '0', deleted: '0', failed: '1' });
      const failed = (await report(server, first.ExecutionId!)).items.filter((i) => i.Action === 'FAILED');
      assert.equal(failed.length, 1);
      assert.match(failed[0]!.Reason!, /broken\.txt\.metadata\.json: AccessControlList\[0\]\.Type must be USER or GROUP/);

      const id = (key: string) => `s3://${bucket.name}/${key}`;
      const seen = async (uc?: object) => (await visibleIds(k, indexId, uc as never, 'quarterly report')).ids;
      assert.deepEqual(await seen(), [id('open.txt')]);
      assert.deepEqual(await seen({ UserId: 'dave', Groups: ['hr'] }), [id('hr.txt'), id('open.txt')]);
      assert.deepEqual(await seen({ UserId: 'bob', Groups: ['hr'] }), [id('open.txt')]);
      assert.deepEqual(await seen({ UserId: 'carol', Groups: ['staff'] }), [id('board.txt'), id('open.txt')]);
      assert.deepEqual(await seen({ UserId: 'erin', Groups: ['staff'] }), [id('open.txt')]);
      assert.deepEqual(await seen({ UserId: 'fay', Groups: ['finance'] }), [id('budget.txt'), id('open.txt')]);

      // Only the metadata file changes: the document is modified, and the new list applies.
      await bucket.put('hr.txt.metadata.json', meta({ AccessControlList: [{ Name: 'bob', Type: 'USER', Access: 'ALLOW' }] }));
      const second = await syncToEnd(k, indexId, ds);
      assert.deepEqual(metrics(second), { scanned: '5', added: '0', modified: '1', deleted: '0', failed: '1' });
      assert.deepEqual(await seen({ UserId: 'bob', Groups: ['hr'] }), [id('hr.txt'), id('open.txt')]);
      assert.deepEqual(await seen({ UserId: 'dave', Groups: ['hr'] }), [id('open.txt')]);
    });
  });
}
