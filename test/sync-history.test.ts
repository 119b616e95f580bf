import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  BatchPutDocumentCommand,
  DescribeIndexCommand,
  ListDataSourcesCommand,
  ListDataSourceSyncJobsCommand,
  paginateListDataSourceSyncJobs,
  StartDataSourceSyncJobCommand,
  StopDataSourceSyncJobCommand,
  type DataSourceSyncJob,
  type KendraClient,
  type ListDataSourceSyncJobsCommandInput,
} from '@aws-sdk/client-kendra';
import { activeCustomDataSource, activeIndex, jobOf, jobReaching, rejectsWith } from './support/kendra.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';

const LEASE = { KENDRITE_LEASE_SECONDS: '2' };

async function walk(k: KendraClient, input: ListDataSourceSyncJobsCommandInput): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  let NextToken: string | undefined;
  do {
    const page = await k.send(new ListDataSourceSyncJobsCommand({ ...input, NextToken }));
    ids.push(...page.History!.map((j) => j.ExecutionId!));
    NextToken = page.NextToken;
    pages++;
  } while (NextToken);
  return { ids, pages };
}

/** Runs one CUSTOM job to its end; `bad` documents make it INCOMPLETE. */
async function runJob(k: KendraClient, indexId: string, ds: string, bad = false): Promise<string> {
  const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
  if (bad) {
    await k.send(
      new BatchPutDocumentCommand({
        IndexId: indexId,
        Documents: [{ Id: `bad-${ExecutionId}`, Blob: Buffer.from('{"x":'), ContentType: 'JSON', Attributes: [{ Key: '_data_source_id', Value: { StringValue: ds } }] }],
      }),
    );
  }
  await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
  return ExecutionId!;
}

