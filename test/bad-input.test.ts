// P-1..P-5, P-9 over HTTP: every implemented operation gets every case of the bad-input table, plus
// bodies that are not JSON objects, unknown targets, unimplemented operations and oversized bodies.
// Each answer is checked for its exact code, status, x-amzn-ErrorType and request id (P-2/P-3), and
// the store (every row of every table) is unchanged afterwards.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  BatchGetDocumentStatusCommand,
  BatchPutDocumentCommand,
  StartDataSourceSyncJobCommand,
  StopDataSourceSyncJobCommand,
  TagResourceCommand,
  type KendraClient,
} from '@aws-sdk/client-kendra';
import { IMPLEMENTED_OPERATIONS } from '../src/api/kendraService.js';
import { OPERATION_NAMES, type OperationName } from '../src/protocol/generated/operations.js';
import { badInputCases, validInputFor } from './support/badInputCases.js';
import { activeCustomDataSource, activeIndex, jobReaching } from './support/kendra.js';
import { assertError, assertOk, assertRequestId, rawRequest, target, type RawRequest } from './support/rawClient.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';
import { rowCount, storeSnapshot, type StoreSnapshot } from './support/storeSnapshot.js';

const UNIMPLEMENTED = OPERATION_NAMES.filter((op) => !IMPLEMENTED_OPERATIONS.includes(op));

interface Ids {
  indexId: string;
  dataSourceId: string;
  indexArn: string;
}

/**
 * `body` with its top-level id members pointing at real resources, except where the case is about
 * that member (its value differs from the valid input's). Validation runs before the handler, so the
 * answer is the same; but should a bad request ever slip through, it would now hit real rows and
 * the snapshot comparison would catch it.
 */
function withRealIds(op: OperationName, body: Record<string, unknown>, ids: Ids): Record<string, unknown> {
  const valid = validInputFor(op);
  const out = structuredClone(body);
  const real: Record<string, string> = {
    IndexId: ids.indexId,
    Id: /Index$/.test(op) ? ids.indexId : ids.dataSourceId,
    ResourceARN: ids.indexArn,
  };
  for (const [member, value] of Object.entries(real)) {
    if (member in out && member in valid && JSON.stringify(out[member]) === JSON.stringify(valid[member])) out[member] = value;
  }
  return out;
}

