/**
 * Where an attribute's values are read from. Most attributes are rows of document_attributes (one per value, a
 * string list's elements each one). _data_source_id and _language_code are columns of documents, which searches
 * read anyway (search/fts5.ts's covering index holds both): SQLite keeps no rows of theirs (migration 23; at small
 * documents two rows, with their index entries, cost ~500 bytes each, more than half of a 0.9 KB text), and both
 * backends read them from the columns, as rows of the same shape (doc_key, index_id, key, value_type, str, num).
 */
import { raw, sql, type Sql } from './sql.js';

/** The attributes held as columns of documents, with their column; every one is a STRING, absent where the column is null. */
export const COLUMN_ATTRIBUTES: Readonly<Record<string, string>> = { _data_source_id: 'data_source_id', _language_code: 'language_code' };

/** The column of documents that holds attribute `key`, or undefined: its values are document_attributes rows. */
export function attributeColumn(key: string): string | undefined {
  return Object.hasOwn(COLUMN_ATTRIBUTES, key) ? COLUMN_ATTRIBUTES[key] : undefined;
}

/** A FROM item of the rows of attribute `key`, shaped as document_attributes' (alias it as the caller's SQL needs). */
export function attributeRows(key: string): Sql {
  const column = attributeColumn(key);
  if (!column) return raw('document_attributes');
  return sql`(SELECT doc_key, index_id, CAST(${key} AS TEXT) AS key, CAST('STRING' AS TEXT) AS value_type, ${raw(column)} AS str, CAST(NULL AS BIGINT) AS num FROM documents WHERE ${raw(column)} IS NOT NULL)`;
}
