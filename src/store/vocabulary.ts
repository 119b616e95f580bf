import { sql, type Kysely } from 'kysely';
import { SEARCHABLE_STATUSES } from './documents.js';
import { indexKeyOf } from './idKeys.js';
import { storedTextSql } from './packedText.js';
import type { Database } from './schema.js';

/** Characters of a body read for the vocabulary: enough for its words, never a whole huge file at once. */
const BODY_CHARS = 100_000;

/** The searchable text of an index's documents in one language, read in pages for the spell checker's vocabulary. */
export class VocabularyStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {}

  /** Changes when documents of the index and language are added, changed or removed. */
  async generation(indexId: string, language: string): Promise<string> {
    const r = await this.db.selectFrom('documents').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('updated_at').as('u'), eb.fn.max('doc_key').as('k')])
      .where('index_key', '=', indexKeyOf(indexId)).where('language_code', '=', language).where('status', 'in', SEARCHABLE_STATUSES).executeTakeFirstOrThrow();
    return `${r.n}/${r.u}/${r.k}`;
  }

  texts(indexId: string, language: string, afterDocKey: number, limit: number): Promise<{ doc_key: number; title: string; body: string }[]> {
    return this.db.selectFrom('documents').select(['doc_key', 'title', (this.dialect === 'sqlite' ? sql.raw<string>(storedTextSql('body', BODY_CHARS)) : sql<string>`substr(body, 1, ${BODY_CHARS})`).as('body')])
      .where('index_key', '=', indexKeyOf(indexId)).where('language_code', '=', language).where('status', 'in', SEARCHABLE_STATUSES).where('doc_key', '>', afterDocKey)
      .orderBy('doc_key').limit(limit).execute();
  }
}
