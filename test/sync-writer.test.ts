import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KendraClient } from '@aws-sdk/client-kendra';
import type { JobRef } from '../src/sync/pipeline.js';
import { ThreadWriter } from '../src/sync/threadWriter.js';
import { TransactionSizer } from '../src/sync/transactionSizer.js';
import { defaultConfig } from '../src/config/config.js';
import { activeIndex } from './support/kendra.js';
import { backends, describeOrSkip, REPO_ROOT, TestServer, TestStore, waitFor } from './support/server.js';
import { actions, activeDataSource, folderTemplate, metrics, report, syncToEnd } from './support/sync.js';

test('a transaction takes 16 writes until one is timed, then as many as fit the target at the running cost, 1 to the batch size', () => {
  const sizer = new TransactionSizer(50, 256);
  assert.equal(sizer.size, 16);
  sizer.observe(0, 1000); // only unchanged documents: says nothing of a write's cost
  assert.equal(sizer.size, 16);
  sizer.observe(10, 20); // 2 ms a write
  assert.equal(sizer.size, 25);
  sizer.observe(10, 120); // 12 ms: the running cost moves 30 % of the way, to 5 ms
  assert.equal(sizer.size, 10);
  sizer.observe(1, 10_000);
  assert.equal(sizer.size, 1);
  const cheap = new TransactionSizer(50, 256);
  cheap.observe(100, 1);
  assert.equal(cheap.size, 256);
});

