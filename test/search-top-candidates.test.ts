// SQLite ranks a text search by the FTS score alone first and checks visibility for the best
// candidates only (src/search/topCandidates.ts). Its pages, totals and top scores must be exactly
// those of ranking every visible match: checked here against an answer computed independently (every
// match's score from the FTS table, visibility decided in JavaScript from how the corpus was written),
// over a corpus built so that the candidates alone would answer wrongly: the best matches invisible
// (FAILED, another index, another language, a DELETING data source, denied to the caller, outside the
// filter), and a hundred-odd equal scores across the candidate limit with document ids in no order.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { after, before, describe, test } from 'node:test';
import { analyzerFor } from '../src/search/analysis.js';
import type { AttributeFilter } from '../src/search/attributeFilter.js';
import type { DocumentSearch, SearchEngine } from '../src/search/engine.js';
import { fts5Engine } from '../src/search/fts5.js';
import { parseQueryText } from '../src/search/queryText.js';
import { openSqlite } from '../src/store/database.js';
import { SEARCHABLE_STATUSES } from '../src/store/documents.js';
import { migrate } from '../src/store/migrate.js';
import { packText, registerPackedText } from '../src/store/packedText.js';

type Hidden = 'FAILED' | 'other-index' | 'fr' | 'deleting-source' | 'denied-to-bob' | 'level-without-bob' | 'department-dev';

interface Doc {
  id: string;
  title: string;
  body: string;
  hidden?: Hidden;
}

const INDEX = 'ix';
const BOB = ['user:bob', 'group:staff'];
const OPS: AttributeFilter = { EqualsTo: { Key: 'department', Value: { StringValue: 'ops' } } };

/** A fixed pseudo-random sequence (mulberry32): the corpus is the same at every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALWAYS_HIDDEN: Hidden[] = ['FAILED', 'other-index', 'fr', 'deleting-source'];
const HIDDEN_TO_SOME: Hidden[] = ['denied-to-bob', 'level-without-bob', 'department-dev'];

function corpus(): Doc[] {
  const rnd = random(14);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const filler = (n: number) => Array.from({ length: n }, (_, i) => `w${(i * 7 + n) % 13}`).join(' ');
  const docs: Doc[] = [];
  // alpha: the 300 best matches are hidden from every search (150) or from bob / the filter (150); 60 visible below them.
  for (let i = 0; i < 300; i++) docs.push({ id: `a-top-${i}`, title: i < 150 ? 'alpha alpha alpha' : 'alpha notes', body: i < 150 ? `alpha alpha alpha alpha ${filler(i % 3)}` : `alpha alpha ${filler(3 + (i % 5))}`, hidden: i < 150 ? ALWAYS_HIDDEN[i % 4] : HIDDEN_TO_SOME[i % 3] });
  for (let i = 0; i < 60; i++) docs.push({ id: `a-low-${i}`, title: 'notes', body: `alpha ${filler(10 + (i % 20))}` });
  // beta: 3 best, then 130 equal scores (the same text) with ids in random order, some hidden.
  for (let i = 0; i < 3; i++) docs.push({ id: `b-best-${i}`, title: 'beta beta', body: `beta beta beta ${filler(i)}` });
  const tied = Array.from({ length: 130 }, (_, i) => i).sort(() => rnd() - 0.5);
  for (const n of tied) docs.push({ id: `b-tie-${String(n).padStart(3, '0')}`, title: 'beta notes', body: `beta ${filler(8)}`, hidden: rnd() < 0.2 ? pick([...ALWAYS_HIDDEN, ...HIDDEN_TO_SOME]) : undefined });
  // gamma: 1,000 matches of a few dozen distinct scores (many ties), a quarter hidden.
  for (let i = 0; i < 1000; i++) {
    const r = 1 + Math.floor(rnd() * 4);
    docs.push({ id: `g-${Math.floor(rnd() * 1e6)}-${i}`, title: rnd() < 0.1 ? 'gamma' : 'other', body: `${'gamma '.repeat(r)}${filler(Math.floor(rnd() * 12))}`, hidden: rnd() < 0.25 ? pick([...ALWAYS_HIDDEN, ...HIDDEN_TO_SOME]) : undefined });
  }
  return docs;
}

/** Whether a document is visible to a search as the corpus wrote it (engine.ts's conditions, restated). */
function visibleTo(d: Doc, s: { access: boolean; filter: boolean }): boolean {
  if (!d.hidden) return true;
  if (ALWAYS_HIDDEN.includes(d.hidden)) return false;
  if (d.hidden === 'department-dev') return !s.filter;
  return !s.access;
}

