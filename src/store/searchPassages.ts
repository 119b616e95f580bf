import type { Transaction } from 'kysely';
import { analyzerFor } from '../search/analysis.js';
import { chunkPassages } from '../search/passages.js';
import type { Database } from './schema.js';

/** What a document's passages carry of it: its key, title and language, and its analysed text (search/analysis.ts), if any. */
export interface PassageSource {
  doc_key: number;
  title: string;
  language_code: string;
  search_title: string | null;
  search_body: string | null;
}

/**
 * Writes the passages of one document's text, inside the transaction that writes the document (the
 * indexer's), so Retrieve never sees a document without its passages. `replace`: the document was
 * stored before, and its old passages go first (a new document has none to look for).
 * Deleting a document removes its passages (a trigger on SQLite, a cascading key on PostgreSQL).
 */
export async function writePassages(trx: Transaction<Database>, doc: PassageSource, body: string, replace: boolean): Promise<void> {
  if (replace) await trx.deleteFrom('document_passages').where('doc_key', '=', doc.doc_key).execute();
  const analyzer = analyzerFor(doc.language_code);
  // A passage is a slice of the body: when the body is indexed as it is, so is each passage.
  const analyzed = doc.search_body !== null;
  const rows = chunkPassages(body).map((content, ordinal) => ({
    doc_key: doc.doc_key, ordinal, title: doc.title, content, language_code: doc.language_code,
    search_title: doc.search_title, search_content: analyzed ? analyzer.indexText(content) : null,
  }));
  // Bounded statements: a 5 MB text is a few thousand passages.
  for (let i = 0; i < rows.length; i += 200) await trx.insertInto('document_passages').values(rows.slice(i, i + 200)).execute();
}

/** A document's passages as it is stored now (its row's title, language and analysed text), in place of the old ones. */
export async function rewritePassages(trx: Transaction<Database>, indexId: string, documentId: string, body: string): Promise<void> {
  const doc = await trx
    .selectFrom('documents')
    .select(['doc_key', 'title', 'language_code', 'search_title', 'search_body'])
    .where('index_id', '=', indexId)
    .where('document_id', '=', documentId)
    .executeTakeFirst();
  if (doc) await writePassages(trx, { ...doc, doc_key: Number(doc.doc_key) }, body, true);
}