for (const backend of backends()) {
  describeOrSkip(`ListDataSourceSyncJobs history, paging and filters [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let indexId: string;
    let ds: string;
    let otherDs: string;
    /** Every job, newest first, with its final state. */
    let jobs: DataSourceSyncJob[];

    before(async () => {
      store = await TestStore.create(backend.name);
      // A short lease, so that on PostgreSQL (where another live process might own a job) a dead worker's job is reaped soon.
      server = await TestServer.start(store, { env: LEASE });
      k = server.client();
      indexId = await activeIndex(k);
      ds = await activeCustomDataSource(k, indexId, 'history');
      otherDs = await activeCustomDataSource(k, indexId, 'other');
      const started: string[] = [];
      for (let i = 0; i < 27; i++) started.push(await runJob(k, indexId, ds, i % 4 === 1));
      for (const id of started) await jobReaching(k, indexId, ds, id, ['SUCCEEDED', 'INCOMPLETE']);
      await runJob(k, indexId, otherDs);
      jobs = (await Promise.all(started.map((id) => jobOf(k, indexId, ds, id)))).reverse() as DataSourceSyncJob[];
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('S-LIST-2/S-LIST-3: newest first, every job once, no NextToken after the last page, at MaxResults 1, 3, 10 and the default', async () => {
      const expected = jobs.map((j) => j.ExecutionId!);
      for (const [MaxResults, pages] of [[1, 27], [3, 9], [10, 3], [undefined, 3]] as const) {
        const r = await walk(k, { IndexId: indexId, Id: ds, MaxResults });
        assert.deepEqual(r.ids, expected, `MaxResults ${MaxResults}`);
        assert.equal(r.pages, pages, `pages at MaxResults ${MaxResults}`);
      }
      for (let i = 1; i < jobs.length; i++) assert.ok(jobs[i - 1]!.StartTime!.getTime() >= jobs[i]!.StartTime!.getTime());
      // 20 SUCCEEDED jobs at 10 a page: the second page ends exactly at the last job and has no NextToken.
      const first = await k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds, MaxResults: 10, StatusFilter: 'SUCCEEDED' }));
      const second = await k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds, MaxResults: 10, StatusFilter: 'SUCCEEDED', NextToken: first.NextToken }));
      assert.equal(second.History!.length, 10);
      assert.equal(second.NextToken, undefined);
    });

    test('paginateListDataSourceSyncJobs walks the same history', async () => {
      const ids: string[] = [];
      for await (const page of paginateListDataSourceSyncJobs({ client: k, pageSize: 4 }, { IndexId: indexId, Id: ds })) ids.push(...page.History!.map((j) => j.ExecutionId!));
      assert.deepEqual(ids, jobs.map((j) => j.ExecutionId!));
    });

    test('S-LIST-5: jobs started while paging do not shift later pages', async () => {
      const ds2 = await activeCustomDataSource(k, indexId, 'moving');
      const original: string[] = [];
      for (let i = 0; i < 7; i++) original.unshift(await runJob(k, indexId, ds2));
      const first = await k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds2, MaxResults: 3 }));
      const seen = first.History!.map((j) => j.ExecutionId!);
      const added = [await runJob(k, indexId, ds2), await runJob(k, indexId, ds2)];
      let NextToken = first.NextToken;
      while (NextToken) {
        const page = await k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds2, MaxResults: 3, NextToken }));
        seen.push(...page.History!.map((j) => j.ExecutionId!));
        NextToken = page.NextToken;
      }
      assert.deepEqual(seen, original);
      const fresh = await walk(k, { IndexId: indexId, Id: ds2 });
      assert.deepEqual(fresh.ids, [...added.reverse(), ...original]);
    });

    test('S-LIST-4: StatusFilter and StartTimeFilter, alone and together, with inclusive bounds', async () => {
      const byStatus = (s: string) => jobs.filter((j) => j.Status === s).map((j) => j.ExecutionId!);
      assert.equal(byStatus('INCOMPLETE').length, 7);
      assert.equal(byStatus('SUCCEEDED').length, 20);
      for (const status of ['SUCCEEDED', 'INCOMPLETE', 'FAILED', 'SYNCING'] as const) {
        for (const MaxResults of [2, 10]) assert.deepEqual((await walk(k, { IndexId: indexId, Id: ds, StatusFilter: status, MaxResults })).ids, byStatus(status), status);
      }
      const t = (i: number) => jobs[i]!.StartTime!;
      const between = (from?: Date, to?: Date) =>
        jobs.filter((j) => (!from || j.StartTime! >= from) && (!to || j.StartTime! <= to)).map((j) => j.ExecutionId!);
      const ranges: [Date | undefined, Date | undefined][] = [[t(20), t(5)], [t(10), undefined], [undefined, t(10)], [t(3), t(3)], [new Date(0), new Date(1000)]];
      for (const [from, to] of ranges) {
        const StartTimeFilter = { StartTime: from, EndTime: to };
        assert.deepEqual((await walk(k, { IndexId: indexId, Id: ds, StartTimeFilter, MaxResults: 4 })).ids, between(from, to), `${from?.toISOString()}..${to?.toISOString()}`);
        const inRange = new Set(between(from, to));
        assert.deepEqual(
          (await walk(k, { IndexId: indexId, Id: ds, StartTimeFilter, StatusFilter: 'INCOMPLETE', MaxResults: 2 })).ids,
          byStatus('INCOMPLETE').filter((id) => inRange.has(id)),
        );
      }
      assert.ok(between(t(3), t(3)).includes(jobs[3]!.ExecutionId!));
      assert.deepEqual((await walk(k, { IndexId: indexId, Id: ds, StartTimeFilter: { StartTime: new Date(0), EndTime: new Date(1000) } })).ids, []);
    });

    test('S-LIST-5: tokens are bound to their data source and filters; forged and truncated tokens are refused', async () => {
      const page = await k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds, MaxResults: 2, StatusFilter: 'SUCCEEDED' }));
      const token = page.NextToken!;
      assert.ok(token.length <= 800);
      const ok = await k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds, MaxResults: 2, StatusFilter: 'SUCCEEDED', NextToken: token }));
      assert.equal(ok.History!.length, 2);
      const misuse: ListDataSourceSyncJobsCommandInput[] = [
        { IndexId: indexId, Id: ds, MaxResults: 2, NextToken: token },
        { IndexId: indexId, Id: ds, MaxResults: 2, StatusFilter: 'INCOMPLETE', NextToken: token },
        { IndexId: indexId, Id: ds, MaxResults: 2, StatusFilter: 'SUCCEEDED', StartTimeFilter: { StartTime: new Date(0) }, NextToken: token },
        { IndexId: indexId, Id: otherDs, MaxResults: 2, StatusFilter: 'SUCCEEDED', NextToken: token },
        { IndexId: indexId, Id: ds, StatusFilter: 'SUCCEEDED', NextToken: token.slice(0, -3) },
        { IndexId: indexId, Id: ds, StatusFilter: 'SUCCEEDED', NextToken: token.slice(1) },
        { IndexId: indexId, Id: ds, StatusFilter: 'SUCCEEDED', NextToken: `${token[0] === 'A' ? 'B' : 'A'}${token.slice(1)}` },
        { IndexId: indexId, Id: ds, StatusFilter: 'SUCCEEDED', NextToken: 'not-a-token' },
      ];
      for (const input of misuse) {
        const e = await rejectsWith(k.send(new ListDataSourceSyncJobsCommand(input)), 'ValidationException');
        assert.match(e.message, /Invalid NextToken/);
      }
      // A ListDataSources token is not a ListDataSourceSyncJobs token.
      const dsPage = await k.send(new ListDataSourcesCommand({ IndexId: indexId, MaxResults: 1 }));
      await rejectsWith(k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds, NextToken: dsPage.NextToken })), 'ValidationException');
    });

    test('a page read again right after a change shows the change (no stale page is served)', async () => {
      const ds3 = await activeCustomDataSource(k, indexId, 'fresh');
      const list = async () => (await k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds3 }))).History!;
      for (let round = 0; round < 3; round++) {
        const before = await list();
        assert.deepEqual(await list(), before);
        const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds3 }));
        const started = await list();
        assert.equal(started.length, before.length + 1);
        assert.equal(started[0]!.ExecutionId, ExecutionId);
        assert.equal(started[0]!.Status, 'SYNCING');
        await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds3 }));
        assert.notEqual((await list())[0]!.Status, 'SYNCING');
        // The stopped CUSTOM job moves on by itself (SYNCING_INDEXING → SUCCEEDED); let it settle so the
        // next round's two reads compare a history that nothing is changing.
        const ended = await jobReaching(k, indexId, ds3, ExecutionId!, ['SUCCEEDED']);
        assert.deepEqual((await list())[0], ended);
      }
    });

    test('S-JOB-7: a job active when the server is killed is FAILED (InternalError) after restart; its documents stay', async () => {
      const crashDs = await activeCustomDataSource(k, indexId, 'crash');
      const before = (await k.send(new DescribeIndexCommand({ Id: indexId }))).IndexStatistics!.TextDocumentStatistics!.IndexedTextDocumentsCount!;
      const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: crashDs }));
      const attrs = [{ Key: '_data_source_id', Value: { StringValue: crashDs } }, { Key: '_data_source_sync_job_execution_id', Value: { StringValue: ExecutionId } }];
      await k.send(new BatchPutDocumentCommand({ IndexId: indexId, Documents: [1, 2, 3].map((i) => ({ Id: `crash-${i}`, Blob: Buffer.from(`crash doc ${i}`), ContentType: 'PLAIN_TEXT', Attributes: attrs })) }));
      await jobReaching(k, indexId, crashDs, ExecutionId!, ['SYNCING']);
      await waitFor('3 documents indexed', async () => {
        const j = await jobOf(k, indexId, crashDs, ExecutionId!);
        return j?.Metrics?.DocumentsAdded === '3' ? true : undefined;
      });
      await server.kill();
      server = await TestServer.start(store, { env: LEASE });
      k = server.client();
      // SQLite: reaped at start-up. PostgreSQL: reaped once the dead worker's 2 s lease has expired.
      const j = await jobReaching(k, indexId, crashDs, ExecutionId!, ['FAILED', 'SUCCEEDED', 'INCOMPLETE', 'ABORTED'], 10_000);
      assert.equal(j.Status, 'FAILED');
      assert.equal(j.ErrorCode, 'InternalError');
      assert.match(j.ErrorMessage!, /interrupted/);
      assert.ok(j.EndTime instanceof Date);
      assert.equal(j.Metrics!.DocumentsAdded, '3');
      const afterCount = (await k.send(new DescribeIndexCommand({ Id: indexId }))).IndexStatistics!.TextDocumentStatistics!.IndexedTextDocumentsCount!;
      assert.equal(afterCount, before + 3);
      // Nothing else was lost: the whole history is still there.
      assert.deepEqual((await walk(k, { IndexId: indexId, Id: ds })).ids, jobs.map((x) => x.ExecutionId!));
      // And the data source can sync again.
      const next = await runJob(k, indexId, crashDs);
      assert.equal((await jobReaching(k, indexId, crashDs, next, ['SUCCEEDED', 'INCOMPLETE', 'FAILED'])).Status, 'SUCCEEDED');
    });
  });
}
