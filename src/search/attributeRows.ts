/**
 * Where an attribute's values are read from. Most attributes are rows of document_attributes (one per value, a
 * string list's elements each one). _data_source_id, _language_code, _source_uri and _file_type are columns of
 * documents, which searches read anyway (search/fts5.ts's covering index holds the first two): neither backend keeps
 * rows of theirs (SQLite migrations 23, 25 and 26, PostgreSQL's 22, 24 and 25; at small documents each row, with its
 * index entries, cost 150-390 bytes, against a 0.9 KB text), and both read them from the columns, as rows of the same
 * shape (doc_key, index_id, key, value_type, str, num).
 *
 * _source_uri's column is the attribute's value for every searchable document (sync/documentIndexer.ts writes both
 * from it); a FAILED document keeps the attribute in its JSON with the column null, and no search reads it. So is
 * _file_type's, read as coalesce(file_type, content_type): every stored document has the attribute, its own or its
 * content type, and file_type holds it only where it differs (a NULL takes no byte of a row; the content type
 * ~11). A FAILED document has neither column.
 */
import { raw, sql, type Sql } from './sql.js';
import { INDEX_ID_OF, SOURCE_ID_OF } from '../store/idKeys.js';

/**
 * The attributes held in columns of documents, each as SQL of its value over a row (`t`: the row's table name and a
 * dot, or nothing); every one is a STRING, absent where the value is null.
 */
const COLUMN_ATTRIBUTES: Readonly<Record<string, (t: string) => string>> = {
  // The data source's id, read by its key.
  _data_source_id: (t) => SOURCE_ID_OF(`${t}source_key`),
  _language_code: (t) => `${t}language_code`,
  _source_uri: (t) => `${t}source_uri`,
  _file_type: (t) => `coalesce(${t}file_type, ${t}content_type)`,
};

/**
 * SQL of attribute `key`'s value over a documents row (`table`: the name the row goes by in the statement, if it
 * needs one), or undefined: its values are document_attributes rows.
 */
export function attributeColumn(key: string, table?: string): string | undefined {
  return Object.hasOwn(COLUMN_ATTRIBUTES, key) ? COLUMN_ATTRIBUTES[key]!(table ? `${table}.` : '') : undefined;
}

/** A documents row's file_type (version 26): the document's _file_type where it is not the content type, else null. */
export function fileTypeColumn(fileType: string, contentType: string): string | null {
  return fileType === contentType ? null : fileType;
}

/** A FROM item of the rows of attribute `key`, shaped as document_attributes' (alias it as the caller's SQL needs). */
export function attributeRows(key: string): Sql {
  const column = attributeColumn(key);
  if (!column) return raw('document_attributes');
  return sql`(SELECT doc_key, ${raw(INDEX_ID_OF('documents.index_key'))} AS index_id, CAST(${key} AS TEXT) AS key, CAST('STRING' AS TEXT) AS value_type, ${raw(column)} AS str, CAST(NULL AS BIGINT) AS num FROM documents WHERE ${raw(column)} IS NOT NULL)`;
}
