import type { Transaction } from 'kysely';
import { analyzerFor } from '../../search/analysis.js';
import { needsSegmenting } from '../../search/tokenize.js';
import type { Database } from '../schema.js';

/** Rows read at a time: bodies are up to a few MB each. */
const BATCH = 50;

/**
 * Migration 3's data step: the stored documents whose text the new analysis indexes differently —
 * every document not in English, and English ones holding Chinese, Japanese, Thai (…) runs — get
 * their analysed title and body; the schema's triggers move them into the right full-text index.
 * Other documents are only read. (Their passages, then indexed apart, are dropped by a later version.)
 */
export async function analyzeStoredDocuments(trx: Transaction<Database>): Promise<void> {
  for (let after = 0; ; ) {
    const rows = await trx
      .selectFrom('documents')
      .select(['doc_key', 'title', 'body', 'language_code'])
      .where('doc_key', '>', after)
      .orderBy('doc_key')
      .limit(BATCH)
      .execute();
    if (!rows.length) return;
    for (const r of rows) {
      after = Number(r.doc_key);
      const analyzer = analyzerFor(r.language_code);
      if (analyzer.english && !needsSegmenting(r.title) && !needsSegmenting(r.body)) continue;
      await trx.updateTable('documents').set({ search_title: analyzer.indexText(r.title), search_body: analyzer.indexText(r.body) }).where('doc_key', '=', r.doc_key).execute();
    }
  }
}
