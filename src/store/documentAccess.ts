import type { Transaction } from 'kysely';
import type { AccessRow } from '../domain/access.js';
import type { Database } from './schema.js';

/** Rows per insert: well under both backends' parameter limits. */
const CHUNK = 500;

/**
 * Replaces one document's access rows (and which configuration they come from, if any), inside the
 * transaction that writes the document, so that a search never sees the new text with the old
 * access lists (or none). Deleting a document removes them (triggers on SQLite, cascading keys on PostgreSQL).
 */
export async function writeDocumentAccess(trx: Transaction<Database>, indexId: string, documentId: string, rows: AccessRow[], configurationId: string | null): Promise<void> {
  const doc = await trx.selectFrom('documents').select('doc_key').where('index_id', '=', indexId).where('document_id', '=', documentId).executeTakeFirst();
  if (!doc) return;
  await replaceRows(trx, [doc.doc_key], () => rows);
  await trx.deleteFrom('document_access_configurations').where('doc_key', '=', doc.doc_key).execute();
  if (configurationId) await trx.insertInto('document_access_configurations').values({ doc_key: doc.doc_key, configuration_id: configurationId }).execute();
}

/** The access rows of these documents, replaced by `rowsOf` each (by the document's data source). */
export async function replaceRows(trx: Transaction<Database>, docKeys: number[], rowsOf: (dataSourceId: string | null, docKey: number) => AccessRow[], dataSources?: Map<number, string | null>): Promise<void> {
  await trx.deleteFrom('document_access').where('doc_key', 'in', docKeys).execute();
  const values = docKeys.flatMap((doc_key) => rowsOf(dataSources?.get(doc_key) ?? null, doc_key).map((r) => ({ doc_key, ...r })));
  for (let i = 0; i < values.length; i += CHUNK) await trx.insertInto('document_access').values(values.slice(i, i + CHUNK)).execute();
}
