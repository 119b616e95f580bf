import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  BatchDeleteDocumentCommand,
  BatchGetDocumentStatusCommand,
  BatchPutDocumentCommand,
  DeleteDataSourceCommand,
  DescribeIndexCommand,
  ListDataSourceSyncJobsCommand,
  StartDataSourceSyncJobCommand,
  StopDataSourceSyncJobCommand,
  type DataSourceSyncJob,
  type Document,
  type KendraClient,
} from '@aws-sdk/client-kendra';
import { activeCustomDataSource, activeIndex, jobOf, jobReaching, rejectsWith } from './support/kendra.js';
import { backends, describeOrSkip, REPO_ROOT, TestServer, TestStore, waitFor } from './support/server.js';

const run = promisify(execFile);

function doc(id: string, text: string, ds: string, job?: string, extra: Partial<Document> = {}): Document {
  const Attributes = [{ Key: '_data_source_id', Value: { StringValue: ds } }];
  if (job) Attributes.push({ Key: '_data_source_sync_job_execution_id', Value: { StringValue: job } });
  return { Id: id, Blob: Buffer.from(text), ContentType: 'PLAIN_TEXT', Title: `Title ${id}`, Attributes, ...extra };
}

const metrics = (j: DataSourceSyncJob | undefined) => ({ ...j?.Metrics });

async function docStatus(k: KendraClient, indexId: string, ids: string[]) {
  const r = await k.send(new BatchGetDocumentStatusCommand({ IndexId: indexId, DocumentInfoList: ids.map((DocumentId) => ({ DocumentId })) }));
  return Object.fromEntries(r.DocumentStatusList!.map((d) => [d.DocumentId!, d]));
}

