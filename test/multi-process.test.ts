import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  BatchDeleteFeaturedResultsSetCommand,
  BatchPutDocumentCommand,
  ClearQuerySuggestionsCommand,
  CreateFeaturedResultsSetCommand,
  GetQuerySuggestionsCommand,
  ListDataSourceSyncJobsCommand,
  QueryCommand,
  StartDataSourceSyncJobCommand,
  UpdateFeaturedResultsSetCommand,
  UpdateIndexCommand,
  UpdateQuerySuggestionsConfigCommand,
  type KendraClient,
} from '@aws-sdk/client-kendra';
import { putIndexed } from './support/acl.js';
import { activeCustomDataSource, activeIndex, jobReaching, rejectsWith } from './support/kendra.js';
import { FEATURE_DOCS } from './support/searchFeatures.js';
import { describeOrSkip, TestServer, TestStore } from './support/server.js';
import { activeDataSource, folderTemplate, metrics, syncToEnd } from './support/sync.js';

const pgSkip = process.env.KENDRITE_TEST_POSTGRES_URL ? undefined : 'skipped: KENDRITE_TEST_POSTGRES_URL not set';

describeOrSkip('two kendrite processes on one PostgreSQL [postgres]', { skip: pgSkip }, () => {
  let store: TestStore;
  let a: TestServer;
  let b: TestServer;
  let ka: KendraClient;
  let kb: KendraClient;
  before(async () => {
    store = await TestStore.create('postgres');
    [a, b] = await Promise.all([TestServer.start(store, { env: { KENDRITE_LEASE_SECONDS: '2' } }), TestServer.start(store, { env: { KENDRITE_LEASE_SECONDS: '2' } })]);
    ka = a.client();
    kb = b.client();
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await store?.destroy();
  });

  test('a featured results set created, deactivated or deleted through one process changes the Queries on the other made 100 ms later (each keeps its features under the index\'s features_version, read with the index row it holds at most 100 ms)', async () => {
    const indexId = await activeIndex(ka, 'featured');
    await putIndexed(ka, indexId, FEATURE_DOCS);
    const featuredOnB = async () => {
      const r = await kb.send(new QueryCommand({ IndexId: indexId, QueryText: 'Time  off' }));
      return (r.FeaturedResultsItems ?? []).map((i) => i.DocumentId);
    };
    assert.deepEqual(await featuredOnB(), []); // b now holds the index's features: no set
    // The index row a process holds is at most 100 ms old (Indices.recent): b sees the change past that.
    const afterRecentRow = () => new Promise((r) => setTimeout(r, 150));
    const { FeaturedResultsSet: set } = await ka.send(new CreateFeaturedResultsSetCommand({ IndexId: indexId, FeaturedResultsSetName: 'holidays', QueryTexts: ['time off'], FeaturedDocuments: [{ Id: 'vacation' }, { Id: 'onboarding' }] }));
    await afterRecentRow();
    assert.deepEqual(await featuredOnB(), ['vacation', 'onboarding']);
    await ka.send(new UpdateFeaturedResultsSetCommand({ IndexId: indexId, FeaturedResultsSetId: set!.FeaturedResultsSetId, Status: 'INACTIVE' }));
    await afterRecentRow();
    assert.deepEqual(await featuredOnB(), []);
    await ka.send(new UpdateFeaturedResultsSetCommand({ IndexId: indexId, FeaturedResultsSetId: set!.FeaturedResultsSetId, Status: 'ACTIVE', FeaturedDocuments: [{ Id: 'ml' }] }));
    await afterRecentRow();
    assert.deepEqual(await featuredOnB(), ['ml']);
    await ka.send(new BatchDeleteFeaturedResultsSetCommand({ IndexId: indexId, FeaturedResultsSetIds: [set!.FeaturedResultsSetId!] }));
    await afterRecentRow();
    assert.deepEqual(await featuredOnB(), []);
  });

  test('UpdateIndex through one process is seen by the Queries on the other made 100 ms later (the index row each holds at most 100 ms)', async () => {
    const indexId = await activeIndex(ka, 'updated');
    await putIndexed(ka, indexId, FEATURE_DOCS);
    const asUserOnB = () => kb.send(new QueryCommand({ IndexId: indexId, QueryText: 'vacation', UserContext: { UserId: 'alice' } }));
    assert.deepEqual((await asUserOnB()).ResultItems!.map((i) => i.DocumentId), ['vacation']); // b now holds the row
    await ka.send(new UpdateIndexCommand({ Id: indexId, UserContextPolicy: 'USER_TOKEN' }));
    await new Promise((r) => setTimeout(r, 150));
    assert.match((await rejectsWith(asUserOnB(), 'ValidationException')).message, /UserContextPolicy is USER_TOKEN/);
  });

  test("the query suggestion settings changed through one process change the next GetQuerySuggestions on the other (each keeps its structure under the index's suggestions_version)", async () => {
    const indexId = await activeIndex(ka, 'suggestions');
    await putIndexed(ka, indexId, FEATURE_DOCS);
    for (let i = 0; i < 5; i++) await ka.send(new QueryCommand({ IndexId: indexId, QueryText: 'vacation policy' }));
    const suggested = async (k: KendraClient) => (await k.send(new GetQuerySuggestionsCommand({ IndexId: indexId, QueryText: 'vaca' }))).Suggestions!.map((s) => s.Value!.Text!.Text);
    assert.deepEqual(await suggested(ka), ['vacation policy']); // a wrote its log before answering
    assert.deepEqual(await suggested(kb), ['vacation policy']); // b now holds the index's structure
    // The index row a process holds is at most 100 ms old (Indices.recent): b sees the change past that.
    const afterRecentRow = () => new Promise((r) => setTimeout(r, 150));
    await ka.send(new UpdateQuerySuggestionsConfigCommand({ IndexId: indexId, Mode: 'LEARN_ONLY' }));
    await afterRecentRow();
    assert.deepEqual(await suggested(kb), []);
    await ka.send(new UpdateQuerySuggestionsConfigCommand({ IndexId: indexId, Mode: 'ENABLED', MinimumQueryCount: 6 }));
    await afterRecentRow();
    assert.deepEqual(await suggested(kb), [], 'searched 5 times, 6 needed');
    await ka.send(new ClearQuerySuggestionsCommand({ IndexId: indexId }));
    await ka.send(new UpdateQuerySuggestionsConfigCommand({ IndexId: indexId, MinimumQueryCount: 1 }));
    await afterRecentRow();
    assert.deepEqual(await suggested(kb), [], 'cleared: the searches before it no longer count');
  });

  test('S-JOB-1: concurrent starts through both processes make exactly one job', async () => {
    const indexId = await activeIndex(ka);
    for (let round = 0; round < 3; round++) {
      const ds = await activeCustomDataSource(kb, indexId, `race-${round}`);
      const calls = Array.from({ length: 24 }, (_, i) => (i % 2 ? a : b).client().send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds })));
      const results = await Promise.allSettled(calls);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, `round ${round}`);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as Error).name, 'ResourceInUseException');
      assert.equal((await ka.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds }))).History!.length, 1);
    }
  });

  test('S-JOB-7: when one process dies, the other fails its job once the lease expires; tokens from one verify on the other', async () => {
    const indexId = await activeIndex(ka, 'lease');
    const ds = await activeCustomDataSource(ka, indexId, 'lease-ds');
    const { ExecutionId } = await ka.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
    await a.kill();
    const j = await jobReaching(kb, indexId, ds, ExecutionId!, ['FAILED', 'SUCCEEDED', 'ABORTED', 'INCOMPLETE'], 15_000);
    assert.equal(j.Status, 'FAILED');
    assert.equal(j.ErrorCode, 'InternalError');
    a = await TestServer.start(store, { env: { KENDRITE_LEASE_SECONDS: '2' } });
    ka = a.client();
    // The data source is free again: a new job starts through the other process.
    assert.ok((await kb.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }))).ExecutionId);
    const page = await kb.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds, MaxResults: 1 }));
    assert.ok(page.NextToken);
    const next = await ka.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds, MaxResults: 1, NextToken: page.NextToken }));
    assert.equal(next.History!.length, 1);
    assert.notEqual(next.History![0]!.ExecutionId, page.History![0]!.ExecutionId);
  });
});

