import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ListDataSourceSyncJobsCommand, StartDataSourceSyncJobCommand } from '@aws-sdk/client-kendra';
import { makePdf } from './support/corpus.js';
import { activeIndex, jobOf, jobReaching } from './support/kendra.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';
import { activeDataSource, folderTemplate, IndexTables, metrics, report, syncToEnd, TERMINAL } from './support/sync.js';

for (const backend of backends()) {
  describeOrSkip(`S-JOB-7: a server killed during a connector sync [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let dir: string;
    before(async () => {
      store = await TestStore.create(backend.name);
      dir = mkdtempSync(path.join(tmpdir(), 'kendrite-crash-'));
    });
    after(async () => {
      await store?.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    test('SIGKILL mid-sync, restart: the job is FAILED (InternalError); the next sync leaves exactly the source in the index', async () => {
      const N = 300;
      const expected: string[] = [];
      mkdirSync(path.join(dir, 'docs'));
      for (let i = 0; i < N; i++) {
        const file = path.join(dir, 'docs', `d${String(i).padStart(4, '0')}.pdf`);
        writeFileSync(file, makePdf(`Crash document ${i}.\n${'Text on a page. '.repeat(40)}`, { linesPerPage: 1 }));
        expected.push(file);
      }
      // One document at a time keeps the sync long; a short lease lets PostgreSQL's reaper act soon.
      const opts = { config: { folders: { allowedRoots: [dir] }, sync: { fetchConcurrency: 1 } }, env: { KENDRITE_LEASE_SECONDS: '2' } };
      const first = await TestServer.start(store, opts);
      let k = first.client();
      const indexId = await activeIndex(k);
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'crash', Type: 'TEMPLATE', Configuration: folderTemplate(path.join(dir, 'docs')) });
      const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const seen = await waitFor('first documents committed', async () => {
        const j = await jobOf(k, indexId, ds, ExecutionId!);
        if (!j) return undefined;
        if (j.Status !== 'SYNCING') return `${j.Status} with ${j.Metrics!.DocumentsAdded} added`; // ended: said at once
        return Number(j.Metrics!.DocumentsAdded) > 0 ? 'SYNCING' : undefined;
      }, 60_000);
      assert.equal(seen, 'SYNCING', 'the sync must still run when the server is stopped');
      await first.kill();

      const second = await TestServer.start(store, opts);
      const tables = await IndexTables.open(store);
      try {
        k = second.client();
        const crashed = await jobReaching(k, indexId, ds, ExecutionId!, TERMINAL, 60_000);
        assert.equal(crashed.Status, 'FAILED');
        assert.equal(crashed.ErrorCode, 'InternalError');
        assert.match(crashed.ErrorMessage!, /interrupted/);
        const committed = Number(crashed.Metrics!.DocumentsAdded);
        assert.ok(committed > 0 && committed < N, `${committed} committed of ${N}`);
        assert.equal((await tables.documents(ds)).length, committed, 'the metrics agree with what the index holds');

        const next = await syncToEnd(k, indexId, ds);
        assert.equal(next.Status, 'SUCCEEDED', JSON.stringify((await report(second, next.ExecutionId!)).items.filter((i) => i.Action === 'FAILED').slice(0, 3)));
        assert.deepEqual(metrics(next), { scanned: String(N), added: String(N - committed), modified: '0', deleted: '0', failed: '0' });
        const docs = await tables.documents(ds);
        assert.deepEqual(docs.map((d) => d.document_id), expected);
        assert.ok(docs.every((d) => d.status === 'INDEXED'));
        const history = await k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds }));
        assert.deepEqual(history.History!.map((j) => j.Status), ['SUCCEEDED', 'FAILED']);
      } finally {
        await tables.close();
        await second.stop();
      }
    });

    test('SIGTERM mid-sync: the job ends FAILED (InternalError) before the process exits, saying kendrite was shut down', async () => {
      mkdirSync(path.join(dir, 'more'));
      // Enough that the shutdown lands mid-sync: at 200 an idle machine's sync sometimes wrote them all (one batch's
      // commit moving DocumentsAdded from 0 to the end) between two looks, and the wait below saw only SUCCEEDED.
      for (let i = 0; i < 600; i++) writeFileSync(path.join(dir, 'more', `m${i}.pdf`), makePdf(`Shutdown document ${i}.\n${'Text on a page. '.repeat(40)}`, { linesPerPage: 1 }));
      const opts = { config: { folders: { allowedRoots: [dir] }, sync: { fetchConcurrency: 1 } } };
      const first = await TestServer.start(store, opts);
      let k = first.client();
      const indexId = await activeIndex(k, 'shutdown');
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'shutdown', Type: 'TEMPLATE', Configuration: folderTemplate(path.join(dir, 'more')) });
      const { ExecutionId } = await k.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const seen = await waitFor('first documents committed', async () => {
        const j = await jobOf(k, indexId, ds, ExecutionId!);
        if (!j) return undefined;
        if (j.Status !== 'SYNCING') return `${j.Status} with ${j.Metrics!.DocumentsAdded} added`; // ended: said at once
        return Number(j.Metrics!.DocumentsAdded) > 0 ? 'SYNCING' : undefined;
      }, 60_000);
      assert.equal(seen, 'SYNCING', 'the sync must still run when the server is stopped');
      await first.stop();
      const second = await TestServer.start(store, opts);
      try {
        k = second.client();
        const ended = (await jobOf(k, indexId, ds, ExecutionId!))!;
        assert.equal(ended.Status, 'FAILED');
        assert.equal(ended.ErrorCode, 'InternalError');
        assert.match(ended.ErrorMessage!, /kendrite was shut down/);
      } finally {
        await second.stop();
      }
    });
  });
}
