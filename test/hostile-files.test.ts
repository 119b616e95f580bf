// Files built to exhaust memory, synced from a folder by a real server: each fails alone with its
// reason, the other documents are indexed, the server keeps serving, and its peak resident memory
// (VmHWM in /proc, which sees the extraction workers too) stays under 1 GB.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { deflatedRun, makeFlatePdf } from './support/corpus.js';
import { activeIndex } from './support/kendra.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';
import { activeDataSource, folderTemplate, metrics, report, syncToEnd } from './support/sync.js';

const MB = 1024 * 1024;


/** `depth` arrays nested in each other around one string: 2 bytes a level. */
function deepJson(depth: number): string {
  return `${'['.repeat(depth)}"deepword"${']'.repeat(depth)}`;
}

/** The peak and current resident memory of a process, from /proc. */
function memoryOf(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) * 1024;
  return { peak: kb('VmHWM'), now: kb('VmRSS') };
}

for (const backend of backends()) {
  describeOrSkip(`hostile files: memory stays bounded [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let root: string;
    before(async () => {
      root = mkdtempSync(path.join(tmpdir(), 'kendrite-hostile-'));
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, { config: { folders: { allowedRoots: [root] } } });
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
      rmSync(root, { recursive: true, force: true });
    });

    test('a PDF inflating to 1 GB and 4 MB of nested JSON fail with their reasons; peak RSS < 1 GB; the server serves on', async (t) => {
      const dir = path.join(root, 'files');
      mkdirSync(dir);
      // A line of text, then 1 GB of spaces.
      const content = await deflatedRun('BT /F1 12 Tf 72 720 Td (bombtext) Tj ET\n', 0x20, 1024 * MB);
      const files: Record<string, Uint8Array | string> = {
        'bomb.pdf': makeFlatePdf(content),
        'bomb-indirect-length.pdf': makeFlatePdf(content, { indirectLength: true }),
        'deep.json': deepJson(2 * MB),
        'fine.txt': 'An ordinary file beside the hostile ones.',
        'fine.json': JSON.stringify({ title: 'ordinary', nested: [[[['fourlevels']]]] }),
      };
      for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(dir, name), bytes);
      assert.ok((files['bomb.pdf'] as Uint8Array).length < 3 * MB);

      const k = server.client();
      const indexId = await activeIndex(k);
      const ds = await activeDataSource(k, { IndexId: indexId, Name: 'hostile', Type: 'TEMPLATE', Configuration: folderTemplate(dir) });
      const pid = server.proc.pid!;
      const before = memoryOf(pid);
      const job = await syncToEnd(k, indexId, ds, 120_000);
      const after = memoryOf(pid);

      assert.equal(job.Status, 'INCOMPLETE');
      assert.deepEqual(metrics(job), { scanned: '5', added: '2', modified: '0', deleted: '0', failed: '3' });
      const failed = Object.fromEntries(
        (await report(server, job.ExecutionId!)).items.filter((i) => i.Action === 'FAILED').map((i) => [path.basename(i.DocumentId), i.Reason]),
      );
      assert.deepEqual(Object.keys(failed).sort(), ['bomb-indirect-length.pdf', 'bomb.pdf', 'deep.json']);
      assert.match(failed['bomb.pdf']!, /^PDF bomb: a stream inflates beyond 67108864 bytes$/);
      assert.match(failed['bomb-indirect-length.pdf']!, /^PDF bomb: a stream inflates beyond 67108864 bytes$/);
      assert.equal(failed['deep.json'], 'JSON nested deeper than 1000 levels');

      t.diagnostic(`peak RSS ${Math.round(after.peak / MB)} MB, ${Math.round(before.now / MB)} MB before the sync`);
      const health = await fetch(`${server.url}/health`);
      assert.equal(health.status, 200);
      assert.equal(server.proc.exitCode, null);
      assert.ok(after.peak < 1024 * MB, `peak RSS ${Math.round(after.peak / MB)} MB (${Math.round(before.now / MB)} MB before the sync)`);
    });
  });
}
