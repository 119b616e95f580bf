import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ROLE } from './support/kendra.js';
import { boto3Skip, runBoto3 } from './support/boto3Script.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';


const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DT = '<datetime>';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Out = any;

/** Runs one scenario of boto3_scenario.py against the server; its JSON report. */
const scenario = (url: string, name: string): Promise<Out> => runBoto3('boto3_scenario.py', [url, name]);

/**
 * Replaces each error's request id with a marker after checking it is a UUID (P-2), so that the
 * rest of the report can be compared whole.
 */
function withRequestIds(v: Out): Out {
  if (Array.isArray(v)) return v.map(withRequestIds);
  if (v && typeof v === 'object') {
    const o: Out = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'requestId') {
        assert.match(x as string, UUID);
        o[k] = '<uuid>';
      } else o[k] = withRequestIds(x);
    }
    return o;
  }
  return v;
}

/**
 * A delete's wait loop ends in ResourceNotFoundException. Deletion is purged as soon as the worker
 * wakes (no transition delay), so whether the loop still sees DELETING first depends on timing.
 */
function assertDeleted(states: string[]) {
  assert.ok(['DELETING,ResourceNotFoundException', 'ResourceNotFoundException'].includes(states.join()), states.join());
}

const error = (code: string, message: string) => ({ code, message, status: 400, requestId: '<uuid>' });
const metrics = (added: number, modified: number, deleted: number, failed: number) => ({
  DocumentsAdded: String(added),
  DocumentsModified: String(modified),
  DocumentsDeleted: String(deleted),
  DocumentsFailed: String(failed),
});

