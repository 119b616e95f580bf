// Requests that used to get a 500 (or another error at another size) get a 4xx at once, on both
// backends, and change nothing: identifiers holding U+0000 or an unpaired surrogate, a tag key given
// twice, attribute filters past their bounds, big feedback batches, integers JavaScript cannot hold.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { QueryCommand, StartDataSourceSyncJobCommand, StopDataSourceSyncJobCommand, type KendraClient } from '@aws-sdk/client-kendra';
import { activeCustomDataSource, activeIndex, jobReaching } from './support/kendra.js';
import { assertError, assertOk, rawRequest, target, type RawRequest } from './support/rawClient.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';
import { storeSnapshot } from './support/storeSnapshot.js';

const eq = (i: number) => ({ EqualsTo: { Key: 'n', Value: { LongValue: i } } });

for (const backend of backends()) {
  describeOrSkip(`bounded input: 4xx at once, nothing changed [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    let dataSourceId: string;
    let executionId: string;
    let indexArn: string;
    const send = (req: RawRequest) => rawRequest(server.url, req);
    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store);
      k = server.client();
      indexId = await activeIndex(k);
      indexArn = `arn:aws:kendra:us-east-1:000000000000:index/${indexId}`;
      dataSourceId = await activeCustomDataSource(k, indexId);
      // A finished job: with none running, nothing in the store changes by itself between snapshots.
      executionId = (await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: dataSourceId }))).ExecutionId!;
      await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: dataSourceId }));
      await jobReaching(k, indexId, dataSourceId, executionId, ['SUCCEEDED']);
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('U+0000 or an unpaired surrogate in an id, token or tag → ValidationException naming the member; an unknown such ExecutionId → ResourceNotFoundException', async () => {
      const before = await storeSnapshot(store);
      const doc = (Id: string) => ({ Id, Blob: Buffer.from('text').toString('base64'), ContentType: 'PLAIN_TEXT' });
      const cases: [string, object, string][] = [
        ['BatchPutDocument', { IndexId: indexId, Documents: [doc('fine'), doc('a\u0000b')] }, 'documents.2.id'],
        ['BatchPutDocument', { IndexId: indexId, Documents: [doc('half \ud800')] }, 'documents.1.id'],
        ['BatchDeleteDocument', { IndexId: indexId, DocumentIdList: ['x\u0000'] }, 'documentIdList.1'],
        ['BatchGetDocumentStatus', { IndexId: indexId, DocumentInfoList: [{ DocumentId: '\u0000' }] }, 'documentInfoList.1.documentId'],
        ['CreateIndex', { Name: 'n', RoleArn: 'arn:aws:iam::000000000000:role/kendra', ClientToken: 'token\u0000' }, 'clientToken'],
        ['CreateIndex', { Name: 'n', RoleArn: 'arn:aws:iam::000000000000:role/kendra\u0000' }, 'roleArn'],
        ['TagResource', { ResourceARN: indexArn, Tags: [{ Key: 'team', Value: 'a\u0000' }] }, 'tags.1.value'],
        ['TagResource', { ResourceARN: indexArn, Tags: [{ Key: 'k\udc00', Value: 'v' }] }, 'tags.1.key'],
        ['SubmitFeedback', { IndexId: indexId, QueryId: 'q', ClickFeedbackItems: [{ ResultId: 'q-\u0000', ClickTime: 1700000000 }] }, 'clickFeedbackItems.1.resultId'],
      ];
      for (const [op, body, member] of cases)
        assertError(await send({ target: target(op), body }), 400, 'ValidationException', `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must not contain U+0000 or unpaired surrogate characters`);
      for (const ExecutionId of [`${executionId}\u0000`, 'x\ud800'])
        assertError(await send({ target: 'KendriteService.DescribeSyncJobReport', body: { ExecutionId } }), 400, 'ResourceNotFoundException');
      assert.deepEqual(await storeSnapshot(store), before);
    });

    test('a tag key given twice → ValidationException, in TagResource and in CreateIndex; nothing written', async () => {
      const before = await storeSnapshot(store);
      const Tags = [{ Key: 'team', Value: 'a' }, { Key: 'team', Value: 'b' }];
      assertError(await send({ target: target('TagResource'), body: { ResourceARN: indexArn, Tags } }), 400, 'ValidationException', /the key 'team' more than once/);
      assertError(await send({ target: target('CreateIndex'), body: { Name: 'twice', RoleArn: 'arn:aws:iam::000000000000:role/kendra', Tags } }), 400, 'ValidationException', /the key 'team' more than once/);
      assert.deepEqual(await storeSnapshot(store), before);
    });

    test('AttributeFilter: Kendra\'s depth limit, and bounds on filters and values → ValidationException; at the bounds it runs', async () => {
      const query = (AttributeFilter: object) => send({ target: target('Query'), body: { IndexId: indexId, AttributeFilter } });
      const refused: [object, RegExp][] = [
        [{ OrAllFilters: Array.from({ length: 987 }, (_, i) => eq(i)) }, /more than 20 filters/],
        [{ AndAllFilters: Array.from({ length: 20_000 }, (_, i) => eq(i)) }, /more than 20 filters/],
        [{ OrAllFilters: Array.from({ length: 20 }, (_, i) => eq(i)) }, /^AttributeFilter has more than 20 filters; the limit is 20\.$/],
        [{ AndAllFilters: [{ OrAllFilters: [{ NotFilter: eq(1) }] }] }, /^AttributeFilter cannot have a depth of more than 2\.$/],
        [{ ContainsAny: { Key: 'tags', Value: { StringListValue: Array.from({ length: 32_760 }, (_, i) => `v${i}`) } } }, /more than 1000 values/],
        [{ OrAllFilters: Array.from({ length: 3 }, () => ({ ContainsAll: { Key: 'tags', Value: { StringListValue: Array.from({ length: 334 }, (_, i) => `v${i}`) } } })) }, /more than 1000 values/],
      ];
      for (const [filter, message] of refused) assertError(await query(filter), 400, 'ValidationException', message);
      const atBounds = [
        { OrAllFilters: Array.from({ length: 19 }, (_, i) => eq(i)) },
        { AndAllFilters: [{ OrAllFilters: [eq(1), eq(2)] }, { NotFilter: eq(3) }] },
        { ContainsAny: { Key: 'tags', Value: { StringListValue: Array.from({ length: 1000 }, (_, i) => `v${i}`) } } },
      ];
      for (const filter of atBounds) assert.equal(assertOk(await query(filter)).TotalNumberOfResults, 0);
    });

    test('SubmitFeedback with 4,681 items is stored in full', async () => {
      const ClickFeedbackItems = Array.from({ length: 4_681 }, (_, i) => ({ ResultId: `q1-${i}`, ClickTime: 1700000000 }));
      assertOk(await send({ target: target('SubmitFeedback'), body: { IndexId: indexId, QueryId: 'q1', ClickFeedbackItems } }));
      assert.equal((await storeSnapshot(store)).query_feedback!.length, 4_681);
    });

    test('an integer beyond 2^53 - 1 is refused quoting exactly the digits sent; 2^53 - 1 itself is kept exactly', async () => {
      const before = await storeSnapshot(store);
      const job = (await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: dataSourceId }))).ExecutionId!;
      const put = (n: string) =>
        send({
          target: target('BatchPutDocument'),
          body: `{"IndexId":"${indexId}","Documents":[{"Id":"big-${n}","Blob":"dGV4dA==","ContentType":"PLAIN_TEXT","Attributes":[{"Key":"n","Value":{"LongValue":${n}}},{"Key":"_data_source_id","Value":{"StringValue":"${dataSourceId}"}},{"Key":"_data_source_sync_job_execution_id","Value":{"StringValue":"${job}"}}]}]}`,
        });
      for (const n of ['9007199254740993', '-9007199254740992', '123456789012345678901234567890'])
        assertError(await put(n), 400, 'ValidationException', `1 validation error detected: Value '${n}' failed to satisfy constraint: kendrite holds integers exactly only between -9007199254740991 and 9007199254740991 (2^53 - 1)`);
      const after = await storeSnapshot(store);
      assert.deepEqual([after.documents, after.document_queue], [before.documents, before.document_queue]);
      assert.deepEqual(assertOk(await put('9007199254740991')).FailedDocuments, []);
      await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: dataSourceId }));
      assert.equal((await jobReaching(k, indexId, dataSourceId, job, ['SUCCEEDED', 'INCOMPLETE', 'FAILED'])).Status, 'SUCCEEDED');
      const r = await k.send(new QueryCommand({ IndexId: indexId, AttributeFilter: { EqualsTo: { Key: 'n', Value: { LongValue: Number.MAX_SAFE_INTEGER } } } }));
      assert.deepEqual(r.ResultItems!.map((i) => [i.DocumentId, i.DocumentAttributes!.find((a) => a.Key === 'n')!.Value!.LongValue]), [['big-9007199254740991', Number.MAX_SAFE_INTEGER]]);
    });
  });
}
