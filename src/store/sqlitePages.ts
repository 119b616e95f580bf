/**
 * SQLite's page size and page cache, set on every connection to a store (issue 14, size on disk).
 *
 * A new store is made with 8 KB pages: a documents row of the scale bench's files (~800 bytes) fits four
 * to a 4 KB page with a tenth of it unused, nine to an 8 KB page with a twentieth (docs/sqlite-bytes.md: −0.06
 * bytes on disk per byte of text; the FTS5 and index pages gain nothing). Larger documents pay for it: the
 * indexing bench's 1–20 KB texts take 1.44 bytes a byte on 8 KB pages against 1.38 on 4 KB (a row's text that
 * spills over leaves half of its last overflow page unused on average, twice as much on 8 KB pages); the full
 * sync's CPU was the same within noise (51 %, 56 % against 54 %, 49 % of the engine, alternating runs). An existing store keeps the page size
 * it was made with: SQLite changes it only by a VACUUM out of WAL mode, which an upgrade does not do.
 *
 * The page cache is sized in pages, not bytes, so a store of either page size caches as many pages as SQLite's
 * default gave a 4 KB store (2,000 KiB): measured in-process, Query's CPU was the same on 4 KB and 8 KB pages
 * with the same number of pages cached, and 4–13 % higher on 8 KB pages with the default's bytes.
 */
import type BetterSqlite3 from 'better-sqlite3';

/** The page size of a store made now. */
export const NEW_STORE_PAGE_SIZE = 8192;
/** Pages each connection caches (SQLite's default is 2,000 KiB: 500 pages of 4 KB). */
export const CACHED_PAGES = 500;

/**
 * Sets the page cache of `db`, and the page size of its file if the file holds nothing yet (before the first
 * table and before WAL mode, which fixes the page size once set).
 */
export function sizePages(db: BetterSqlite3.Database): void {
  if (!db.readonly) db.pragma(`page_size = ${NEW_STORE_PAGE_SIZE}`); // a no-op on a file that holds a table
  db.pragma(`cache_size = ${CACHED_PAGES}`);
}