for (const backend of backends()) {
  describeOrSkip(`bad input over HTTP changes nothing [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let ids: Ids;
    let snapshot: StoreSnapshot;
    const send = (req: RawRequest) => rawRequest(server.url, req);

    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store);
      k = server.client();
      // Something of every kind in the store: an ACTIVE index with a tag, a CUSTOM data source, a
      // finished sync job with its transitions and report, indexed documents.
      const indexId = await activeIndex(k);
      const dataSourceId = await activeCustomDataSource(k, indexId);
      ids = { indexId, dataSourceId, indexArn: `arn:aws:kendra:us-east-1:000000000000:index/${indexId}` };
      await k.send(new TagResourceCommand({ ResourceARN: ids.indexArn, Tags: [{ Key: 'team', Value: 'search' }] }));
      const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: dataSourceId }));
      const Attributes = [
        { Key: '_data_source_id', Value: { StringValue: dataSourceId } },
        { Key: '_data_source_sync_job_execution_id', Value: { StringValue: ExecutionId! } },
      ];
      const put = await k.send(
        new BatchPutDocumentCommand({
          IndexId: indexId,
          Documents: ['doc-1', 'doc-2'].map((Id) => ({ Id, Title: Id, Blob: Buffer.from(`text of ${Id}`), ContentType: 'PLAIN_TEXT', Attributes })),
        }),
      );
      assert.deepEqual(put.FailedDocuments, []);
      await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: dataSourceId }));
      const job = await jobReaching(k, indexId, dataSourceId, ExecutionId!, ['SUCCEEDED', 'INCOMPLETE', 'FAILED']);
      assert.equal(job.Status, 'SUCCEEDED');
      assert.equal(job.Metrics!.DocumentsAdded, '2');
      await waitFor('documents INDEXED', async () => {
        const r = await k.send(new BatchGetDocumentStatusCommand({ IndexId: indexId, DocumentInfoList: [{ DocumentId: 'doc-1' }, { DocumentId: 'doc-2' }] }));
        return r.DocumentStatusList!.every((d) => d.DocumentStatus === 'INDEXED') ? true : undefined;
      });
      // Everything is at rest now (ACTIVE, job terminal, queue drained): nothing changes by itself.
      snapshot = await storeSnapshot(store);
      assert.equal(snapshot.indices!.length, 1);
      assert.equal(snapshot.data_sources!.length, 1);
      assert.equal(snapshot.sync_jobs!.length, 1);
      assert.equal(snapshot.documents!.length, 2);
      assert.equal(snapshot.tags!.length, 1);
      assert.equal(snapshot.document_queue!.length, 0);
      assert.equal('kendrite_migrations' in snapshot, false);
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    for (const op of IMPLEMENTED_OPERATIONS) {
      const cases = badInputCases(op);
      test(`P-5 ${op}: each of its ${cases.length} bad-input cases → its exact code and message`, async () => {
        assert.ok(cases.length > 0, `no bad-input case for ${op}`);
        const requestIds = new Set<string>();
        for (const c of cases) {
          const res = await send({ target: target(op), body: withRealIds(op, c.body, ids) });
          const message = assertError(res, 400, c.expectedCode, c.expectedMessage);
          assert.equal(message, c.exactMessage, c.name);
          requestIds.add(assertRequestId(res));
        }
        // One answer per case, each with its own request id (P-2).
        assert.equal(requestIds.size, cases.length);
      });
    }

    test('P-4: a body that is not JSON, or not a JSON object → SerializationException, for every implemented operation', async () => {
      const bodies: [string, RegExp][] = [
        ['{"a":', /^Request body is not valid JSON: /],
        ['{"IndexId": "x",}', /^Request body is not valid JSON: /],
        ['[]', /^Request body must be a JSON object\.$/],
        [JSON.stringify([validInputFor('ListIndices')]), /^Request body must be a JSON object\.$/],
        ['"a string"', /^Request body must be a JSON object\.$/],
        ['42', /^Request body must be a JSON object\.$/],
        ['null', /^Request body must be a JSON object\.$/],
        ['\u00ff\u00fe', /^Request body is not valid JSON: /],
      ];
      let checked = 0;
      for (const op of IMPLEMENTED_OPERATIONS) {
        for (const [body, message] of bodies) {
          assertError(await send({ target: target(op), body }), 400, 'SerializationException', message);
          checked++;
        }
      }
      assert.equal(checked, IMPLEMENTED_OPERATIONS.length * bodies.length);
    });

    test('P-4: members of the wrong JSON type → SerializationException naming the member', async () => {
      const cases: [OperationName, Record<string, unknown>, string][] = [
        ['CreateIndex', { Name: 5, RoleArn: 'arn:aws:iam::000000000000:role/kendra' }, "Invalid type at 'name': expected a string, got number 5"],
        ['CreateIndex', { Name: 'n', RoleArn: ['arn'] }, "Invalid type at 'roleArn': expected a string, got array"],
        ['ListIndices', { MaxResults: '10' }, "Invalid type at 'maxResults': expected an integer, got string"],
        ['ListIndices', { MaxResults: 2.5 }, "Invalid type at 'maxResults': expected an integer, got number 2.5"],
        ['DescribeIndex', { Id: { id: ids.indexId } }, "Invalid type at 'id': expected a string, got object"],
        ['DeleteIndex', { Id: true }, "Invalid type at 'id': expected a string, got boolean"],
        ['BatchPutDocument', { IndexId: ids.indexId, Documents: { Id: 'd' } }, "Invalid type at 'documents': expected an array, got object"],
        ['BatchPutDocument', { IndexId: ids.indexId, Documents: [{ Id: 'd', Blob: 7 }] }, "Invalid type at 'documents.1.blob': expected a base64-encoded string, got number 7"],
        ['TagResource', { ResourceARN: ids.indexArn, Tags: [{ Key: 'k', Value: 1 }] }, "Invalid type at 'tags.1.value': expected a string, got number 1"],
        [
          'ListDataSourceSyncJobs',
          { IndexId: ids.indexId, Id: ids.dataSourceId, StartTimeFilter: { StartTime: '2024-01-01T00:00:00Z' } },
          "Invalid type at 'startTimeFilter.startTime': expected a timestamp (epoch seconds as a JSON number), got string",
        ],
        ['UpdateDataSource', { IndexId: ids.indexId, Id: ids.dataSourceId, Configuration: [] }, "Invalid type at 'configuration': expected an object, got array"],
        ['StartDataSourceSyncJob', { IndexId: ids.indexId, Id: 12345 }, "Invalid type at 'id': expected a string, got number 12345"],
      ];
      for (const [op, body, message] of cases) {
        const got = assertError(await send({ target: target(op), body }), 400, 'SerializationException', message);
        assert.equal(got, message);
      }
    });

    test('P-1: an empty body means {}; members the model does not define are ignored (P-4)', async () => {
      assert.ok(Array.isArray(assertOk(await send({ target: target('ListIndices'), body: '' })).IndexConfigurationSummaryItems));
      const missing = assertError(await send({ target: target('DescribeIndex'), body: '' }), 400, 'ValidationException');
      assert.equal(missing, "1 validation error detected: Value null at 'id' failed to satisfy constraint: Member must not be null");
      const described = assertOk(await send({ target: target('DescribeIndex'), body: { Id: ids.indexId, NoSuchMember: [1, 2], id: 5 } }));
      assert.equal(described.Id, ids.indexId);
      assert.equal(described.Status, 'ACTIVE');
    });

    test('P-1: application/x-amz-json-1.1, application/x-amz-json-1.0 and application/json are all accepted', async () => {
      for (const contentType of ['application/x-amz-json-1.1', 'application/x-amz-json-1.0', 'application/json']) {
        const out = assertOk(await send({ target: target('ListIndices'), body: {}, contentType }));
        assert.deepEqual(out.IndexConfigurationSummaryItems.map((s: { Id: string }) => s.Id), [ids.indexId]);
      }
    });

    test('P-4: unknown, foreign, malformed or missing X-Amz-Target → UnknownOperationException (400)', async () => {
      const targets: [string | null, string][] = [
        ['AWSKendraFrontendService.NoSuchOperation', 'Unknown operation AWSKendraFrontendService.NoSuchOperation.'],
        ['DynamoDB_20120810.ListTables', 'Unknown operation DynamoDB_20120810.ListTables.'],
        ['DynamoDB_20120810.ListIndices', 'Unknown operation DynamoDB_20120810.ListIndices.'],
        ['ListIndices', 'Unknown operation ListIndices.'],
        ['AWSKendraFrontendService.', 'Unknown operation AWSKendraFrontendService..'],
        ['AWSKendraFrontendService.listIndices', 'Unknown operation AWSKendraFrontendService.listIndices.'],
        ['AWSKendraFrontendService.DeleteIndex.', 'Unknown operation AWSKendraFrontendService.DeleteIndex..'],
        [null, 'Missing X-Amz-Target header.'],
      ];
      for (const [t, message] of targets) {
        // A body that would delete the index if the target were resolved to DeleteIndex.
        const got = assertError(await send({ target: t, body: { Id: ids.indexId } }), 400, 'UnknownOperationException');
        assert.equal(got, message);
      }
    });

    test(`P-9: each of the ${UNIMPLEMENTED.length} model operations kendrite does not implement → 400 naming it; its input is validated first`, async () => {
      let checked = 0;
      for (const op of UNIMPLEMENTED) {
        const valid = withRealIds(op, validInputFor(op), ids);
        const message = assertError(await send({ target: target(op), body: valid }), 400, 'NotImplementedException', `kendrite does not implement ${op} yet`);
        assert.ok(!/Internal/.test(message));
        const bad = badInputCases(op)[0]!;
        const invalid = assertError(await send({ target: target(op), body: bad.body }), 400, bad.expectedCode);
        assert.equal(invalid, bad.exactMessage, bad.name);
        checked++;
      }
      assert.equal(checked, UNIMPLEMENTED.length);
      // CreateFaq by name, as the brief's example: invalid input → ValidationException.
      const faq = assertError(await send({ target: target('CreateFaq'), body: { IndexId: ids.indexId } }), 400, 'ValidationException');
      assert.match(faq, /^3 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; /);
    });

    test('P-1: only POST / is served besides GET /health', async () => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        assertError(await send({ method, target: target('ListIndices') }), 400, 'UnknownOperationException', `Only POST / is served (and GET /health); got ${method} /`);
      }
      const health = await send({ method: 'GET', path: '/health', target: null, credentials: null });
      assert.equal(health.status, 200);
      assertRequestId(health);
      assert.equal(health.json.status, 'ok');
      assert.equal(health.json.store, backend.name);
    });

    test('the store is unchanged after every bad request above', async () => {
      const now = await storeSnapshot(store);
      assert.deepEqual(now, snapshot);
      assert.ok(rowCount(now) > 0);
    });

    test('the snapshot sees a change: a valid write after the bad ones does change it', async () => {
      const res = await send({ target: target('TagResource'), body: { ResourceARN: ids.indexArn, Tags: [{ Key: 'probe', Value: 'x' }] } });
      assertOk(res);
      const now = await storeSnapshot(store);
      assert.notDeepEqual(now, snapshot);
      assert.equal(now.tags!.length, 2);
      // Put it back, so the next test compares against the same rows.
      assertOk(await send({ target: target('UntagResource'), body: { ResourceARN: ids.indexArn, TagKeys: ['probe'] } }));
      assert.deepEqual(await storeSnapshot(store), snapshot);
    });

    test('P-4: a body over maxBodyBytes → 413 RequestEntityTooLargeException, signed or not, declared or chunked; the limit is exact', async () => {
      // Restart on the same store with a small limit: the limit is the only thing that differs.
      await server.stop();
      server = await TestServer.start(store, { config: { maxBodyBytes: 1024 } });
      // A valid CreateIndex (Description up to 1000 characters) that is over 1024 bytes as a whole.
      const create = { Name: 'too-big', RoleArn: 'arn:aws:iam::000000000000:role/kendra', Description: 'd'.repeat(1000) };
      const body = Buffer.from(JSON.stringify(create));
      assert.ok(body.length > 1024);
      const tooLarge = 'Request body is larger than the limit of 1024 bytes.';
      for (const req of [
        { target: target('CreateIndex'), body },
        { target: target('CreateIndex'), body, chunked: true },
        { target: target('CreateIndex'), body, credentials: null },
        { target: target('NoSuchOperation'), body },
      ] satisfies RawRequest[]) {
        const got = assertError(await send(req), 413, 'RequestEntityTooLargeException');
        assert.equal(got, tooLarge);
      }
      // Exactly at the limit is served; one byte over is not. (Undefined members are ignored, P-4.)
      const padded = (size: number) => {
        const base = JSON.stringify({ MaxResults: 1, Pad: '' });
        return base.replace('"Pad":""', `"Pad":"${'p'.repeat(size - base.length)}"`);
      };
      assert.equal(Buffer.byteLength(padded(1024)), 1024);
      assertOk(await send({ target: target('ListIndices'), body: padded(1024) }));
      assertOk(await send({ target: target('ListIndices'), body: padded(1024), chunked: true }));
      assertError(await send({ target: target('ListIndices'), body: padded(1025) }), 413, 'RequestEntityTooLargeException', tooLarge);
      assertError(await send({ target: target('ListIndices'), body: padded(1025), chunked: true }), 413, 'RequestEntityTooLargeException', tooLarge);
      // The connection-level refusal leaves the server serving.
      assertOk(await send({ target: target('DescribeIndex'), body: { Id: ids.indexId } }));
      assert.deepEqual(await storeSnapshot(store), snapshot);
    });
  });
}
