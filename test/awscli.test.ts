import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AwsCli, awsCliSkip, cliBlob, cliError, EXIT } from './support/awscli.js';
import { ROLE } from './support/kendra.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UNKNOWN = '00000000-0000-0000-0000-000000000000';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** v1 prints timestamps as the wire's epoch seconds, v2 as ISO 8601; either way a timestamp, never asserted as a time. */
function isTimestamp(v: unknown): boolean {
  return (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && !Number.isNaN(Date.parse(v)));
}

/** Each timestamp member checked and replaced by a marker, so that the rest compares whole. */
function withTimestamps(o: Json, keys: string[]): Json {
  const copy = { ...o };
  for (const k of keys) {
    assert.ok(isTimestamp(copy[k]), `${k} is a timestamp: ${copy[k]}`);
    copy[k] = '<timestamp>';
  }
  return copy;
}

const metrics = (added: number, modified: number, deleted: number, failed: number) => ({
  DocumentsAdded: String(added),
  DocumentsModified: String(modified),
  DocumentsDeleted: String(deleted),
  DocumentsFailed: String(failed),
});

for (const backend of backends()) {
  describeOrSkip(`scenario over the AWS CLI [${backend.name}]`, { skip: backend.skip ?? awsCliSkip }, () => {
    let store: TestStore;
    let server: TestServer;
    let aws: AwsCli;
    // One scenario in steps: each test builds on the resources of the one before.
    let indexId: string;
    let dataSourceId: string;
    let executionId: string;
    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store);
      aws = new AwsCli(server.url);
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
      aws?.dispose();
    });

    /** The client's wait loop: describe until `until`; the distinct states seen, in order, and the last output. */
    async function statesUntil(args: string[], until: string): Promise<{ states: string[]; last: Json }> {
      const states: string[] = [];
      const last = await waitFor(`${args[0]} → ${until}`, async () => {
        const r = await aws.run(args);
        const out = r.exitCode === 0 ? (JSON.parse(r.stdout) as Json) : undefined;
        const s = out ? out.Status : cliError(r)?.code ?? `exit ${r.exitCode}`;
        if (states[states.length - 1] !== s) states.push(s);
        return s === until ? out ?? {} : undefined;
      }, 60_000);
      return { states, last };
    }

    test('X-1: create-index, a wait loop on describe-index until ACTIVE, tags given at creation', async () => {
      const created = await aws.json(['create-index', '--name', 'cli-docs', '--role-arn', ROLE, '--description', 'from the CLI', '--edition', 'DEVELOPER_EDITION', '--tags', 'Key=team,Value=cli']);
      assert.deepEqual(Object.keys(created), ['Id']);
      assert.match(created.Id as string, UUID);
      indexId = created.Id as string;
      // A CLI call takes too long to be sure of catching CREATING; the loop may only ever see ACTIVE.
      const { states, last: described } = await statesUntil(['describe-index', '--id', indexId], 'ACTIVE');
      assert.ok(['CREATING,ACTIVE', 'ACTIVE'].includes(states.join()), states.join());
      assert.deepEqual(withTimestamps(described, ['CreatedAt', 'UpdatedAt']), {
        Name: 'cli-docs',
        Id: indexId,
        Edition: 'DEVELOPER_EDITION',
        RoleArn: ROLE,
        Status: 'ACTIVE',
        Description: 'from the CLI',
        CreatedAt: '<timestamp>',
        UpdatedAt: '<timestamp>',
        IndexStatistics: {
          FaqStatistics: { IndexedQuestionAnswersCount: 0 },
          TextDocumentStatistics: { IndexedTextDocumentsCount: 0, IndexedTextBytes: 0 },
        },
      });
      const tags = await aws.json(['list-tags-for-resource', '--resource-arn', `arn:aws:kendra:us-east-1:000000000000:index/${indexId}`]);
      assert.deepEqual(tags, { Tags: [{ Key: 'team', Value: 'cli' }] });
    });

    test('D-1/I-3: create-data-source CUSTOM; a duplicate name and a bad --type are refused by the server', async () => {
      const created = await aws.json(['create-data-source', '--index-id', indexId, '--name', 'cli-custom', '--type', 'CUSTOM']);
      assert.match(created.Id as string, UUID);
      dataSourceId = created.Id as string;
      const { states, last: described } = await statesUntil(['describe-data-source', '--index-id', indexId, '--id', dataSourceId], 'ACTIVE');
      assert.ok(['CREATING,ACTIVE', 'ACTIVE'].includes(states.join()), states.join());
      assert.deepEqual(withTimestamps(described, ['CreatedAt', 'UpdatedAt']), {
        Id: dataSourceId,
        IndexId: indexId,
        Name: 'cli-custom',
        Type: 'CUSTOM',
        CreatedAt: '<timestamp>',
        UpdatedAt: '<timestamp>',
        Status: 'ACTIVE',
      });
      const [duplicate, badType] = await Promise.all([
        aws.fails(['create-data-source', '--index-id', indexId, '--name', 'cli-custom', '--type', 'CUSTOM']),
        // The CLI does not check enums itself: this ValidationException is the server's.
        aws.fails(['create-data-source', '--index-id', indexId, '--name', 'cli-bad', '--type', 'FTP']),
      ]);
      assert.deepEqual(duplicate, {
        code: 'ResourceAlreadyExistException',
        operation: 'CreateDataSource',
        message: `A data source named 'cli-custom' already exists in index ${indexId}.`,
        exitCode: EXIT.serviceError,
      });
      assert.equal(badType.code, 'ValidationException');
      assert.equal(badType.operation, 'CreateDataSource');
      assert.match(badType.message, /^1 validation error detected: Value 'FTP' at 'type' failed to satisfy constraint: Member must satisfy enum value set: \[S3, /);
      assert.equal(badType.exitCode, EXIT.serviceError);
      const listed = await aws.json(['list-data-sources', '--index-id', indexId]);
      assert.deepEqual((listed.SummaryItems as Json[]).map((s) => s.Name), ['cli-custom']);
    });

    test('S-JOB-1/S-JOB-4/S-JOB-6: a sync job fed through file:// documents, stopped, listed until SUCCEEDED with exact metrics', async () => {
      const started = await aws.json(['start-data-source-sync-job', '--index-id', indexId, '--id', dataSourceId]);
      assert.deepEqual(Object.keys(started), ['ExecutionId']);
      assert.match(started.ExecutionId as string, UUID);
      executionId = started.ExecutionId as string;

      const [second, syncing] = await Promise.all([
        aws.fails(['start-data-source-sync-job', '--index-id', indexId, '--id', dataSourceId]),
        aws.json(['list-data-source-sync-jobs', '--index-id', indexId, '--id', dataSourceId]),
      ]);
      assert.deepEqual(second, {
        code: 'ResourceInUseException',
        operation: 'StartDataSourceSyncJob',
        message: `Data source ${dataSourceId} already has a sync job running; stop it or wait for it to finish.`,
        exitCode: EXIT.serviceError,
      });

      assert.deepEqual(Object.keys(syncing), ['History']);
      assert.equal((syncing.History as Json[]).length, 1);
      assert.deepEqual(withTimestamps((syncing.History as Json[])[0], ['StartTime']), {
        ExecutionId: executionId,
        StartTime: '<timestamp>',
        Status: 'SYNCING',
        Metrics: metrics(0, 0, 0, 0),
      });

      // Non-ASCII text: the index's byte count below proves the Blob was base64-encoded exactly once.
      const texts = new Map<string, string>();
      const document = (id: string, text: string) => {
        texts.set(id, text);
        return {
          Id: id,
          Title: `Title ${id}`,
          ContentType: 'PLAIN_TEXT',
          Blob: cliBlob(text),
          Attributes: [
            { Key: '_data_source_id', Value: { StringValue: dataSourceId } },
            { Key: '_data_source_sync_job_execution_id', Value: { StringValue: executionId } },
          ],
        };
      };
      const batch1 = Array.from({ length: 10 }, (_, i) => document(`c${i}`, `CLI document ${i}: naïve café ☕ ${i}`));
      const batch2 = [document('c10', 'CLI document 10'), document('c11', 'CLI document 11'), document('c0', 'CLI document 0, sent again')];
      const put1 = await aws.json(['batch-put-document', '--index-id', indexId, '--documents', aws.file('batch1.json', batch1)]);
      const put2 = await aws.json(['batch-put-document', '--index-id', indexId, '--documents', aws.file('batch2.json', batch2)]);
      assert.deepEqual([put1, put2], [{ FailedDocuments: [] }, { FailedDocuments: [] }]);
      const deleted = await aws.json([
        'batch-delete-document', '--index-id', indexId, '--document-id-list', 'c10', 'c11', 'never-existed',
        '--data-source-sync-job-metric-target', `DataSourceId=${dataSourceId},DataSourceSyncJobId=${executionId}`,
      ]);
      assert.deepEqual(deleted, { FailedDocuments: [] });
      texts.delete('c10');
      texts.delete('c11');

      assert.deepEqual(await aws.json(['stop-data-source-sync-job', '--index-id', indexId, '--id', dataSourceId]), {});
      const done = await waitFor('SUCCEEDED', async () => {
        const page = await aws.json(['list-data-source-sync-jobs', '--index-id', indexId, '--id', dataSourceId]);
        const job = (page.History as Json[]).find((j) => j.ExecutionId === executionId);
        return ['SUCCEEDED', 'INCOMPLETE', 'FAILED'].includes(job?.Status) ? job : undefined;
      }, 60_000);
      // 12 added (c0 twice counts once), c10/c11 deleted; never-existed counts nowhere; no DocumentsScanned for CUSTOM.
      assert.deepEqual(withTimestamps(done, ['StartTime', 'EndTime']), {
        ExecutionId: executionId,
        StartTime: '<timestamp>',
        EndTime: '<timestamp>',
        Status: 'SUCCEEDED',
        Metrics: metrics(12, 0, 2, 0),
      });

      const bytes = [...texts.values()].reduce((n, t) => n + Buffer.byteLength(t), 0);
      assert.equal(bytes, 332);
      const [index, status] = await Promise.all([
        aws.json(['describe-index', '--id', indexId]),
        aws.json(['batch-get-document-status', '--index-id', indexId, '--document-info-list', 'DocumentId=c0', 'DocumentId=c1', 'DocumentId=c10']),
      ]);
      assert.deepEqual((index.IndexStatistics as Json).TextDocumentStatistics, { IndexedTextDocumentsCount: 10, IndexedTextBytes: bytes });
      assert.deepEqual(status.Errors, []);
      // c0 was replaced by its second put (UPDATED), though the job counts it once, as added.
      assert.deepEqual(Object.fromEntries((status.DocumentStatusList as Json[]).map((d) => [d.DocumentId, d.DocumentStatus])), { c0: 'UPDATED', c1: 'INDEXED', c10: 'NOT_FOUND' });
    });

    test('P-5/S-LIST-1/S-LIST-4: the server\'s errors as the CLI prints them; the CLI\'s own parameter check is another thing', async () => {
      const list = ['list-data-source-sync-jobs', '--index-id', indexId, '--id', dataSourceId];
      const [filtered, maxResults11, startAfterEnd, unknownIndex, unknownSource, stopUnknown] = await Promise.all([
        aws.json([...list, '--status-filter', 'SUCCEEDED']),
        // botocore checks only the minimum of MaxResults, so 11 reaches the server.
        aws.fails([...list, '--max-results', '11']),
        aws.fails([...list, '--start-time-filter', 'StartTime=2024-01-02T00:00:00Z,EndTime=2024-01-01T00:00:00Z']),
        aws.fails(['describe-index', '--id', UNKNOWN]),
        aws.fails(['list-data-source-sync-jobs', '--index-id', indexId, '--id', UNKNOWN]),
        aws.fails(['stop-data-source-sync-job', '--index-id', indexId, '--id', UNKNOWN]),
      ]);
      assert.deepEqual((filtered.History as Json[]).map((j) => j.ExecutionId), [executionId]);
      const serviceError = (code: string, operation: string, message: string) => ({ code, operation, message, exitCode: EXIT.serviceError });
      assert.deepEqual(maxResults11, serviceError('ValidationException', 'ListDataSourceSyncJobs', "1 validation error detected: Value '11' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10"));
      assert.deepEqual(startAfterEnd, serviceError('ValidationException', 'ListDataSourceSyncJobs', 'StartTimeFilter.StartTime must not be later than StartTimeFilter.EndTime.'));
      assert.deepEqual(unknownIndex, serviceError('ResourceNotFoundException', 'DescribeIndex', `Index ${UNKNOWN} does not exist.`));
      assert.deepEqual(unknownSource, serviceError('ResourceNotFoundException', 'ListDataSourceSyncJobs', `Data source ${UNKNOWN} does not exist in index ${indexId}.`));
      assert.deepEqual(stopUnknown, serviceError('ResourceNotFoundException', 'StopDataSourceSyncJob', `Data source ${UNKNOWN} does not exist in index ${indexId}.`));

      // MaxResults 0 is below botocore's minimum: the CLI refuses it before any request, with no service error line.
      const local = await aws.run([...list, '--max-results', '0']);
      assert.equal(local.exitCode, EXIT.parameterError);
      assert.equal(cliError(local), undefined);
      assert.match(local.stderr, /Parameter validation failed:\s+Invalid value for parameter MaxResults, value: 0, valid min value: 1/);
    });

    test('X-2: delete-index, a wait loop until describe-index says ResourceNotFoundException', async () => {
      assert.deepEqual(await aws.json(['delete-index', '--id', indexId]), {});
      const { states } = await statesUntil(['describe-index', '--id', indexId], 'ResourceNotFoundException');
      assert.ok(['DELETING,ResourceNotFoundException', 'ResourceNotFoundException'].includes(states.join()), states.join());
      const [again, history] = await Promise.all([
        aws.fails(['delete-index', '--id', indexId]),
        aws.fails(['list-data-source-sync-jobs', '--index-id', indexId, '--id', dataSourceId]),
      ]);
      assert.deepEqual(again, { code: 'ResourceNotFoundException', operation: 'DeleteIndex', message: `Index ${indexId} does not exist.`, exitCode: EXIT.serviceError });
      assert.equal(history.code, 'ResourceNotFoundException');
      assert.equal(history.exitCode, EXIT.serviceError);
    });
  });
}