/** A store of the newest schema, empty, in `dir`: its file. */
async function migratedStore(dir: string): Promise<string> {
  const file = path.join(dir, 'kendrite.db');
  const conn = openSqlite(file);
  await migrate(conn);
  await conn.close();
  return file;
}

function write(file: string, docs: Doc[]): Map<number, Doc> {
  const db = new BetterSqlite3(file);
  registerPackedText(db);
  const byKey = new Map<number, Doc>();
  try {
    const source = db.prepare(`INSERT INTO data_sources (id, index_id, account_id, region, name, type, status, created_at, updated_at) VALUES (?, ?, '1', 'r', ?, 'CUSTOM', ?, 0, 0)`);
    source.run('ds-live', INDEX, 'live', 'ACTIVE');
    source.run('ds-gone', INDEX, 'gone', 'DELETING');
    // Documents name their index and data source by key (store/idKeys.ts); these indices were never made through the API.
    for (const id of [INDEX, 'ix-other']) db.prepare(`INSERT INTO index_keys (id) VALUES (?)`).run(id);
    const insert = db.prepare(`INSERT INTO documents (index_key, document_id, source_key, title, body, content_type, attributes, status, language_code, search_title, search_body, created_at, updated_at)
      VALUES ((SELECT key FROM index_keys WHERE id = ?), ?, (SELECT key FROM data_source_keys WHERE id = ?), ?, ?, 'PLAIN_TEXT', ?, ?, ?, ?, ?, 0, 0)`);
    const access = db.prepare(`INSERT INTO document_access (doc_key, level, access, principal) VALUES (?, ?, ?, ?)`);
    db.transaction(() => {
      for (const d of docs) {
        const h = d.hidden;
        const attributes = [{ Key: 'department', Value: { StringValue: h === 'department-dev' ? 'dev' : 'ops' } }];
        const fr = h === 'fr';
        const key = Number(
          insert.run(h === 'other-index' ? 'ix-other' : INDEX, d.id, h === 'deleting-source' ? 'ds-gone' : 'ds-live', d.title, packText(d.body), JSON.stringify(attributes), h === 'FAILED' ? 'FAILED' : 'INDEXED', fr ? 'fr' : 'en', fr ? d.title : null, fr ? d.body : null).lastInsertRowid,
        );
        byKey.set(key, d);
        if (h === 'denied-to-bob') {
          access.run(key, 0, 'D', 'user:bob');
        } else if (h === 'level-without-bob') {
          access.run(key, 1, 'L', '');
          access.run(key, 1, 'A', 'group:admins');
        } else if (!h) {
          // Allowed to bob at its one level: visible to him, and to a search without access control.
          access.run(key, 1, 'L', '');
          access.run(key, 1, 'A', 'group:staff');
        }
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return byKey;
}

describe('SQLite: a page ranked from the best candidates is the page of every visible match', () => {
  let dir: string;
  let file: string;
  let byKey: Map<number, Doc>;
  let engine: SearchEngine;
  let fts: BetterSqlite3.Database;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kendrite-top-candidates-'));
    file = await migratedStore(dir);
    byKey = write(file, corpus());
    engine = fts5Engine(file);
    fts = new BetterSqlite3(file, { readonly: true });
  });
  after(async () => {
    await engine?.close();
    fts?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every match's score straight from the FTS table (the engine's weights), sorted by (score DESC, document id). */
  const matches = (term: string) =>
    (fts.prepare(`SELECT rowid AS k, -bm25(documents_fts, 10.0, 1.0) AS s FROM documents_fts WHERE documents_fts MATCH ?`).all(term) as { k: number; s: number }[])
      .map((r) => ({ doc: byKey.get(r.k)!, key: r.k, score: r.s }))
      .sort((a, b) => b.score - a.score || (a.doc.id < b.doc.id ? -1 : a.doc.id > b.doc.id ? 1 : 0));

  const searches = [
    { name: 'no access control, no filter', access: false, filter: false },
    { name: 'bob', access: true, filter: false },
    { name: 'the ops filter', access: false, filter: true },
    { name: 'bob and the ops filter', access: true, filter: true },
  ];
  const pages = [[0, 1], [0, 10], [10, 10], [7, 3], [90, 10], [100, 10], [120, 10], [0, 100], [200, 20], [490, 10], [600, 10], [5000, 10]] as const;

  const search = (term: string, s: (typeof searches)[number]): DocumentSearch => ({
    indexId: INDEX,
    language: 'en',
    query: parseQueryText(term, analyzerFor('en')),
    ...(s.access ? { access: { principals: BOB } } : {}),
    ...(s.filter ? { filter: OPS } : {}),
  });

  for (const term of ['alpha', 'beta', 'gamma'])
    for (const s of searches)
      test(`${term}, ${s.name}: every page, total and top score exact`, async () => {
        const expected = matches(term).filter((m) => visibleTo(m.doc, s));
        for (const [offset, limit] of pages) {
          const page = await engine.rankDocuments(search(term, s), [], offset, limit);
          const want = expected.slice(offset, offset + limit);
          assert.deepEqual(
            page.items.map((i) => [byKey.get(i.docKey)!.id, i.score]),
            want.map((m) => [m.doc.id, m.score]),
            `${term}, ${s.name}, offset ${offset}, limit ${limit}`,
          );
          assert.equal(page.total, expected.length, `${term}, ${s.name}: total at offset ${offset}`);
          assert.equal(page.topScore, want.length ? expected[0]!.score : 0);
        }
      });

  test('the corpus needs the exactness rule: the first 100 candidates alone would give other pages', () => {
    const naive = (term: string, s: (typeof searches)[number], offset: number, limit: number) =>
      (fts.prepare(`SELECT rowid AS k, -bm25(documents_fts, 10.0, 1.0) AS s FROM documents_fts WHERE documents_fts MATCH ? ORDER BY s DESC LIMIT 100`).all(term) as { k: number; s: number }[])
        .map((r) => ({ doc: byKey.get(r.k)!, score: r.s }))
        .filter((m) => visibleTo(m.doc, s))
        .sort((a, b) => b.score - a.score || (a.doc.id < b.doc.id ? -1 : 1))
        .slice(offset, offset + limit)
        .map((m) => m.doc.id);
    const exact = (term: string, s: (typeof searches)[number], offset: number, limit: number) =>
      matches(term)
        .filter((m) => visibleTo(m.doc, s))
        .slice(offset, offset + limit)
        .map((m) => m.doc.id);
    // The best 100 all hidden: nothing left of them.
    assert.deepEqual(naive('alpha', searches[0]!, 0, 10), []);
    assert.equal(exact('alpha', searches[0]!, 0, 10).length, 10);
    // Equal scores across the 100th candidate: enough survive, but not the lowest ids among the ties.
    assert.equal(naive('beta', searches[0]!, 0, 10).length, 10);
    assert.notDeepEqual(naive('beta', searches[0]!, 0, 10), exact('beta', searches[0]!, 0, 10));
  });
});

// The total of a plain text search comes from the FTS table's own count when every row of it is visible to
// the search (document_counts, kept by triggers); otherwise from checking each match. A row put into the
// FTS table alone (no document) tells which one answered: the table's count includes it, the check does not.
describe('SQLite: a text search total from the FTS count only while every row of the table is visible', () => {
  let dir: string;
  let file: string;
  let engine: SearchEngine;
  let db: BetterSqlite3.Database;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kendrite-whole-count-'));
    file = await migratedStore(dir);
    db = new BetterSqlite3(file);
    registerPackedText(db);
    const source = db.prepare(`INSERT INTO data_sources (id, index_id, account_id, region, name, type, status, created_at, updated_at) VALUES (?, ?, '1', 'r', ?, 'CUSTOM', 'ACTIVE', 0, 0)`);
    source.run('ds-1', INDEX, 'one');
    source.run('ds-2', INDEX, 'two');
    for (const id of [INDEX, 'ix-other']) db.prepare(`INSERT INTO index_keys (id) VALUES (?)`).run(id);
    db.transaction(() => {
      for (let i = 0; i < 200; i++) insert(`doc-${i}`, i < 150 ? `delta ${'w '.repeat(i % 7)}` : 'epsilon', i % 15 === 0 ? 'ds-2' : 'ds-1');
    })();
    db.prepare(`INSERT INTO documents_fts (rowid, title, body) VALUES (999999, 'delta', 'delta')`).run();
    engine = fts5Engine(file);
  });
  after(async () => {
    await engine?.close();
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (id: string, body: string, source = 'ds-1', index = INDEX) =>
    db
      .prepare(`INSERT INTO documents (index_key, document_id, source_key, title, body, content_type, attributes, status, created_at, updated_at)
        VALUES ((SELECT key FROM index_keys WHERE id = ?), ?, (SELECT key FROM data_source_keys WHERE id = ?), 'notes', ?, 'PLAIN_TEXT', '[]', 'INDEXED', 0, 0)`)
      .run(index, id, source, packText(body));
  const total = async (extra: Partial<DocumentSearch> = {}) => (await engine.rankDocuments({ indexId: INDEX, language: 'en', query: parseQueryText('delta', analyzerFor('en')), ...extra }, [], 0, 10)).total;
  const counted = () => db.prepare(`SELECT index_id, language_code, searchable, n FROM document_counts WHERE n <> 0 ORDER BY 1, 2, 3`).all();
  const recounted = () =>
    db.prepare(`SELECT (SELECT id FROM index_keys WHERE key = index_key) AS index_id, language_code, status IN ('INDEXED', 'UPDATED', 'UPDATE_FAILED') AS searchable, count(*) AS n FROM documents GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`).all();
  const run = (text: string, ...params: unknown[]) => db.prepare(text).run(...params);

  test('document_counts counts as searchable the statuses search serves (a change to them needs a migration of its triggers)', () => {
    assert.deepEqual([...SEARCHABLE_STATUSES], ['INDEXED', 'UPDATED', 'UPDATE_FAILED']);
    const trigger = String(db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'documents_counts_insert'`).pluck().get());
    assert.ok(trigger.includes(`IN ('INDEXED', 'UPDATED', 'UPDATE_FAILED')`), trigger);
  });

  test('every document searchable in the one index: the FTS count (150 documents and the stray row)', async () => {
    assert.equal(await total(), 151);
    assert.deepEqual(counted(), [{ index_id: INDEX, language_code: 'en', searchable: 1, n: 200 }]);
  });

  test('a FAILED document, a data source being deleted, a document of another index: each match checked, until undone', async () => {
    run(`UPDATE documents SET status = 'FAILED' WHERE document_id = 'doc-1'`);
    assert.deepEqual(counted(), recounted());
    assert.equal(await total(), 149);
    run(`UPDATE documents SET status = 'UPDATE_FAILED' WHERE document_id = 'doc-1'`);
    assert.equal(await total(), 151);
    run(`UPDATE data_sources SET status = 'DELETING' WHERE id = 'ds-2'`);
    assert.equal(await total(), 140);
    run(`UPDATE data_sources SET status = 'ACTIVE' WHERE id = 'ds-2'`);
    assert.equal(await total(), 151);
    insert('elsewhere', 'delta', 'ds-1', 'ix-other');
    assert.deepEqual(counted(), recounted());
    assert.equal(await total(), 150);
    run(`DELETE FROM documents WHERE document_id = 'elsewhere'`);
    assert.deepEqual(counted(), recounted());
    assert.equal(await total(), 151);
  });

  test('a document moved to another language leaves the English table whole; a search with conditions checks each match', async () => {
    run(`UPDATE documents SET language_code = 'fr', search_title = 'notes', search_body = 'delta' WHERE document_id = 'doc-2'`);
    assert.deepEqual(counted(), recounted());
    assert.equal(await total(), 150);
    // No document of the store has access rows: every caller sees every document, the FTS count answers; with one, each match is checked.
    assert.equal(await total({ access: { principals: ['user:ana'] } }), 150);
    assert.equal(await total({ access: { principals: [] } }), 150);
    run(`INSERT INTO document_access (doc_key, level, access, principal) SELECT doc_key, 0, 'D', 'user:ana' FROM documents WHERE document_id = 'doc-5'`);
    assert.equal(await total({ access: { principals: ['user:ana'] } }), 148);
    assert.equal(await total({ access: { principals: [] } }), 148);
    assert.equal(await total(), 150);
    assert.equal(await total({ filter: { EqualsTo: { Key: '_language_code', Value: { StringValue: 'en' } } } }), 149);
    run(`DELETE FROM documents WHERE document_id = 'doc-3'`);
    assert.deepEqual(counted(), recounted());
    assert.equal(await total(), 149);
  });
});
