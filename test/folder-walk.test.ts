// The parts of a resync that run per file, without a server: the folder walk on its worker thread,
// the range lookup of versions (with its fall back to probes), and the set of unchanged documents.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Found } from '../src/connectors/contract.js';
import { FolderConnector } from '../src/connectors/filesystem.js';
import { BATCH_ENTRIES, MAX_IN_FLIGHT } from '../src/connectors/folderWalk.js';
import { Store } from '../src/store/store.js';
import { DocKeySet } from '../src/sync/docKeySet.js';

const root = mkdtempSync(path.join(tmpdir(), 'kendrite-walk-'));
after(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, text = rel): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

async function walk(folder: string, signal = new AbortController().signal, allowHardLinks = false): Promise<Found[]> {
  const out: Found[] = [];
  for await (const f of new FolderConnector({ path: folder }, [root], allowHardLinks).enumerate({ signal, maxDocumentBytes: 1 << 20 })) out.push(f);
  return out;
}

describe('the folder walk on its own thread', () => {
  test("a directory's files in name order before its subdirectories; side files, links and other entries", async () => {
    const dir = path.join(root, 'small');
    for (const rel of ['b.txt', 'a.txt', 'sub/z.md', 'sub/deeper/y.html', 'c.txt', 'c.txt.metadata.json', 'zz/x.txt']) write(`small/${rel}`, rel.endsWith('.json') ? '{"Title": "C"}' : rel);
    symlinkSync(path.join(dir, 'a.txt'), path.join(dir, 'link.txt'));
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    const found = await walk(dir);
    const ids = found.map((f) => f.id!.slice(dir.length + 1));
    assert.deepEqual(ids, ['a.txt', 'b.txt', 'c.txt', 'link.txt', 'pipe', 'sub/z.md', 'sub/deeper/y.html', 'zz/x.txt']);
    const kinds = Object.fromEntries(found.map((f) => [f.id!.slice(dir.length + 1), f.kind === 'failure' ? f.reason.replace(dir, '') : 'document']));
    assert.match(kinds['link.txt']!, /is a symbolic link/);
    assert.match(kinds['pipe']!, /is not a regular file/);
    assert.equal(kinds['c.txt'], 'document');
    const c = found.find((f) => f.id === path.join(dir, 'c.txt'))!;
    assert.ok(c.kind === 'document');
    assert.match(c.version, /^\d+:[\d.]+;\d+:[\d.]+$/, 'the side file is part of the version');
    assert.equal((await c.fetch(new AbortController().signal)).title, 'C');
  });

  test('a file with several hard links: refused by default, read when folders.allowHardLinks is set', async () => {
    const dir = path.join(root, 'links');
    write('links/one.txt', 'one');
    write('elsewhere/two.txt', 'two');
    write('elsewhere/meta.json', '{"Title": "From elsewhere"}');
    linkSync(path.join(root, 'elsewhere/two.txt'), path.join(dir, 'two.txt'));
    linkSync(path.join(root, 'elsewhere/meta.json'), path.join(dir, 'one.txt.metadata.json'));
    const refused = await walk(dir);
    assert.deepEqual(refused.map((f) => [f.id!.slice(dir.length + 1), f.kind]), [['one.txt', 'failure'], ['two.txt', 'failure']]);
    assert.match((refused[0] as Extract<Found, { kind: 'failure' }>).reason, /^metadata file .*one\.txt\.metadata\.json has more than one hard link/);
    assert.match((refused[1] as Extract<Found, { kind: 'failure' }>).reason, /has more than one hard link/);
    const allowed = await walk(dir, undefined, true);
    assert.deepEqual(allowed.map((f) => f.kind), ['document', 'document']);
    const one = allowed[0]!;
    assert.ok(one.kind === 'document');
    assert.equal((await one.fetch(new AbortController().signal)).title, 'From elsewhere');
    const two = allowed[1]!;
    assert.ok(two.kind === 'document');
    assert.equal(Buffer.from((await two.fetch(new AbortController().signal)).content).toString(), 'two');
  });

  test('more entries than the batches in flight, and a directory too large to read whole: every file once', async () => {
    const dir = path.join(root, 'large');
    const count = Math.max(10_050, BATCH_ENTRIES * MAX_IN_FLIGHT * 3); // over the 10,000 a directory is read whole up to
    mkdirSync(path.join(dir, 'flat'), { recursive: true });
    for (let i = 0; i < count; i++) writeFileSync(path.join(dir, 'flat', `f${i}.txt`), 'x');
    writeFileSync(path.join(dir, 'flat', 'f7.txt.metadata.json'), '{"Title": "seven"}');
    const found = await walk(dir);
    assert.equal(found.length, count);
    assert.equal(new Set(found.map((f) => f.id)).size, count);
    assert.ok(found.every((f) => f.kind === 'document'));
    const seven = found.find((f) => f.id === path.join(dir, 'flat', 'f7.txt'))!;
    assert.ok(seven.kind === 'document');
    assert.equal((await seven.fetch(new AbortController().signal)).title, 'seven', 'a side file found in a streamed directory too');
  });

  test('a stopped sync ends the walk', async () => {
    const controller = new AbortController();
    const seen: Found[] = [];
    for await (const f of new FolderConnector({ path: path.join(root, 'large') }, [root]).enumerate({ signal: controller.signal, maxDocumentBytes: 1 << 20 })) {
      seen.push(f);
      if (seen.length === 10) controller.abort();
    }
    assert.equal(seen.length, 10);
  });
});

