// SQLite's page size and page cache (store/sqlitePages.ts): a new store is made with 8 KB pages, an existing one
// keeps the page size it was made with, and every connection caches the same number of pages whatever their size.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { fts5Engine } from '../src/search/fts5.js';
import { openDatabase } from '../src/store/database.js';
import { migrate } from '../src/store/migrate.js';
import { CACHED_PAGES, NEW_STORE_PAGE_SIZE } from '../src/store/sqlitePages.js';
import { FIXTURE_DIR } from './support/migrationFixture.js';
import { REPO_ROOT } from './support/server.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'kendrite-pages-'));
  dirs.push(d);
  return d;
};
const pageSizeOf = (file: string) => {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return db.pragma('page_size', { simple: true }) as number;
  } finally {
    db.close();
  }
};

/** The store in `dataDir` opened and migrated; its connection's page size and cache, and what the file holds after. */
async function opened(dataDir: string) {
  const conn = openDatabase({ dataDir });
  try {
    await migrate(conn);
    return { pageSize: conn.sqlite!.pragma('page_size', { simple: true }), cachePages: conn.sqlite!.pragma('cache_size', { simple: true }) };
  } finally {
    await conn.close();
  }
}

test('a new store is made with 8 KB pages, and caches 500 of them', async () => {
  assert.equal(NEW_STORE_PAGE_SIZE, 8192);
  const dataDir = tempDir();
  assert.deepEqual(await opened(dataDir), { pageSize: 8192, cachePages: CACHED_PAGES });
  assert.equal(pageSizeOf(path.join(dataDir, 'kendrite.db')), 8192);
  // Opened again: still 8 KB, and the search engine's read-only connection caches as many pages.
  assert.deepEqual(await opened(dataDir), { pageSize: 8192, cachePages: CACHED_PAGES });
  const engine = fts5Engine(path.join(dataDir, 'kendrite.db')) as unknown as { backend: { db: BetterSqlite3.Database }; close(): Promise<void> };
  try {
    assert.equal(engine.backend.db.pragma('cache_size', { simple: true }), CACHED_PAGES);
    assert.equal(engine.backend.db.pragma('page_size', { simple: true }), 8192);
  } finally {
    await engine.close();
  }
});

test("a store of a release before keeps its 4 KB pages when opened and migrated", async () => {
  const dataDir = tempDir();
  cpSync(path.join(REPO_ROOT, FIXTURE_DIR, 'sqlite'), dataDir, { recursive: true });
  const file = path.join(dataDir, 'kendrite.db');
  assert.equal(pageSizeOf(file), 4096);
  assert.deepEqual(await opened(dataDir), { pageSize: 4096, cachePages: CACHED_PAGES });
  assert.equal(pageSizeOf(file), 4096);
});
