import { sql, type RawBuilder } from 'kysely';

/**
 * Issue 14 (size on disk per document): documents and synced_documents name their index and data source by a small
 * integer key (index_key, source_key; a byte or two in a row and each index entry), not by the API's 36-character
 * ids. The ids stay the API's and the store's arguments; the key of an id is looked up where a statement needs it,
 * in the statement itself (a subquery on a table of a few rows, which both planners evaluate once), and a row's id is
 * read back the same way. Neither a cache to keep nor a second process's index to miss: the table is the map.
 *
 * index_keys and data_source_keys (SQLite migration 30, PostgreSQL 29) hold a key for every index and data source
 * ever created (a trigger on indices and data_sources, and DocumentStore.ensureKeys() for benches and tests that
 * write documents under ids never made: no write path needs it). Their rows are never deleted, so a key is never reused (SQLite's
 * AUTOINCREMENT, PostgreSQL's identity): the documents of a deleted index or data source keep naming it by its key
 * while they are purged, and a late write still finds it.
 */

/** SQL of the key of the index whose id `param` (a placeholder or column) gives, or NULL. */
export const INDEX_KEY = (param: string) => `(SELECT key FROM index_keys WHERE id = ${param})`;
/** SQL of the key of the data source whose id `param` gives; NULL for a null id. */
export const SOURCE_KEY = (param: string) => `(SELECT key FROM data_source_keys WHERE id = ${param})`;
/** SQL of the id of the index whose key `column` holds. */
export const INDEX_ID_OF = (column: string) => `(SELECT id FROM index_keys WHERE key = ${column})`;
/** SQL of the id of the data source whose key `column` holds (NULL for NULL). */
export const SOURCE_ID_OF = (column: string) => `(SELECT id FROM data_source_keys WHERE key = ${column})`;

/** INDEX_KEY of an id, as an expression of a Kysely statement. */
export const indexKeyOf = (id: string): RawBuilder<number> => sql<number>`(SELECT key FROM index_keys WHERE id = ${id})`;
/** SOURCE_KEY of an id (null for null), as an expression of a Kysely statement. */
export const sourceKeyOf = (id: string | null): RawBuilder<number | null> => sql<number | null>`(SELECT key FROM data_source_keys WHERE id = ${id})`;
/** INDEX_ID_OF a column, as an expression of a Kysely statement. */
export const indexIdOf = (column: string): RawBuilder<string> => sql<string>`${sql.raw(INDEX_ID_OF(column))}`;
/** SOURCE_ID_OF a column, as an expression of a Kysely statement. */
export const sourceIdOf = (column: string): RawBuilder<string | null> => sql<string | null>`${sql.raw(SOURCE_ID_OF(column))}`;