describe('versions of a batch (SQLite)', () => {
  let store: Store;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kendrite-versions-'));
  const id = (i: number) => `/docs/d${String(Math.floor(i / 100)).padStart(2, '0')}/f${String(i).padStart(4, '0')}.txt`;
  before(async () => {
    store = await Store.open({ dataDir });
    const sqlite = store.conn.sqlite!;
    // Documents and synced rows name their index and data source by key (store/idKeys.ts): neither was made through the API here.
    await store.db.transaction().execute((trx) => store.documents.ensureKeys(['ix'], ['ds'], trx));
    const doc = sqlite.prepare(
      `INSERT INTO documents (index_key, document_id, source_key, title, body, content_type, attributes, status, text_bytes, applied_seq, created_at, updated_at)
       VALUES ((SELECT key FROM index_keys WHERE id = 'ix'), ?, (SELECT key FROM data_source_keys WHERE id = 'ds'), '', '', 'PLAIN_TEXT', '[]', 'INDEXED', 0, 0, 0, 0)`,
    );
    // SQLite's synced rows hold no ids (migration 24): the document's row has them.
    const synced = sqlite.prepare(`INSERT INTO synced_documents (doc_key, source_key, version) VALUES (?, (SELECT key FROM data_source_keys WHERE id = 'ds'), ?)`);
    sqlite.transaction(() => {
      for (let i = 0; i < 3000; i++) synced.run(doc.run(id(i)).lastInsertRowid, `v${i}`);
      const astral = '/docs/\u{1F600}.txt';
      synced.run(doc.run(astral).lastInsertRowid, 'vA');
    })();
  });
  after(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const check = async (ids: string[]) => {
    const got = await store.syncDocuments.versions('ix', ids);
    for (const d of ids) {
      const i = Number(/f(\d+)/.exec(d)?.[1] ?? NaN);
      const expected = Number.isNaN(i) ? (d.includes('\u{1F600}') ? 'vA' : undefined) : i < 3000 ? `v${i}` : undefined;
      assert.equal(got.get(d)?.version, expected, d);
      if (expected) assert.equal(got.get(d)!.data_source_id, 'ds');
    }
  };

  test('a stretch of the index in one read; ids the index lacks are absent', async () => {
    await check(Array.from({ length: 500 }, (_, i) => id(1000 + i)));
    await check([...Array.from({ length: 100 }, (_, i) => id(2950 + i))]); // runs past the last document
  });

  test('ids spread over far more documents than the batch (probed instead), unordered, and beyond the BMP', async () => {
    const spread = Array.from({ length: 30 }, (_, i) => id(i * 97)).reverse();
    await check(spread);
    await check([id(5), '/docs/\u{1F600}.txt', id(2999)]);
    await check([id(7)]);
  });

  test('DocKeySet: each key added, no other', () => {
    const set = new DocKeySet();
    const keys = [0, 1, 7, 8, 63, 8191, 8192, 1_000_003];
    for (const k of keys) set.add(k);
    for (const k of keys) assert.equal(set.has(k), true, String(k));
    for (const k of [2, 9, 8190, 8193, 1_000_002, 5_000_000]) assert.equal(set.has(k), false, String(k));
  });
});
