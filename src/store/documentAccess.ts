import type { Transaction } from 'kysely';
import type { AccessRow } from '../domain/access.js';
import type { Database } from './schema.js';

/** Rows per insert: well under both backends' parameter limits. */
const CHUNK = 500;

/**
 * Replaces one document's access rows, inside the transaction that writes the document, so that a
 * search never sees the new text with the old access lists (or none). Deleting a document removes
 * its rows (a trigger on SQLite, a cascading key on PostgreSQL).
 */
export async function writeDocumentAccess(trx: Transaction<Database>, indexId: string, documentId: string, rows: AccessRow[]): Promise<void> {
  const doc = await trx.selectFrom('documents').select('doc_key').where('index_id', '=', indexId).where('document_id', '=', documentId).executeTakeFirst();
  if (!doc) return;
  await trx.deleteFrom('document_access').where('doc_key', '=', doc.doc_key).execute();
  const values = rows.map((r) => ({ doc_key: doc.doc_key, ...r }));
  for (let i = 0; i < values.length; i += CHUNK) await trx.insertInto('document_access').values(values.slice(i, i + CHUNK)).execute();
}
