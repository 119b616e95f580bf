import type { Transaction } from 'kysely';
import type { AccessRow } from '../domain/access.js';
import type { Database } from './schema.js';

/** Rows per insert: well under both backends' parameter limits. */
const CHUNK = 500;

/**
 * Writes one document's access rows (and which configuration they come from, if any), inside the
 * transaction that writes the document, so that a search never sees the new text with the old
 * access lists (or none). `replace`: the document was stored before, and its old rows go first.
 * Deleting a document removes them (triggers on SQLite, cascading keys on PostgreSQL).
 */
export async function writeDocumentAccess(trx: Transaction<Database>, docKey: number, rows: AccessRow[], configurationId: string | null, replace: boolean): Promise<void> {
  if (replace) {
    await trx.deleteFrom('document_access').where('doc_key', '=', docKey).execute();
    await trx.deleteFrom('document_access_configurations').where('doc_key', '=', docKey).execute();
  }
  await insertRows(trx, rows.map((r) => ({ doc_key: docKey, ...r })));
  if (configurationId) await trx.insertInto('document_access_configurations').values({ doc_key: docKey, configuration_id: configurationId }).execute();
}

/** The access rows of these documents, replaced by `rowsOf` each (by the document's data source). */
export async function replaceRows(trx: Transaction<Database>, docKeys: number[], rowsOf: (dataSourceId: string | null, docKey: number) => AccessRow[], dataSources?: Map<number, string | null>): Promise<void> {
  await trx.deleteFrom('document_access').where('doc_key', 'in', docKeys).execute();
  await insertRows(trx, docKeys.flatMap((doc_key) => rowsOf(dataSources?.get(doc_key) ?? null, doc_key).map((r) => ({ doc_key, ...r }))));
}

async function insertRows(trx: Transaction<Database>, values: (AccessRow & { doc_key: number })[]): Promise<void> {
  for (let i = 0; i < values.length; i += CHUNK) await trx.insertInto('document_access').values(values.slice(i, i + CHUNK)).execute();
}
