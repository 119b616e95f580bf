// A document's text as SQLite keeps it (store/packedText.ts): packed when that is smaller, read back whole or by its
// first characters, the same as the text itself would read — through kendrite_text() in SQL too, for both forms.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { packText, registerPackedText, storedTextSql, unpackText } from '../src/store/packedText.js';

const prose = (n: number) => Array.from({ length: n }, (_, i) => `the harbour wall ${i % 97} stood against the sea,`).join(' ');

test('a long text is packed into fewer bytes and reads back as it was; a short one is kept as it is', () => {
  const text = prose(500);
  const packed = packText(text);
  assert.ok(Buffer.isBuffer(packed));
  assert.ok(packed.length < Buffer.byteLength(text) / 2, `${packed.length} bytes of ${Buffer.byteLength(text)}`);
  assert.equal(unpackText(packed), text);
  assert.equal(packText('a short title'), 'a short title');
  assert.equal(packText(''), '');
});

test('a text of 500 characters and more is packed (a small document\'s, as the scale bench\'s), a shorter one kept as it is', () => {
  const small = prose(40).slice(0, 600);
  const packed = packText(small);
  assert.ok(Buffer.isBuffer(packed));
  assert.ok(packed.length < 400, `${packed.length} bytes of 600`);
  assert.equal(unpackText(packed), small);
  assert.ok(Buffer.isBuffer(packText(small.slice(0, 500))));
  assert.equal(packText(small.slice(0, 499)), small.slice(0, 499));
});

test('a text that does not compress is kept as it is', () => {
  const noise = Array.from({ length: 90 }, (_, i) => String.fromCharCode(33 + i)).join(''); // no byte twice: deflate only adds to it
  assert.equal(packText(noise), noise);
});

test('the first n characters are those of the text, counted as SQLite counts them (code points), from the start of a long packed text too', () => {
  const astral = `${'\u{1F600}é'.repeat(40)} ${prose(3000)}`;
  for (const text of [astral, prose(3000)]) {
    const packed = packText(text);
    assert.ok(Buffer.isBuffer(packed));
    for (const n of [0, 1, 79, 80, 81, 1000, 50_000, 10_000_000]) {
      const expected = Array.from(text).slice(0, n).join('');
      assert.equal(unpackText(packed, n), expected, `${n} characters`);
      assert.equal(unpackText(text, n), expected, `${n} characters of the text itself`);
    }
  }
});

test('kendrite_text() reads both forms in SQL, and its prefix matches substr()', () => {
  const db = new BetterSqlite3(':memory:');
  try {
    registerPackedText(db);
    const text = `${'\u{1F600}'.repeat(3)} ${prose(200)}`;
    const row = db.prepare('SELECT kendrite_text(?) AS whole, kendrite_text(?, 10) AS start, kendrite_text(?, 10) AS plain, substr(?, 1, 10) AS expected, kendrite_text(NULL) AS none');
    assert.deepEqual(row.get(packText(text), packText(text), text, text), { whole: text, start: Array.from(text).slice(0, 10).join(''), plain: Array.from(text).slice(0, 10).join(''), expected: Array.from(text).slice(0, 10).join(''), none: null });
  } finally {
    db.close();
  }
});

test('storedTextSql reads a column in either form, whole or its first characters, as substr() reads plain text', () => {
  const db = new BetterSqlite3(':memory:');
  try {
    registerPackedText(db);
    const text = `${'\u{1F600}'.repeat(3)} ${prose(200)}`;
    db.exec('CREATE TABLE t (id INTEGER, body)');
    db.prepare('INSERT INTO t VALUES (1, ?), (2, ?)').run(packText(text), text);
    const rows = db.prepare(`SELECT typeof(body) AS form, ${storedTextSql('body')} AS whole, ${storedTextSql('body', 10)} AS start FROM t ORDER BY id`).all();
    const start = Array.from(text).slice(0, 10).join('');
    assert.deepEqual(rows, [{ form: 'blob', whole: text, start }, { form: 'text', whole: text, start }]);
    assert.throws(() => storedTextSql('body', 1.5), /whole number/);
  } finally {
    db.close();
  }
});

test('a stored value of a format this release does not know is an error, not text', () => {
  assert.throws(() => unpackText(Buffer.from([9, 1, 2, 3])), /unknown format 9/);
});
