// P-6 / P-8 end to end: a real server with configured credentials, the real @aws-sdk/client-kendra
// and raw requests for what no SDK sends (no Authorization, garbled, expired, tampered). Every
// rejected request leaves the store as it was. Also the start-up refusal to serve a public address
// with no credentials.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  CreateAccessControlConfigurationCommand,
  CreateFeaturedResultsSetCommand,
  CreateQuerySuggestionsBlockListCommand,
  CreateIndexCommand,
  DeleteIndexCommand,
  DescribeDataSourceCommand,
  DescribeIndexCommand,
  ListDataSourcesCommand,
  ListDataSourceSyncJobsCommand,
  ListIndicesCommand,
  PutPrincipalMappingCommand,
  StartDataSourceSyncJobCommand,
  StopDataSourceSyncJobCommand,
  type KendraClient,
} from '@aws-sdk/client-kendra';
import { IMPLEMENTED_OPERATIONS } from '../src/api/kendraService.js';
import type { OperationName } from '../src/protocol/generated/operations.js';
import { validInputFor } from './support/badInputCases.js';
import { activeCustomDataSource, activeIndex, jobReaching, rejectsWith, ROLE } from './support/kendra.js';
import { assertError, assertOk, rawRequest, target, type Credentials, type RawRequest } from './support/rawClient.js';
import { backends, describeOrSkip, REPO_ROOT, TestServer, TestStore } from './support/server.js';
import { storeSnapshot, type StoreSnapshot } from './support/storeSnapshot.js';

const WRITER: Credentials = { accessKeyId: 'AKIDWRITER', secretAccessKey: 'writer-secret' };
const READER: Credentials = { accessKeyId: 'AKIDREADER', secretAccessKey: 'reader-secret' };
const OTHER: Credentials = { accessKeyId: 'AKIDOTHER', secretAccessKey: 'other-secret' };
const CONFIG = {
  credentials: [
    { ...WRITER, accountId: '111111111111', permissions: 'read-write' },
    { ...READER, accountId: '111111111111', permissions: 'read' },
    { ...OTHER, accountId: '222222222222', permissions: 'read-write' },
  ],
};

// The implemented operations a read-only key may call; every other implemented operation writes.
const READS: OperationName[] = [
  'BatchGetDocumentStatus',
  'DescribeAccessControlConfiguration',
  'DescribeFaq',
  'DescribeFeaturedResultsSet',
  'DescribeThesaurus',
  'DescribeDataSource',
  'DescribeIndex',
  'DescribePrincipalMapping',
  'DescribeQuerySuggestionsBlockList',
  'DescribeQuerySuggestionsConfig',
  'GetQuerySuggestions',
  'GetSnapshots',
  'ListAccessControlConfigurations',
  'ListDataSourceSyncJobs',
  'ListDataSources',
  'ListFaqs',
  'ListFeaturedResultsSets',
  'ListGroupsOlderThanOrderingId',
  'ListIndices',
  'ListQuerySuggestionsBlockLists',
  'ListTagsForResource',
  'Query',
  'Retrieve',
  'ListThesauri',
  'DescribeExperience',
  'ListExperiences',
  'ListExperienceEntities',
  'ListEntityPersonas',
];
/** Reads of resources this test does not make (they need a file in S3): the key may read, and the answer is that there is none. */
const READS_OF_NOTHING: OperationName[] = ['DescribeFaq', 'DescribeThesaurus', 'DescribeExperience', 'ListExperienceEntities', 'ListEntityPersonas'];
const WRITES = IMPLEMENTED_OPERATIONS.filter((op) => !READS.includes(op));

const MISMATCH = 'The request signature we calculated does not match the signature you provided.';
const CLI = path.join(REPO_ROOT, 'dist/src/cli/main.js');
const MINUTE = 60_000;