describeOrSkip('lease renewal under a BatchPutDocument flood, two processes on one PostgreSQL [postgres]', { skip: pgSkip }, () => {
  const LEASE = { KENDRITE_LEASE_SECONDS: '1' };
  let store: TestStore;
  let root: string;
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'kendrite-lease-'));
    store = await TestStore.create('postgres');
    const config = { folders: { allowedRoots: [root] } };
    [a, b] = await Promise.all([TestServer.start(store, { config, env: LEASE }), TestServer.start(store, { config, env: LEASE })]);
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await store?.destroy();
    rmSync(root, { recursive: true, force: true });
  });

  test('S-JOB-7: a folder sync outlives a flood of puts on its own process; its lease renews on time, the other process never reaps it', async () => {
    const FILES = 600;
    const dir = path.join(root, 'docs');
    mkdirSync(dir);
    for (let i = 0; i < FILES; i++) writeFileSync(path.join(dir, `f${i}.txt`), `folder file ${i} about leases`);
    const ka = a.client();
    const indexId = await activeIndex(ka);
    const ds = await activeDataSource(ka, { IndexId: indexId, Name: 'folder', Type: 'TEMPLATE', Configuration: folderTemplate(dir) });

    // Puts keep the sync's process busy indexing for the whole sync: many times the 1-second lease.
    let flooding = true;
    let acknowledged = 0;
    const flood = async (client: number) => {
      for (let batch = 0; flooding; batch++) {
        const Documents = Array.from({ length: 10 }, (_, i) => ({
          Id: `put-${client}-${batch}-${i}`,
          Blob: Buffer.from(`flood document ${client} ${batch} ${i} `.repeat(50)),
          ContentType: 'PLAIN_TEXT' as const,
        }));
        const { FailedDocuments } = await ka.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents }));
        assert.deepEqual(FailedDocuments, []);
        acknowledged += Documents.length;
      }
    };
    const flooders = Array.from({ length: 4 }, (_, c) => flood(c));
    await new Promise((r) => setTimeout(r, 500));
    const job = await syncToEnd(ka, indexId, ds, 180_000).finally(() => (flooding = false));
    await Promise.all(flooders);

    assert.equal(job.Status, 'SUCCEEDED', `${job.Status}: ${job.ErrorMessage ?? ''}`);
    assert.deepEqual(metrics(job), { scanned: String(FILES), added: String(FILES), modified: '0', deleted: '0', failed: '0' });
    assert.ok(acknowledged >= 200, `only ${acknowledged} documents put during the sync`);
    assert.equal(b.proc.exitCode, null);
  });
});
