// SQLite: a batch of document writes gives the full-text index the texts it wrote (store/textsInHand.ts) instead of
// reading each row back; the index must hold exactly what reading the rows back puts there. Two stores take the same
// writes: one through the store's own statements (texts in hand, and rows read back where the batch did not write a
// document's whole text), the other through Kysely alone, which reads every row back (the statements of before).
// Every term, document, column and position of both full-text tables is compared.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DocumentStore, type DocumentRow } from '../src/store/documents.js';
import { Store } from '../src/store/store.js';

const prose = (n: number, word: string) => Array.from({ length: n }, (_, i) => `${word} harbour wall ${i % 97} stood against the sea`).join(' ');

function row(id: string, over: Partial<Omit<DocumentRow, 'doc_key'>> = {}): Omit<DocumentRow, 'doc_key'> {
  const body = over.body ?? prose(200, id);
  return {
    index_id: 'idx', document_id: id, data_source_id: null, title: `title of ${id}`, body, content_type: 'PLAIN_TEXT', attributes: '[]', language_code: 'en',
    search_title: null, search_body: null, source_uri: null, file_type: null, content_hash: null, status: 'INDEXED', failure_reason: null,
    text_bytes: Buffer.byteLength(body), applied_seq: 0, created_at: 1, updated_at: 1, ...over,
  };
}

/** The batches of writes both stores take; `keys` maps a document id to its key. */
const batches: ((docs: DocumentStore, db: Parameters<DocumentStore['insert']>[1], keys: Map<string, number>) => Promise<void>)[] = [
  async (docs, db, keys) => {
    keys.set('a', await docs.insert(row('a'), db)); // packed text, English
    keys.set('b', await docs.insert(row('b', { language_code: 'fr', search_title: 'titre analysé', search_body: prose(100, 'analysé') }), db)); // another language's index
    keys.set('c', await docs.insert(row('c', { body: 'a short text kept as it is' }), db));
    keys.set('d', await docs.insert(row('d'), db));
    await docs.update(keys.get('d')!, { title: 'd rewritten', body: prose(150, 'rewritten'), search_title: null, search_body: null }, db); // its whole text again
    await docs.update(keys.get('d')!, { title: 'd retitled' }, db); // part of it, over what the batch holds
    keys.set('e', await docs.insert(row('e'), db));
    await docs.remove(keys.get('e')!, db); // written and removed in one batch
    keys.set('f', await docs.insert(row('f', { title: '', body: '' }), db)); // no text (a failed document's row)
  },
  async (docs, db, keys) => {
    await docs.update(keys.get('a')!, { title: 'a retitled only' }, db); // part of a text written before: read back
    await docs.update(keys.get('b')!, { title: 'b now english', body: prose(120, 'english'), search_title: null, search_body: null, language_code: 'en' }, db); // moves index
    await docs.update(keys.get('c')!, { language_code: 'de', search_title: 'c analysiert', search_body: 'analysierter text' }, db); // language and analysed text, not the rest: read back
    keys.set('g', await docs.insert(row('g', { language_code: 'de', search_title: 'g titel', search_body: null }), db)); // another language without analysed body
    await docs.update(keys.get('g')!, { language_code: 'en' }, db); // its language only, over a text in hand
    await docs.remove(keys.get('f')!, db);
  },
];

async function writeAll(readBack: boolean): Promise<{ fts: unknown[]; plain: unknown[]; keys: Map<string, number> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kendrite-fts-in-hand-'));
  const store = await Store.open({ dataDir: dir });
  try {
    // Without its prepared statements (no RawStatements), the document store writes through Kysely and reads every row back.
    const docs = readBack ? new DocumentStore(store.db, 'sqlite') : store.documents;
    await store.db.transaction().execute((trx) => store.documents.ensureKeys(['idx'], [], trx));
    const keys = new Map<string, number>();
    for (const batch of batches) await store.db.transaction().execute((trx) => docs.withTextBatched(trx, () => batch(docs, trx, keys)));
    const sqlite = store.conn.sqlite!;
    const instances = (table: string) => {
      sqlite.exec(`CREATE VIRTUAL TABLE temp.v_${table} USING fts5vocab(main, ${table}, instance)`);
      return sqlite.prepare(`SELECT term, doc, col, offset FROM temp.v_${table} ORDER BY term, doc, col, offset`).raw(true).all();
    };
    return { fts: instances('documents_fts'), plain: instances('documents_fts_plain'), keys };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the full-text index given the texts a batch wrote holds exactly what reading its rows back gives', async () => {
  const inHand = await writeAll(false);
  const readBack = await writeAll(true);
  assert.deepEqual([...inHand.keys], [...readBack.keys]);
  assert.deepEqual(inHand.fts, readBack.fts);
  assert.deepEqual(inHand.plain, readBack.plain);
  // Which documents each index holds: a, b (now English), d and g in the English one; c (now German) in the other.
  const k = inHand.keys;
  const docsOf = (rows: unknown[]) => [...new Set(rows.map((r) => (r as [string, number])[1]))].sort((x, y) => x - y);
  assert.deepEqual(docsOf(inHand.fts), [k.get('a'), k.get('b'), k.get('d'), k.get('g')]);
  assert.deepEqual(docsOf(inHand.plain), [k.get('c')]);
  // The German row's terms are its analysed text alone: 'c analysiert' and 'analysierter text', four positions.
  assert.deepEqual(inHand.plain, [['analysiert', k.get('c'), 'title', 1], ['analysierter', k.get('c'), 'body', 0], ['c', k.get('c'), 'title', 0], ['text', k.get('c'), 'body', 1]]);
});