for (const backend of backends()) {
  describeOrSkip(`CUSTOM sync jobs over @aws-sdk/client-kendra [${backend.name}]`, { skip: backend.skip }, () => {
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

    test('S-JOB-6: two jobs with exact Added / Modified / Deleted, through SYNCING_INDEXING to SUCCEEDED', async () => {
      const ds = await activeCustomDataSource(k, indexId, 'flow');
      const { ExecutionId: job1 } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const syncing = await jobOf(k, indexId, ds, job1!);
      assert.equal(syncing!.Status, 'SYNCING');
      assert.equal(syncing!.EndTime, undefined);
      assert.deepEqual(metrics(syncing), { DocumentsAdded: '0', DocumentsModified: '0', DocumentsDeleted: '0', DocumentsFailed: '0' });
      for (let b = 0; b < 3; b++) {
        const Documents = Array.from({ length: 10 }, (_, i) => doc(`d${b * 10 + i}`, `document number ${b * 10 + i} about kendrite`, ds, job1));
        const r = await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents }));
        assert.deepEqual(r.FailedDocuments, []);
      }
      // d0 sent again in the same job: counts once.
      await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: [doc('d0', 'document number 0 changed', ds, job1)] }));
      const del = await k.send(new BatchDeleteDocumentCommand({ IndexId: indexId, DocumentIdList: ['d28', 'd29', 'never-existed'], DataSourceSyncJobMetricTarget: { DataSourceId: ds, DataSourceSyncJobId: job1 } }));
      assert.deepEqual(del.FailedDocuments, []);
      await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const done1 = await jobReaching(k, indexId, ds, job1!, ['SUCCEEDED', 'INCOMPLETE', 'FAILED']);
      assert.equal(done1.Status, 'SUCCEEDED');
      assert.ok(done1.EndTime instanceof Date);
      assert.deepEqual(metrics(done1), { DocumentsAdded: '30', DocumentsModified: '0', DocumentsDeleted: '2', DocumentsFailed: '0' });
      const ix = await k.send(new DescribeIndexCommand({ Id: indexId }));
      assert.equal(ix.IndexStatistics!.TextDocumentStatistics!.IndexedTextDocumentsCount, 28);

      // Job 2: d0..d4 changed, d5..d9 unchanged, n0..n3 new, d10..d12 deleted.
      const { ExecutionId: job2 } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const changed = [0, 1, 2, 3, 4].map((i) => doc(`d${i}`, `document number ${i} rewritten`, ds, job2));
      const unchanged = [5, 6, 7, 8, 9].map((i) => doc(`d${i}`, `document number ${i} about kendrite`, ds, job2));
      const fresh = [0, 1, 2, 3].map((i) => doc(`n${i}`, `new document ${i}`, ds, job2));
      await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: [...changed, ...unchanged] }));
      await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: fresh }));
      await k.send(new BatchDeleteDocumentCommand({ IndexId: indexId, DocumentIdList: ['d10', 'd11', 'd12'], DataSourceSyncJobMetricTarget: { DataSourceId: ds, DataSourceSyncJobId: job2 } }));
      await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const done2 = await jobReaching(k, indexId, ds, job2!, ['SUCCEEDED', 'INCOMPLETE', 'FAILED']);
      assert.equal(done2.Status, 'SUCCEEDED');
      assert.deepEqual(metrics(done2), { DocumentsAdded: '4', DocumentsModified: '5', DocumentsDeleted: '3', DocumentsFailed: '0' });
      const st = await docStatus(k, indexId, ['d0', 'd5', 'n0', 'd10', 'd29']);
      assert.equal(st.d0!.DocumentStatus, 'UPDATED');
      assert.equal(st.d5!.DocumentStatus, 'INDEXED');
      assert.equal(st.n0!.DocumentStatus, 'INDEXED');
      assert.equal(st.d10!.DocumentStatus, 'NOT_FOUND');
      assert.equal(st.d29!.DocumentStatus, 'NOT_FOUND');
      const ix2 = await k.send(new DescribeIndexCommand({ Id: indexId }));
      assert.equal(ix2.IndexStatistics!.TextDocumentStatistics!.IndexedTextDocumentsCount, 29);

      // The document-level report (S-JOB-8) through the CLI.
      const { stdout } = await run(process.execPath, [path.join(REPO_ROOT, 'dist/src/cli/main.js'), 'report', job2!, '--endpoint', server.url]);
      const lines = stdout.trim().split('\n');
      assert.match(lines[0]!, new RegExp(`^${job2} SUCCEEDED`));
      assert.match(lines[1]!, /^timeline: SYNCING \S+ → SYNCING_INDEXING \S+ → SUCCEEDED \S+$/);
      assert.deepEqual(lines.slice(2).map((l) => l.split(/\s+/).slice(0, 2).join(' ')).sort(), [
        'ADDED n0', 'ADDED n1', 'ADDED n2', 'ADDED n3', 'DELETED d10', 'DELETED d11', 'DELETED d12',
        'MODIFIED d0', 'MODIFIED d1', 'MODIFIED d2', 'MODIFIED d3', 'MODIFIED d4',
      ]);
    });

    test('S-JOB-6: extraction failures make the job INCOMPLETE; up-front rejections are not counted', async () => {
      const ds = await activeCustomDataSource(k, indexId, 'failing');
      const { ExecutionId: job } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const r = await k.send(
        new BatchPutDocumentCommand({
          IndexId: indexId,
          Documents: [
            doc('ok-1', 'fine text', ds, job),
            doc('bad-json', '{"a": [1, 2', ds, job, { ContentType: 'JSON' }),
            doc('bad-xml', '<a><b></a>', ds, job, { ContentType: 'XML' }),
            doc('rejected', 'text', ds, job, { Attributes: [{ Key: '_data_source_id', Value: { StringValue: ds } }, { Key: '_data_source_sync_job_execution_id', Value: { StringValue: job } }, { Key: '_created_at', Value: { StringValue: 'yesterday' } }] }),
          ],
        }),
      );
      assert.deepEqual(r.FailedDocuments!.map((f) => [f.Id, f.ErrorCode]), [['rejected', 'InvalidRequest']]);
      assert.match(r.FailedDocuments![0]!.ErrorMessage!, /_created_at takes a DateValue/);
      await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const done = await jobReaching(k, indexId, ds, job!, ['SUCCEEDED', 'INCOMPLETE', 'FAILED']);
      assert.equal(done.Status, 'INCOMPLETE');
      assert.deepEqual(metrics(done), { DocumentsAdded: '1', DocumentsModified: '0', DocumentsDeleted: '0', DocumentsFailed: '2' });
      const st = await docStatus(k, indexId, ['ok-1', 'bad-json', 'bad-xml', 'rejected']);
      assert.equal(st['ok-1']!.DocumentStatus, 'INDEXED');
      assert.equal(st['bad-json']!.DocumentStatus, 'FAILED');
      assert.match(st['bad-json']!.FailureReason!, /JSON/i);
      assert.equal(st['bad-xml']!.DocumentStatus, 'FAILED');
      assert.match(st['bad-xml']!.FailureReason!, /XML/i);
      assert.equal(st.rejected!.DocumentStatus, 'NOT_FOUND');

      // S-JOB-6: a batch naming a finished job returns every document in FailedDocuments.
      const late = await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: [doc('late-1', 'x', ds, job), doc('late-2', 'y', ds)] }));
      assert.deepEqual(late.FailedDocuments!.map((f) => f.Id), ['late-1', 'late-2']);
      const lateDelete = await k.send(new BatchDeleteDocumentCommand({ IndexId: indexId, DocumentIdList: ['ok-1'], DataSourceSyncJobMetricTarget: { DataSourceId: ds, DataSourceSyncJobId: job } }));
      assert.deepEqual(lateDelete.FailedDocuments!.map((f) => f.Id), ['ok-1']);
      assert.equal((await docStatus(k, indexId, ['ok-1']))['ok-1']!.DocumentStatus, 'INDEXED');
    });

    test('S-JOB-1/S-JOB-2: one active job; stop with nothing running succeeds; concurrent starts make one job', async () => {
      const ds = await activeCustomDataSource(k, indexId, 'single');
      await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      assert.deepEqual((await k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds }))).History, []);
      const results = await Promise.allSettled(Array.from({ length: 16 }, () => server.client().send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }))));
      const ok = results.filter((r) => r.status === 'fulfilled');
      assert.equal(ok.length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as Error).name, 'ResourceInUseException');
      assert.equal((await k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds }))).History!.length, 1);
      await rejectsWith(k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds })), 'ResourceInUseException');
      // A CUSTOM source may start a new job while the previous one is SYNCING_INDEXING.
      await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: [doc('s1', 'one', ds)] }));
      await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      assert.ok(ExecutionId);
    });

    test('S-LIST-1/S-LIST-4: unknown index or data source → ResourceNotFoundException; StartTime after EndTime → ValidationException', async () => {
      const ds = await activeCustomDataSource(k, indexId, 'errors');
      const otherIndex = await activeIndex(k, 'errors-other');
      await rejectsWith(k.send(new ListDataSourceSyncJobsCommand({ IndexId: '00000000-0000-0000-0000-000000000000', Id: ds })), 'ResourceNotFoundException');
      await rejectsWith(k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: 'no-such-source' })), 'ResourceNotFoundException');
      await rejectsWith(k.send(new ListDataSourceSyncJobsCommand({ IndexId: otherIndex, Id: ds })), 'ResourceNotFoundException');
      await rejectsWith(k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: 'no-such-source' })), 'ResourceNotFoundException');
      await rejectsWith(k.send(new StopDataSourceSyncJobCommand({ IndexId: otherIndex, Id: ds })), 'ResourceNotFoundException');
      await rejectsWith(
        k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds, StartTimeFilter: { StartTime: new Date(2000), EndTime: new Date(1000) } })),
        'ValidationException',
      );
      await rejectsWith(k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds, MaxResults: 11 })), 'ValidationException');
      // D-5: a DELETING data source cannot start a sync.
      await k.send(new DeleteDataSourceCommand({ IndexId: indexId, Id: ds }));
      const refused = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds })).then(() => undefined, (err: Error) => err);
      // Still DELETING (Conflict) or already gone (NotFound), depending on how fast the purge ran: never a started job.
      assert.ok(refused, 'a sync on a deleted data source must be refused');
      assert.ok(['ConflictException', 'ResourceNotFoundException'].includes(refused.name), refused.name);
    });
  });
}