/** Runs `kendrite serve` and reports how it ended, or that it started (then stops it with SIGTERM). */
function serve(args: string[], env: Record<string, string>): Promise<{ started: boolean; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const { KENDRITE_ALLOW_OPEN_PUBLIC: _ignored, ...base } = process.env;
    const proc = spawn(process.execPath, [CLI, 'serve', ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let started = false;
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!started && /listening on http:\/\/\S+/.test(stdout)) {
        started = true;
        proc.kill('SIGTERM');
      }
    });
    proc.once('error', reject);
    proc.once('exit', (code) => resolve({ started, code, stderr }));
  });
}

for (const backend of backends()) {
  describeOrSkip(`P-6/P-8 authentication and authorization over HTTP [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let writer: KendraClient;
    let reader: KendraClient;
    let indexId: string;
    let dataSourceId: string;
    let indexArn: string;
    let configurationId: string;
    let featuredSetId: string;
    let blockListId: string;
    let snapshot: StoreSnapshot;
    const send = (req: RawRequest) => rawRequest(server.url, { credentials: WRITER, ...req });

    /** A valid input of `op` naming the real resources (so an authorization hole would show in the store). */
    const realInput = (op: OperationName): Record<string, unknown> => {
      const input = validInputFor(op);
      if ('IndexId' in input) input.IndexId = indexId;
      if ('Id' in input) input.Id = /Index$/.test(op) ? indexId : dataSourceId;
      if ('ResourceARN' in input) input.ResourceARN = indexArn;
      if ('Id' in input && /AccessControlConfiguration$/.test(op)) input.Id = configurationId;
      if ('FeaturedResultsSetId' in input) input.FeaturedResultsSetId = featuredSetId;
      if ('Id' in input && /QuerySuggestionsBlockList$/.test(op)) input.Id = blockListId;
      if (/PrincipalMapping$/.test(op)) {
        input.GroupId = 'a';
        delete input.DataSourceId;
      }
      return input;
    };

    before(async () => {
      store = await TestStore.create(backend.name);
      // S3 that refuses at once: the block list below fails fast.
      server = await TestServer.start(store, { config: CONFIG, env: { KENDRITE_S3_ENDPOINT: 'http://127.0.0.1:9' } });
      writer = server.client(WRITER);
      reader = server.client(READER);
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('the read-write key creates: an index, a CUSTOM data source, a finished sync job, in its account (P-8)', async () => {
      indexId = await activeIndex(writer);
      indexArn = `arn:aws:kendra:us-east-1:111111111111:index/${indexId}`;
      dataSourceId = await activeCustomDataSource(writer, indexId);
      const { ExecutionId } = await writer.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: dataSourceId }));
      await writer.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: dataSourceId }));
      assert.equal((await jobReaching(writer, indexId, dataSourceId, ExecutionId!, ['SUCCEEDED', 'INCOMPLETE', 'FAILED'])).Status, 'SUCCEEDED');
      // What the access control reads read: a group mapping (the valid input's group 'a') and a configuration.
      await writer.send(new PutPrincipalMappingCommand({ IndexId: indexId, GroupId: 'a', GroupMembers: { MemberUsers: [{ UserId: 'alice' }] } }));
      configurationId = (await writer.send(new CreateAccessControlConfigurationCommand({ IndexId: indexId, Name: 'readers' }))).Id!;
      featuredSetId = (await writer.send(new CreateFeaturedResultsSetCommand({ IndexId: indexId, FeaturedResultsSetName: 'readers' }))).FeaturedResultsSet!.FeaturedResultsSetId!;
      // A block list whose file is not there (no S3 here): FAILED, and describable.
      blockListId = (await writer.send(new CreateQuerySuggestionsBlockListCommand({ IndexId: indexId, Name: 'blocked', RoleArn: ROLE, SourceS3Path: { Bucket: 'none', Key: 'none.txt' } }))).Id!;
      const ds = await writer.send(new DescribeDataSourceCommand({ IndexId: indexId, Id: dataSourceId }));
      assert.equal(ds.Status, 'ACTIVE');
      // Everything at rest: from here on, only an accepted write could change the store.
      snapshot = await storeSnapshot(store);
      assert.equal(snapshot.indices!.length, 1);
      assert.equal(snapshot.sync_jobs!.length, 1);
    });

    test('the read-only key reads: List and Describe through the SDK, every implemented read operation raw', async () => {
      const list = await reader.send(new ListIndicesCommand({}));
      assert.deepEqual(list.IndexConfigurationSummaryItems!.map((s) => s.Id), [indexId]);
      assert.equal((await reader.send(new DescribeIndexCommand({ Id: indexId }))).Status, 'ACTIVE');
      assert.deepEqual((await reader.send(new ListDataSourcesCommand({ IndexId: indexId }))).SummaryItems!.map((s) => s.Id), [dataSourceId]);
      assert.equal((await reader.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: dataSourceId }))).History!.length, 1);
      assert.equal(READS.length, 28);
      for (const op of READS) {
        assert.ok(IMPLEMENTED_OPERATIONS.includes(op), op);
        const res = await send({ credentials: READER, target: target(op), body: realInput(op) });
        if (READS_OF_NOTHING.includes(op)) assertError(res, 400, 'ResourceNotFoundException');
        else assertOk(res);
      }
    });

    test(`the read-only key writing → AccessDeniedException (400), for each of the ${WRITES.length} implemented write operations`, async () => {
      const e = await rejectsWith(reader.send(new CreateIndexCommand({ Name: 'nope', RoleArn: ROLE })), 'AccessDeniedException');
      assert.equal(e.$metadata!.httpStatusCode, 400);
      assert.match(e.message, /AKIDREADER is not authorized to perform: kendra:CreateIndex/);
      await rejectsWith(reader.send(new DeleteIndexCommand({ Id: indexId })), 'AccessDeniedException');
      assert.equal(WRITES.length, IMPLEMENTED_OPERATIONS.length - READS.length);
      assert.ok(WRITES.includes('DeleteIndex') && WRITES.includes('BatchPutDocument') && WRITES.includes('TagResource'));
      for (const op of WRITES) {
        const res = await send({ credentials: READER, target: target(op), body: realInput(op) });
        assertError(res, 400, 'AccessDeniedException', `is not authorized to perform: kendra:${op} `);
      }
    });

    test('unknown access key → UnrecognizedClientException (403)', async () => {
      const stranger = server.client({ accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'whatever' });
      const e = await rejectsWith(stranger.send(new ListIndicesCommand({})), 'UnrecognizedClientException');
      assert.equal(e.$metadata!.httpStatusCode, 403);
      await rejectsWith(stranger.send(new CreateIndexCommand({ Name: 'nope', RoleArn: ROLE })), 'UnrecognizedClientException');
      assertError(
        await send({ credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' }, target: target('DeleteIndex'), body: { Id: indexId } }),
        403,
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    });

    test('wrong secret for a known key → InvalidSignatureException (403)', async () => {
      const forger = server.client({ accessKeyId: WRITER.accessKeyId, secretAccessKey: 'not-the-secret' });
      const e = await rejectsWith(forger.send(new DeleteIndexCommand({ Id: indexId })), 'InvalidSignatureException');
      assert.equal(e.$metadata!.httpStatusCode, 403);
      assert.ok(e.message.startsWith(MISMATCH), e.message);
      // The reader's key with the writer's secret: no borrowing of permissions.
      await rejectsWith(
        server.client({ accessKeyId: READER.accessKeyId, secretAccessKey: WRITER.secretAccessKey }).send(new ListIndicesCommand({})),
        'InvalidSignatureException',
      );
    });

    test('no Authorization header → MissingAuthenticationTokenException (403)', async () => {
      for (const op of ['ListIndices', 'DeleteIndex', 'NoSuchOperation']) {
        const res = await send({ credentials: null, target: target(op), body: { Id: indexId } });
        assertError(res, 403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
      }
      // Signed, then the header dropped.
      const dropped = await send({ target: target('DeleteIndex'), body: { Id: indexId }, forge: (w) => delete w.headers.authorization });
      assertError(dropped, 403, 'MissingAuthenticationTokenException');
    });

    test('garbled Authorization header → IncompleteSignatureException (403)', async () => {
      const garbles: ((auth: string) => string)[] = [
        () => 'garbage',
        () => 'Bearer abc.def.ghi',
        (a) => a.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1'),
        (a) => a.replace(/Credential=[^,]*, /, ''),
        (a) => a.replace(/, Signature=.*$/, ''),
        (a) => a.replace(/SignedHeaders=[^,]*, /, ''),
        (a) => a.replace('/aws4_request', ''),
        (a) => a.replace(/Signature=([0-9a-f]+)$/, 'Signature=xyz'),
        (a) => a.replace('Credential=', 'Credential '),
      ];
      for (const garble of garbles) {
        const res = await send({ target: target('DeleteIndex'), body: { Id: indexId }, forge: (w) => (w.headers.authorization = garble(w.headers.authorization!)) });
        assertError(res, 403, 'IncompleteSignatureException');
      }
      const noDate = await send({ target: target('DeleteIndex'), body: { Id: indexId }, forge: (w) => delete w.headers['x-amz-date'] });
      assertError(noDate, 403, 'IncompleteSignatureException', "requires existence of either a 'X-Amz-Date' or a 'Date' header");
    });

    test('X-Amz-Date 20 minutes off, signed correctly for that time → InvalidSignatureException "Signature expired" (403)', async () => {
      for (const offset of [-20 * MINUTE, 20 * MINUTE]) {
        const res = await send({ target: target('DeleteIndex'), body: { Id: indexId }, signingDate: new Date(Date.now() + offset) });
        assertError(res, 403, 'InvalidSignatureException', 'Signature expired');
      }
      // The same request signed now is accepted (by a read, to leave the store as it is).
      assertOk(await send({ target: target('DescribeIndex'), body: { Id: indexId } }));
    });

    test('body altered after signing → InvalidSignatureException (403), with and without x-amz-content-sha256', async () => {
      // Same length (both are UUIDs), so Content-Length, a signed header, still holds.
      const swap = (w: { body: Buffer }) => (w.body = Buffer.from(JSON.stringify({ Id: dataSourceId })));
      const bare = await send({ target: target('DeleteIndex'), body: { Id: indexId }, contentSha256: false, forge: swap });
      assertError(bare, 403, 'InvalidSignatureException', MISMATCH);
      const withSha = await send({ target: target('DeleteIndex'), body: { Id: indexId }, forge: swap });
      assertError(withSha, 403, 'InvalidSignatureException', 'x-amz-content-sha256');
      // Another operation's body of the same length, as an attacker replaying a signature would try.
      const other = await send({
        target: target('DescribeIndex'),
        body: { Id: indexId },
        contentSha256: false,
        forge: (w) => (w.headers['x-amz-target'] = target('DeleteIndex')),
      });
      assertError(other, 403, 'InvalidSignatureException', MISMATCH);
    });

    test('a DescribeIndex signature with X-Amz-Target unsigned, replayed as DeleteIndex → InvalidSignatureException (403); a repeated SignedHeaders name → IncompleteSignatureException (403)', async () => {
      const replay = (credentials: Credentials, url = server.url, chunked = false) =>
        rawRequest(url, { credentials, target: target('DescribeIndex'), body: { Id: indexId }, chunked, unsigned: ['x-amz-target'], forge: (w) => (w.headers['x-amz-target'] = target('DeleteIndex')) });
      assertError(await replay(WRITER), 403, 'InvalidSignatureException', "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.");
      // Chunked: node:http's path, where the header names are read off its header object.
      assertError(await replay(WRITER, server.url, true), 403, 'InvalidSignatureException', "'X-Amz-Target' must be a 'SignedHeader'");
      const repeated = await send({
        target: target('DeleteIndex'),
        body: { Id: indexId },
        forge: (w) => (w.headers.authorization = w.headers.authorization!.replace('SignedHeaders=', 'SignedHeaders=content-length;')),
      });
      assertError(repeated, 403, 'IncompleteSignatureException', 'each header name once, in sorted order');
      // Open mode (no credentials) checks what must be signed just the same.
      const openStore = await TestStore.create(backend.name);
      const open = await TestServer.start(openStore);
      try {
        assertError(await replay(WRITER, open.url), 403, 'InvalidSignatureException', "'X-Amz-Target' must be a 'SignedHeader'");
      } finally {
        await open.stop();
        await openStore.destroy();
      }
    });

    test('x-amz-content-sha256 not the hash of the body (signed as sent) → InvalidSignatureException (403)', async () => {
      const body = JSON.stringify({ Id: indexId });
      const claimed = createHash('sha256').update(JSON.stringify({ Id: dataSourceId })).digest('hex');
      for (const sha of [claimed, 'UNSIGNED-PAYLOAD']) {
        // The signer takes a preset x-amz-content-sha256 as the payload hash: the signature is right for the claim.
        const res = await send({ target: target('DeleteIndex'), body, headers: { 'x-amz-content-sha256': sha } });
        assertError(res, 403, 'InvalidSignatureException', 'The provided x-amz-content-sha256 header does not match what was computed.');
      }
    });

    test('P-8: another account does not see the first account’s resources; another region neither', async () => {
      const other = server.client(OTHER);
      assert.deepEqual((await other.send(new ListIndicesCommand({}))).IndexConfigurationSummaryItems, []);
      await rejectsWith(other.send(new DescribeIndexCommand({ Id: indexId })), 'ResourceNotFoundException');
      await rejectsWith(other.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: dataSourceId })), 'ResourceNotFoundException');
      await rejectsWith(other.send(new DeleteIndexCommand({ Id: indexId })), 'ResourceNotFoundException');
      assertError(
        await rawRequest(server.url, { credentials: OTHER, target: target('StartDataSourceSyncJob'), body: { IndexId: indexId, Id: dataSourceId } }),
        400,
        'ResourceNotFoundException',
      );
      // The writer's own account, but in eu-west-1.
      const elsewhere = server.client(WRITER, 'eu-west-1');
      await rejectsWith(elsewhere.send(new DescribeIndexCommand({ Id: indexId })), 'ResourceNotFoundException');
      assert.deepEqual((await elsewhere.send(new ListIndicesCommand({}))).IndexConfigurationSummaryItems, []);
    });

    test('the store is unchanged after every rejected request', async () => {
      assert.deepEqual(await storeSnapshot(store), snapshot);
      // And the writer still sees its index, ACTIVE.
      assert.equal((await writer.send(new DescribeIndexCommand({ Id: indexId }))).Status, 'ACTIVE');
    });

    test('P-6: a non-loopback address with no credentials is refused at start-up, unless the operator opts in', async () => {
      const fresh = await TestStore.create(backend.name);
      try {
        const args = ['--host', '0.0.0.0', '--port', '0', '--data-dir', fresh.dataDir];
        if (fresh.databaseUrl) args.push('--database-url', fresh.databaseUrl);
        const refused = await serve(args, {});
        assert.equal(refused.started, false);
        assert.equal(refused.code, 2);
        assert.match(refused.stderr, /^kendrite: Refusing to listen on 0\.0\.0\.0 with no credentials configured/);
        assert.match(refused.stderr, /KENDRITE_ALLOW_OPEN_PUBLIC=1/);
        const allowed = await serve(args, { KENDRITE_ALLOW_OPEN_PUBLIC: '1' });
        assert.equal(allowed.started, true, allowed.stderr);
        assert.equal(allowed.code, 0);
        // Loopback in its IPv4-mapped IPv6 spelling is loopback.
        const mapped = await serve(['--host', '::ffff:127.0.0.1', ...args.slice(2)], {});
        assert.equal(mapped.started, true, mapped.stderr);
        assert.equal(mapped.code, 0);
      } finally {
        await fresh.destroy();
      }
    });
  });
}
