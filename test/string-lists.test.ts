// String-list attributes: Kendra's documented limits (ten strings by default, limits.maxStringListValues;
// 2,048 characters a string), refused with a reason at the limit's edge, in BatchPutDocument and in a
// folder's metadata files; and a list an operator allows to be long is indexed in time linear in its
// length (it was quadratic in SQLite's trigger: 60,000 values froze the server). No time is asserted:
// the long list is simply indexed and found, where it used to stall the test for minutes.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { BatchPutDocumentCommand, QueryCommand, StartDataSourceSyncJobCommand, StopDataSourceSyncJobCommand, type KendraClient } from '@aws-sdk/client-kendra';
import { activeCustomDataSource, activeIndex, jobReaching } from './support/kendra.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';
import { activeDataSource, folderTemplate, metrics, report, syncToEnd, TERMINAL } from './support/sync.js';

const list = (n: number, prefix = 'v') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

for (const backend of backends()) {
  describeOrSkip(`string-list attributes: limits and cost [${backend.name}]`, { skip: backend.skip }, () => {
    let root: string;
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    before(async () => {
      root = mkdtempSync(path.join(tmpdir(), 'kendrite-lists-'));
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, { config: { folders: { allowedRoots: [root] } } });
      k = server.client();
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
      rmSync(root, { recursive: true, force: true });
    });

    /** Puts documents in a CUSTOM job; returns what was refused and the ended job. */
    async function putAll(kc: KendraClient, indexId: string, docs: { Id: string; values: string[] }[]) {
      const ds = await activeCustomDataSource(kc, indexId, `lists-${docs.length}-${docs[0]!.Id}`);
      const { ExecutionId } = await kc.send(new StartDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      const routing = [
        { Key: '_data_source_id', Value: { StringValue: ds } },
        { Key: '_data_source_sync_job_execution_id', Value: { StringValue: ExecutionId! } },
      ];
      const r = await kc.send(
        new BatchPutDocumentCommand({
          IndexId: indexId,
          Documents: docs.map((d) => ({ Id: d.Id, Blob: Buffer.from(`text of ${d.Id}`), ContentType: 'PLAIN_TEXT', Attributes: [...routing, { Key: 'tags', Value: { StringListValue: d.values } }] })),
        }),
      );
      await kc.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      return { failed: r.FailedDocuments!, job: await jobReaching(kc, indexId, ds, ExecutionId!, TERMINAL, 120_000) };
    }

    test('BatchPutDocument: ten strings of 2,048 characters are indexed; eleven strings come back in FailedDocuments (a string of 2,049 the model refuses)', async () => {
      const indexId = await activeIndex(k, 'lists');
      const { failed, job } = await putAll(k, indexId, [
        { Id: 'ten', values: list(10) },
        { Id: 'eleven', values: list(11) },
        { Id: 'long-strings', values: [...list(9), 'x'.repeat(2048)] },
      ]);
      assert.deepEqual(
        failed.map((f) => [f.Id, f.ErrorCode, f.ErrorMessage]),
        [['eleven', 'InvalidRequest', 'Attribute tags has 11 values; a string list holds at most 10 (limits.maxStringListValues).']],
      );
      assert.equal(job.Status, 'SUCCEEDED');
      assert.deepEqual(metrics(job), { scanned: undefined, added: '2', modified: '0', deleted: '0', failed: '0' });
      const r = await k.send(new QueryCommand({ IndexId: indexId, AttributeFilter: { ContainsAll: { Key: 'tags', Value: { StringListValue: ['v0', 'v8'] } } } }));
      assert.deepEqual(r.ResultItems!.map((i) => i.DocumentId).sort(), ['long-strings', 'ten']);
    });

    test('a folder: a metadata file with ten _authors is indexed; eleven, 60,000, or a name of 2,049 characters fail their document with the reason', async () => {
      const indexId = await activeIndex(k, 'folder-lists');
      const dir = path.join(root, 'authors');
      mkdirSync(dir);
      const authors: [string, string[]][] = [
        ['ten.txt', list(10, 'author ')],
        ['eleven.txt', list(11, 'author ')],
        ['sixty-thousand.txt', list(60_000, 'author ')],
        ['long-name.txt', ['ann', 'b'.repeat(2049)]],
      ];
      for (const [name, _authors] of authors) {
        writeFileSync(path.join(dir, name), `text of ${name}`);
        writeFileSync(path.join(dir, `${name}.metadata.json`), JSON.stringify({ Attributes: { _authors } }));
      }
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'authors', Type: 'TEMPLATE', Configuration: folderTemplate(dir) });
      const job = await syncToEnd(k, indexId, ds);
      assert.equal(job.Status, 'INCOMPLETE');
      assert.deepEqual(metrics(job), { scanned: '4', added: '1', modified: '0', deleted: '0', failed: '3' });
      const failed = Object.fromEntries((await report(server, job.ExecutionId!)).items.filter((i) => i.Action === 'FAILED').map((i) => [path.basename(i.DocumentId), i.Reason]));
      assert.deepEqual(failed, {
        'eleven.txt': 'Attribute _authors has 11 values; a string list holds at most 10 (limits.maxStringListValues).',
        'long-name.txt': 'Attribute _authors has a value of 2049 characters (value 2); the limit is 2048.',
        'sixty-thousand.txt': 'Attribute _authors has 60000 values; a string list holds at most 10 (limits.maxStringListValues).',
      });
    });

    test('with limits.maxStringListValues raised, a list of 60,000 strings is indexed and found', async () => {
      // The same store, served by a process configured otherwise (SQLite allows one process at a time).
      await server.stop();
      const wide = await TestServer.start(store, { config: { limits: { maxStringListValues: 60_000 } } });
      try {
        const kw = wide.client();
        const indexId = await activeIndex(kw, 'wide-lists');
        const { failed, job } = await putAll(kw, indexId, [{ Id: 'wide', values: list(60_000) }, { Id: 'over', values: list(60_001) }]);
        assert.deepEqual(failed.map((f) => f.Id), ['over']);
        assert.equal(job.Status, 'SUCCEEDED');
        assert.deepEqual(metrics(job), { scanned: undefined, added: '1', modified: '0', deleted: '0', failed: '0' });
        const r = await kw.send(new QueryCommand({ IndexId: indexId, AttributeFilter: { ContainsAny: { Key: 'tags', Value: { StringListValue: ['v59999'] } } } }));
        assert.deepEqual(r.ResultItems!.map((i) => i.DocumentId), ['wide']);
      } finally {
        await wide.stop();
      }
    });
  });
}
