/**
 * Where an attribute's values are read from. Most attributes are rows of document_attributes (one per value, a
 * string list's elements each one). _data_source_id, _language_code and _source_uri are columns of documents, which
 * searches read anyway (search/fts5.ts's covering index holds the first two): neither backend keeps rows of theirs
 * (SQLite migrations 23 and 25, PostgreSQL's 22 and 24; at small documents each row, with its index entries, cost
 * 150-390 bytes, against a 0.9 KB text), and both read them from the columns, as rows of the same shape (doc_key,
 * index_id, key, value_type, str, num).
 *
 * _source_uri's column is the attribute's value for every searchable document (sync/documentIndexer.ts writes both
 * from it); a FAILED document keeps the attribute in its JSON with the column null, and no search reads it.
 */
import { raw, sql, type Sql } from './sql.js';

/** The attributes held as columns of documents, with their column; every one is a STRING, absent where the column is null. */
export const COLUMN_ATTRIBUTES: Readonly<Record<string, string>> = {
  _data_source_id: 'data_source_id',
  _language_code: 'language_code',
  _source_uri: 'source_uri',
};

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