for (const backend of backends()) {
  describeOrSkip(`a sync's writes, a transaction per document [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    let root: string;
    before(async () => {
      root = mkdtempSync(path.join(tmpdir(), 'kendrite-writer-'));
      store = await TestStore.create(backend.name);
      // Any write outlasts 1 ms: after the first transaction every one holds a single document.
      server = await TestServer.start(store, { config: { folders: { allowedRoots: [root] }, sync: { writeTransactionMs: 1 } } });
      k = server.client();
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
      rmSync(root, { recursive: true, force: true });
    });

    test('every document written once and counted exactly, across the cut batches: added, then modified, unchanged and deleted', async () => {
      const file = (i: number) => path.join(root, `d${i % 3}`, `f${i}.txt`);
      for (let i = 0; i < 300; i++) {
        mkdirSync(path.dirname(file(i)), { recursive: true });
        writeFileSync(file(i), `document ${i} about the writerthreadword${i}`);
      }
      const indexId = await activeIndex(k);
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'cut', Type: 'TEMPLATE', Configuration: folderTemplate(root) });
      const first = await syncToEnd(k, indexId, ds);
      assert.equal(first.Status, 'SUCCEEDED', first.ErrorMessage);
      assert.deepEqual(metrics(first), { scanned: '300', added: '300', modified: '0', deleted: '0', failed: '0' });
      assert.equal((await report(server, first.ExecutionId!)).items.filter((i) => i.Action === 'ADDED').length, 300);

      for (let i = 0; i < 20; i++) writeFileSync(file(i), `document ${i} changed`);
      for (let i = 290; i < 300; i++) unlinkSync(file(i));
      const second = await syncToEnd(k, indexId, ds);
      assert.equal(second.Status, 'SUCCEEDED', second.ErrorMessage);
      assert.deepEqual(metrics(second), { scanned: '290', added: '0', modified: '20', deleted: '10', failed: '0' });
      const items = (await report(server, second.ExecutionId!)).items;
      assert.deepEqual(actions(items.filter((i) => i.Action === 'DELETED'), root + '/'), Array.from({ length: 10 }, (_, n) => `DELETED d${(290 + n) % 3}/f${290 + n}.txt`).sort());
      assert.equal(items.filter((i) => i.Action === 'MODIFIED').length, 20);
    });
  });
}

// The writer thread loads its code (and opens its connection) when the first batch comes, long after the
// server started: a dist/ rebuilt or upgraded in place under a running server failed that batch, and the
// pipeline's one-document retries each started a thread that failed the same way (the read threads had
// the same fault, fixed first: search-read-pool.test.ts).
describe('a sync writer thread that cannot start', () => {
  test('after 6 failed starts in a row the batches waiting fail, saying why; none is lost silently', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kendrite-writer-start-'));
    const told: string[] = [];
    const log = {
      warn: (o: object, msg: string) => void told.push(`${msg}: ${JSON.stringify(o)}`),
      error: (_: object, msg: string) => void told.push(msg),
    } as unknown as ConstructorParameters<typeof ThreadWriter>[3];
    // A database in a folder that does not exist: the thread's connection cannot open.
    const writer = new ThreadWriter({ databaseFile: path.join(dir, 'missing', 'kendrite.db'), limits: defaultConfig().limits }, () => 0, () => undefined, log);
    try {
      const job = {} as JobRef;
      const outcomes = await Promise.allSettled([writer.write(job, [], false), writer.write(job, [], true)]);
      assert.deepEqual(
        outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : o.status)),
        Array(2).fill('the sync writer thread could not start: the sync writer thread failed: Cannot open database because the directory does not exist'),
      );
      assert.equal(told.length, 6, told.join('\n'));
      assert.match(told[0]!, /^the sync writer thread could not start; another is started after a pause: \{"error":"the sync writer thread failed: Cannot open database because the directory does not exist","attempt":1,"retryInMs":100\}$/);
      assert.match(told[4]!, /"attempt":5,"retryInMs":1600\}$/);
      assert.equal(told[5], 'the sync writer thread could not start; the batches waiting for it fail');
    } finally {
      await writer.close();
      rmSync(dir, { recursive: true, force: true });
    }
    await assert.rejects(writer.write({} as JobRef, [], false), { message: 'the sync writer is closed' });
  });

  test('a sync whose writer thread finds a module of its own missing for a moment writes every document once it is back', async () => {
    const copy = mkdtempSync(path.join(REPO_ROOT, 'dist', '.copy-'));
    const root = mkdtempSync(path.join(tmpdir(), 'kendrite-writer-start-'));
    const store = await TestStore.create('sqlite');
    let server: TestServer | undefined;
    try {
      cpSync(path.join(REPO_ROOT, 'dist/src'), path.join(copy, 'dist/src'), { recursive: true });
      copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(copy, 'package.json'));
      server = await TestServer.start(store, { cli: path.join(copy, 'dist/src/cli/main.js'), config: { folders: { allowedRoots: [root] } } });
      const k = server.client();
      for (let i = 0; i < 30; i++) writeFileSync(path.join(root, `f${i}.txt`), `document ${i} about the writerstartword${i}`);
      const indexId = await activeIndex(k);
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'restarted', Type: 'TEMPLATE', Configuration: folderTemplate(root) });
      // Only the writer thread loads this module: the server's main thread never does.
      const module = path.join(copy, 'dist/src/sync/writerThread.js');
      renameSync(module, `${module}.away`);
      const outcome = syncToEnd(k, indexId, ds);
      let settled = false;
      void outcome.then(() => (settled = true), () => (settled = true));
      try {
        await waitFor('the writer thread failing to start, or the sync ending', async () => (settled || server!.logs.join('').includes('the sync writer thread could not start') ? true : undefined));
      } finally {
        renameSync(`${module}.away`, module);
      }
      const job = await outcome;
      assert.equal(job.Status, 'SUCCEEDED', job.ErrorMessage);
      assert.deepEqual(metrics(job), { scanned: '30', added: '30', modified: '0', deleted: '0', failed: '0' });
      assert.match(server.logs.join(''), /the sync writer thread could not start; another is started after a pause/);
    } finally {
      await server?.stop();
      await store.destroy();
      rmSync(copy, { recursive: true, force: true });
      rmSync(root, { recursive: true, force: true });
    }
  });
});
