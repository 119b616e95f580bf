import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { KendraClient } from '@aws-sdk/client-kendra';
import { TransactionSizer } from '../src/sync/transactionSizer.js';
import { activeIndex } from './support/kendra.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';
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
