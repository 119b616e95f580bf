/**
 * A document's text as SQLite keeps it (issue 14, size on disk) — documents.body, and search_body (the analysed
 * form other languages are indexed from): compressed, as a BLOB — raw deflate at level 1 after a byte naming the
 * format — when that is smaller than the text; else the text itself, as every row written before held it. A BLOB
 * in those columns is never anything else: text is always stored as TEXT otherwise. PostgreSQL compresses the text
 * it moves out of line itself (TOAST), so there it stays plain text.
 *
 * SQL reads it through kendrite_text(body [, chars]), registered on every SQLite connection that reads or
 * writes documents (store/database.ts, search/fts5.ts): the full-text index's triggers and batched writes
 * tokenize it, searches cut excerpts and passages from it. A connection without the function (the sqlite3
 * shell) sees packed text as BLOBs and cannot insert documents or change their text (the triggers call it).
 *
 * Level 1: on the indexing bench's text it keeps 43 % of the bytes at ~50 MB per CPU second (level 6 keeps
 * 42 % at a third of the speed; brotli at quality 1 keeps 45 %, compresses faster but reads back half as fast).
 */
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import type BetterSqlite3 from 'better-sqlite3';

/** The first byte of a packed text: its format. */
const DEFLATE_RAW = 1;
/**
 * Shorter texts stay as they are: a zlib stream's fixed cost (~30-40 µs to pack a text of a few hundred bytes, ~10
 * to read it back, on the writer thread of a sync) is more than the hundred or two bytes it saves are worth; a
 * database sync of short rows paid it on every row. From 500 characters it keeps about half of the bytes (the scale
 * bench's 0.9 KB files: ~365 bytes a document fewer, for ~5 % of a document's sync CPU); the limit was 1,000.
 */
const MIN_PACKED_CHARS = 500;

/** The value to store for `text` (SQLite). */
export function packText(text: string): string | Buffer {
  if (text.length < MIN_PACKED_CHARS) return text;
  const plain = Buffer.from(text, 'utf8');
  const packed = deflateRawSync(plain, { level: 1 });
  if (packed.length + 1 >= plain.length) return text;
  const out = Buffer.allocUnsafe(packed.length + 1);
  out[0] = DEFLATE_RAW;
  packed.copy(out, 1);
  return out;
}

/**
 * The text of a stored value, or its first `maxChars` characters (code points, as SQLite's substr counts
 * them). Of a long packed text only the start is inflated: excerpts read 50,000 characters of documents
 * that may hold megabytes.
 */
export function unpackText(value: string | Uint8Array, maxChars = Infinity): string {
  if (typeof value === 'string') return firstChars(value, maxChars);
  if (maxChars <= 0) return '';
  if (value[0] !== DEFLATE_RAW) throw new Error(`kendrite: stored text of unknown format ${value[0]}`);
  const packed = value.subarray(1);
  // A byte of input inflates to about a byte of output at the least, and a character is at most 4 bytes of UTF-8.
  if (maxChars * 4 < packed.length) {
    const start = wholeChars(inflateRawSync(packed.subarray(0, maxChars * 4), { finishFlush: constants.Z_SYNC_FLUSH }));
    if (charsAtLeast(start, maxChars)) return firstChars(start, maxChars);
  }
  return firstChars(inflateRawSync(packed).toString('utf8'), maxChars);
}

/**
 * SQL reading a text column (or its first `chars` characters) in either form: SQLite reads plain text
 * itself, and only packed text goes through kendrite_text() — a call into JavaScript that copies the
 * text out and back. Migration 21's triggers hold this text (whole columns): change it only with a migration.
 */
export function storedTextSql(column: string, chars?: number): string {
  if (chars === undefined) return `CASE typeof(${column}) WHEN 'blob' THEN kendrite_text(${column}) ELSE ${column} END`;
  if (!Number.isInteger(chars) || chars < 0) throw new Error(`storedTextSql: chars must be a whole number, got ${chars}`);
  return `CASE typeof(${column}) WHEN 'blob' THEN kendrite_text(${column}, ${chars}) ELSE substr(${column}, 1, ${chars}) END`;
}

/** Registers kendrite_text(value [, chars]) on a SQLite connection: unpackText in SQL. */
export function registerPackedText(db: BetterSqlite3.Database): void {
  db.function('kendrite_text', { deterministic: true, varargs: true }, (value: unknown, chars: unknown) => {
    if (value === null || value === undefined) return null;
    return unpackText(value as string | Uint8Array, chars === undefined || chars === null ? Infinity : Number(chars));
  });
}

function firstChars(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, unitsOfChars(s, n).units);
}

/** s holds at least n characters (code points). */
function charsAtLeast(s: string, n: number): boolean {
  return s.length >= 2 * n || (s.length >= n && unitsOfChars(s, n).chars === n);
}

/** The UTF-16 units of the first n characters of s (all of s when shorter), and how many characters they are. */
function unitsOfChars(s: string, n: number): { units: number; chars: number } {
  let units = 0;
  let chars = 0;
  for (; chars < n && units < s.length; chars++) units += s.codePointAt(units)! > 0xffff ? 2 : 1;
  return { units, chars };
}

/** The UTF-8 of `b` without its last character, which inflating only the start of a text may have cut. */
function wholeChars(b: Buffer): string {
  let end = b.length - 1;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.toString('utf8', 0, Math.max(end, 0));
}
