import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  BatchGetDocumentStatusCommand,
  BatchPutDocumentCommand,
  DescribeIndexCommand,
  StartDataSourceSyncJobCommand,
  StopDataSourceSyncJobCommand,
  type KendraClient,
} from '@aws-sdk/client-kendra';
import { makeDocx, makePdf } from './support/corpus.js';
import { activeCustomDataSource, activeIndex, jobReaching } from './support/kendra.js';
import { Bucket, Moto } from './support/moto.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';

for (const backend of backends()) {
  describeOrSkip(`BatchPutDocument with S3Path content, from moto's S3 [${backend.name}]`, { skip: backend.skip }, () => {
    let moto: Moto;
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    before(async () => {
      moto = await Moto.start();
      const bucket = await Bucket.create(moto.client(), 'batch-docs');
      await bucket.put('notes/plain.txt', 'plain words from the bucket');
      await bucket.put('reports/q3.pdf', makePdf('quarterly revenue grew in the third quarter'));
      await bucket.put('memos/memo.docx', makeDocx(['memo about the offsite', 'second paragraph']));
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, { env: moto.env });
      k = server.client();
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
      await moto?.stop();
    });

    test('objects are fetched, extracted and counted; a missing object fails its document with the S3 reason', async () => {
      const indexId = await activeIndex(k);
      const ds = await activeCustomDataSource(k, indexId, 's3path');
      const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const Attributes = [
        { Key: '_data_source_id', Value: { StringValue: ds } },
        { Key: '_data_source_sync_job_execution_id', Value: { StringValue: ExecutionId } },
      ];
      const r = await k.send(
        new BatchPutDocumentCommand({
          IndexId: indexId,
          Documents: [
            { Id: 'plain', S3Path: { Bucket: 'batch-docs', Key: 'notes/plain.txt' }, ContentType: 'PLAIN_TEXT', Attributes },
            { Id: 'pdf', S3Path: { Bucket: 'batch-docs', Key: 'reports/q3.pdf' }, ContentType: 'PDF', Attributes },
            { Id: 'docx', S3Path: { Bucket: 'batch-docs', Key: 'memos/memo.docx' }, Attributes },
            { Id: 'missing', S3Path: { Bucket: 'batch-docs', Key: 'nope.txt' }, ContentType: 'PLAIN_TEXT', Attributes },
            { Id: 'both', S3Path: { Bucket: 'batch-docs', Key: 'notes/plain.txt' }, Blob: Buffer.from('x'), Attributes },
          ],
        }),
      );
      assert.deepEqual(r.FailedDocuments!.map((f) => [f.Id, f.ErrorCode]), [['both', 'InvalidRequest']]);
      await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const job = await jobReaching(k, indexId, ds, ExecutionId!, ['SUCCEEDED', 'INCOMPLETE', 'FAILED']);
      assert.equal(job.Status, 'INCOMPLETE');
      assert.deepEqual({ ...job.Metrics }, { DocumentsAdded: '3', DocumentsModified: '0', DocumentsDeleted: '0', DocumentsFailed: '1' });
      const st = await k.send(new BatchGetDocumentStatusCommand({ IndexId: indexId, DocumentInfoList: ['plain', 'pdf', 'docx', 'missing'].map((DocumentId) => ({ DocumentId })) }));
      const byId = Object.fromEntries(st.DocumentStatusList!.map((d) => [d.DocumentId, d]));
      assert.equal(byId.plain!.DocumentStatus, 'INDEXED');
      assert.equal(byId.pdf!.DocumentStatus, 'INDEXED');
      assert.equal(byId.docx!.DocumentStatus, 'INDEXED');
      assert.equal(byId.missing!.DocumentStatus, 'FAILED');
      assert.match(byId.missing!.FailureReason!, /s3:\/\/batch-docs\/nope\.txt.*NoSuchKey/);
      const text = (await k.send(new DescribeIndexCommand({ Id: indexId }))).IndexStatistics!.TextDocumentStatistics!;
      assert.equal(text.IndexedTextDocumentsCount, 3);
      assert.equal(text.IndexedTextBytes, Buffer.byteLength('plain words from the bucket') + Buffer.byteLength('quarterly revenue grew in the third quarter') + Buffer.byteLength('memo about the offsite\n\nsecond paragraph'));
    });
  });
}