for (const backend of backends()) {
  describeOrSkip(`scenarios over boto3 [${backend.name}]`, { skip: backend.skip ?? boto3Skip }, () => {
    let store: TestStore;
    let server: TestServer;
    before(async () => {
      store = await TestStore.create(backend.name);
      // CREATING and UPDATING last long enough for a Python client's
      // wait loop to see them even on a loaded machine; the default test delay (50 ms) does not.
      server = await TestServer.start(store, { env: { KENDRITE_TRANSITION_DELAY_MS: '500' } });
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('X-1/X-2/I-2: create_index wait loop, describe, list_indices paging, update_index, delete_index', async () => {
      const out = withRequestIds(await scenario(server.url, 'indices'));
      const id = out.indexId;
      assert.match(id, UUID);
      assert.deepEqual(out.createStates, ['CREATING', 'ACTIVE']);
      assert.deepEqual(out.describe, {
        Name: 'boto-docs',
        Id: id,
        Edition: 'DEVELOPER_EDITION',
        RoleArn: ROLE,
        Status: 'ACTIVE',
        Description: 'the docs',
        CreatedAt: DT,
        UpdatedAt: DT,
        IndexStatistics: {
          FaqStatistics: { IndexedQuestionAnswersCount: 0 },
          TextDocumentStatistics: { IndexedTextDocumentsCount: 0, IndexedTextBytes: 0 },
        },
      });
      assert.deepEqual(out.tags, [{ Key: 'team', Value: 'search' }]);

      assert.match(out.idempotent.first, UUID);
      assert.equal(out.idempotent.again, out.idempotent.first);
      assert.deepEqual(out.tokenReuse, error('ConflictException', "ClientToken 'boto-token-1' was already used with a different CreateIndex request."));

      // Five indices in the scenario's own region, two per page: 2 + 2 + 1, no token after the last.
      assert.equal(new Set(out.allIds).size, 5);
      assert.ok(out.allIds.includes(id) && out.allIds.includes(out.idempotent.first));
      assert.deepEqual(out.pages.map((p: Out) => [p.ids.length, p.hasNextToken]), [[2, true], [2, true], [1, false]]);
      assert.deepEqual(out.pages.flatMap((p: Out) => p.ids).sort(), out.allIds);

      assert.deepEqual(out.updateStates, ['UPDATING', 'ACTIVE']);
      assert.deepEqual(out.updated, { Name: 'boto-renamed', Description: 'renamed', Edition: 'DEVELOPER_EDITION' });

      assertDeleted(out.deleteStates);
      assert.equal(out.deleteGone, 'ResourceNotFoundException');
      // P-8: another region of the same account sees none of them.
      assert.deepEqual(out.otherRegion, []);
    });

    test('D-1..D-5/I-2/I-3/X-3: CUSTOM and S3 data sources, stored exactly, paged, updated, deleted', async () => {
      const out = withRequestIds(await scenario(server.url, 'data-sources'));
      assert.equal(out.onCreatingIndex, 'ConflictException');
      const { indexId, customId, s3Id } = out;
      for (const id of [indexId, customId, s3Id]) assert.match(id, UUID);

      assert.deepEqual(out.customStates, ['CREATING', 'ACTIVE']);
      // D-2: a CUSTOM source has no Configuration, RoleArn or Schedule at all.
      assert.deepEqual(out.customDescribe, {
        Id: customId,
        IndexId: indexId,
        Name: 'boto-custom',
        Type: 'CUSTOM',
        Description: 'pushed',
        CreatedAt: DT,
        UpdatedAt: DT,
        Status: 'ACTIVE',
      });

      assert.deepEqual(out.s3States, ['CREATING', 'ACTIVE']);
      assert.deepEqual(out.s3Describe, {
        Id: s3Id,
        IndexId: indexId,
        Name: 'boto-s3',
        Type: 'S3',
        Configuration: {
          S3Configuration: {
            BucketName: 'boto-bucket',
            InclusionPrefixes: ['docs/', 'manuals/'],
            ExclusionPatterns: ['*.tmp'],
            DocumentsMetadataConfiguration: { S3Prefix: 'meta/' },
          },
        },
        Schedule: 'cron(0 12 * * ? *)',
        Description: 'bucket',
        LanguageCode: 'en',
        RoleArn: ROLE,
        CreatedAt: DT,
        UpdatedAt: DT,
        Status: 'ACTIVE',
      });

      assert.equal(out.duplicateName, 'ResourceAlreadyExistException');
      // I-2: a retried CreateDataSource (same ClientToken, same input) returns the first id, it does not collide with itself.
      assert.match(out.idempotent.first, UUID);
      assert.equal(out.idempotent.again, out.idempotent.first);
      assert.equal(out.tokenReuse, 'ConflictException');

      assert.deepEqual(out.pages.map((p: Out) => [p.names.length, p.hasNextToken]), [[2, true], [1, false]]);
      assert.deepEqual(out.pages.flatMap((p: Out) => p.names).sort(), ['boto-custom', 'boto-idem', 'boto-s3']);

      assert.deepEqual(out.updateStates, ['UPDATING', 'ACTIVE']);
      assert.deepEqual(out.updated, {
        Configuration: { S3Configuration: { BucketName: 'boto-bucket-2', InclusionPatterns: ['*.pdf'] } },
        Schedule: 'cron(30 6 ? * MON-FRI *)',
        Description: 'moved',
        LanguageCode: 'en',
        RoleArn: ROLE,
        Name: 'boto-s3',
      });

      assertDeleted(out.deleteStates);
      assert.deepEqual(out.namesAfterDelete, ['boto-idem', 'boto-s3']);
    });

    test('tag_resource / untag_resource / list_tags_for_resource on index and data source ARNs', async () => {
      const out = withRequestIds(await scenario(server.url, 'tags'));
      assert.deepEqual(out.indexTags, [{ Key: 'env', Value: 'test' }]);
      assert.deepEqual(out.dataSourceTags, [{ Key: 'a', Value: '3' }, { Key: 'b', Value: '2' }]);
      assert.deepEqual(out.afterUntag, [{ Key: 'b', Value: '2' }]);
      assert.equal(out.unknownArn, 'ResourceNotFoundException');
      assert.equal(out.foreignArn, 'ResourceNotFoundException');
    });

    test('S-JOB-1/S-JOB-4/S-JOB-6/S-LIST-2/S-LIST-3: two CUSTOM jobs fed with bytes Blobs, exact metrics and document states', async () => {
      const out = withRequestIds(await scenario(server.url, 'sync'));
      const { job1, job2 } = out;
      assert.match(job1, UUID);
      assert.match(job2, UUID);
      assert.notEqual(job1, job2);
      // S-JOB-4: no EndTime while active; no DocumentsScanned for CUSTOM.
      assert.deepEqual(out.syncing, { ExecutionId: job1, StartTime: DT, Status: 'SYNCING', Metrics: metrics(0, 0, 0, 0) });
      assert.equal(out.secondStart, 'ResourceInUseException');

      assert.deepEqual(out.job1PutFailed, [[], [], [], []]);
      assert.deepEqual(out.job1DeleteFailed, []);
      assert.deepEqual(out.stop1, {});
      // 30 added (d0 sent twice counts once), d28/d29 deleted, never-existed counts nowhere.
      assert.deepEqual(out.job1Done, { ExecutionId: job1, StartTime: DT, EndTime: DT, Status: 'SUCCEEDED', Metrics: metrics(30, 0, 2, 0) });
      // The bytes boto3 base64-encoded arrive intact: the index holds exactly their UTF-8 length.
      assert.deepEqual(out.statistics1, { IndexedTextDocumentsCount: 28, IndexedTextBytes: out.expectedBytes1 });
      assert.equal(out.expectedBytes1, 1249);

      assert.deepEqual(out.job2PutFailed, [[], []]);
      assert.deepEqual(out.job2DeleteFailed, []);
      assert.deepEqual(out.job2Done, { ExecutionId: job2, StartTime: DT, EndTime: DT, Status: 'SUCCEEDED', Metrics: metrics(4, 5, 3, 0) });
      assert.equal(out.statistics2.IndexedTextDocumentsCount, 29);
      assert.deepEqual(out.documentStatus, { d0: 'UPDATED', d5: 'INDEXED', n0: 'INDEXED', d10: 'NOT_FOUND', d29: 'NOT_FOUND', 'never-existed': 'NOT_FOUND' });
      assert.deepEqual(out.documentStatusErrors, []);

      assert.deepEqual(out.pagedIds, [job2, job1]);
      assert.equal(out.lastPageHasNextToken, false);
      assert.equal(out.succeededCount, 2);
      assert.equal(out.failedCount, 0);
      assert.equal(out.idleStop, 'OK');
      assert.equal(out.jobCountAfterIdleStop, 2);

      assertDeleted(out.deleteStates);
      assert.equal(out.historyAfterDelete, 'ResourceNotFoundException');
    });

    test('P-4/P-5/S-LIST-1/S-LIST-4/S-LIST-5: errors as boto3 surfaces them, with parameter validation off', async () => {
      const out = withRequestIds(await scenario(server.url, 'errors'));
      const { indexId: ix, dataSourceId: ds, otherIndexId: otherIndex } = out;
      for (const id of [ix, ds, otherIndex]) assert.match(id, UUID);
      assert.notEqual(otherIndex, ix);
      assert.deepEqual(out.validation, {
        maxResults11: error('ValidationException', "1 validation error detected: Value '11' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10"),
        badEdition: error('ValidationException', "1 validation error detected: Value 'PLATINUM_EDITION' at 'edition' failed to satisfy constraint: Member must satisfy enum value set: [DEVELOPER_EDITION, ENTERPRISE_EDITION, GEN_AI_ENTERPRISE_EDITION]"),
        nameTooLong: error('ValidationException', `1 validation error detected: Value '${'n'.repeat(1001)}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 1000`),
        startAfterEnd: error('ValidationException', 'StartTimeFilter.StartTime must not be later than StartTimeFilter.EndTime.'),
        badStatusFilter: error('ValidationException', "1 validation error detected: Value 'RUNNING' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [FAILED, SUCCEEDED, SYNCING, INCOMPLETE, STOPPING, ABORTED, SYNCING_INDEXING]"),
        shortIndexId: error('ValidationException', "1 validation error detected: Value 'short' at 'id' failed to satisfy constraint: Member must have length greater than or equal to 36"),
        tooManyDocuments: error('ValidationException', "1 validation error detected: Value at 'documents' failed to satisfy constraint: Member must have length less than or equal to 10"),
        badNextToken: error('ValidationException', 'Invalid NextToken: it was not issued for this request or was altered.'),
      });
      assert.deepEqual(out.wrongType, error('SerializationException', "Invalid type at 'maxResults': expected an integer, got string"));

      const unknown = '00000000-0000-0000-0000-000000000000';
      const n = out.notFound;
      assert.deepEqual(n, {
        describeIndex: error('ResourceNotFoundException', `Index ${unknown} does not exist.`),
        describeDataSource: error('ResourceNotFoundException', `Data source ${unknown} does not exist in index ${ix}.`),
        listJobsUnknownIndex: error('ResourceNotFoundException', `Index ${unknown} does not exist.`),
        listJobsOtherIndex: error('ResourceNotFoundException', `Data source ${ds} does not exist in index ${otherIndex}.`),
        startUnknownSource: error('ResourceNotFoundException', `Data source ${unknown} does not exist in index ${ix}.`),
        stopOtherIndex: error('ResourceNotFoundException', `Data source ${ds} does not exist in index ${otherIndex}.`),
        deleteDataSource: error('ResourceNotFoundException', `Data source ${unknown} does not exist in index ${ix}.`),
        updateIndex: error('ResourceNotFoundException', `Index ${unknown} does not exist.`),
      });
      // The refused CreateIndex calls created nothing.
      assert.deepEqual(out.indexNames, ['boto-errors', 'boto-errors-other']);
    });
  });
}
