import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import { indexRowWrite } from './indexRowWrites.js';
import type { Dialect } from './database.js';
import type { Database, FaqEntriesTable, FaqsTable } from './schema.js';

export type FaqRow = Selectable<FaqsTable>;
export type FaqEntryRow = Omit<Selectable<FaqEntriesTable>, 'search_question'>;
export type NewFaqEntry = Omit<Insertable<FaqEntriesTable>, 'entry_key' | 'faq_id' | 'index_id'>;

/** Entries written per statement. */
const CHUNK = 200;
/** Questions read per query for search/faqAnswers.ts to judge. */
export const FAQ_CANDIDATES = 50;

export class FaqStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async insert(row: FaqRow): Promise<void> {
    await indexRowWrite(this.db.insertInto('faqs').values(row).execute());
  }

  get(indexId: string, id: string): Promise<FaqRow | undefined> {
    return this.db.selectFrom('faqs').selectAll().where('index_id', '=', indexId).where('id', '=', id).executeTakeFirst();
  }

  list(indexId: string, after: [number, string] | undefined, limit: number): Promise<FaqRow[]> {
    let q = this.db.selectFrom('faqs').selectAll().where('index_id', '=', indexId);
    if (after) q = q.where((eb) => eb.or([eb('created_at', '>', after[0]), eb.and([eb('created_at', '=', after[0]), eb('id', '>', after[1])])]));
    return q.orderBy('created_at').orderBy('id').limit(limit).execute();
  }

  /** The FAQ's entries and its ACTIVE status in one transaction: a search sees all of them or none. */
  async activate(id: string, indexId: string, entries: NewFaqEntry[], now: number): Promise<boolean> {
    return indexRowWrite(this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('faqs').select('status').where('id', '=', id).executeTakeFirst();
      if (row?.status !== 'CREATING') return false; // deleted meanwhile
      for (let i = 0; i < entries.length; i += CHUNK) {
        await trx.insertInto('faq_entries').values(entries.slice(i, i + CHUNK).map((e) => ({ ...e, faq_id: id, index_id: indexId }))).execute();
      }
      await trx.updateTable('faqs').set({ status: 'ACTIVE', updated_at: now }).where('id', '=', id).execute();
      return true;
    }));
  }

  async fail(id: string, message: string, now: number): Promise<void> {
    await indexRowWrite(this.db.updateTable('faqs').set({ status: 'FAILED', error_message: message, updated_at: now }).where('id', '=', id).where('status', '=', 'CREATING').execute());
  }

  async delete(id: string): Promise<void> {
    await indexRowWrite(this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('faq_entries').where('faq_id', '=', id).execute();
      await trx.deleteFrom('faqs').where('id', '=', id).execute();
    }));
  }

  async purgeIndex(indexId: string): Promise<void> {
    await indexRowWrite(this.db.deleteFrom('faq_entries').where('index_id', '=', indexId).execute());
    await indexRowWrite(this.db.deleteFrom('faqs').where('index_id', '=', indexId).execute());
  }

  /** Whether the index has an ACTIVE FAQ: without one, no query asks for candidates. */
  async anyActive(indexId: string): Promise<boolean> {
    return (await this.db.selectFrom('faqs').select('id').where('index_id', '=', indexId).where('status', '=', 'ACTIVE').limit(1).executeTakeFirst()) !== undefined;
  }

  /** Questions answered by ACTIVE FAQs of the index (DescribeIndex's FaqStatistics). */
  async countEntries(indexId: string): Promise<number> {
    const r = await this.db.selectFrom('faq_entries as e').innerJoin('faqs as f', 'f.id', 'e.faq_id')
      .select((eb) => eb.fn.countAll<number>().as('n')).where('e.index_id', '=', indexId).where('f.status', '=', 'ACTIVE').executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Entries of ACTIVE FAQs in the language whose question holds any of `terms`, best matches first. */
  async candidates(indexId: string, language: string, terms: string[]): Promise<FaqEntryRow[]> {
    if (!terms.length) return [];
    const cols = sql`e.entry_key, e.faq_id, e.index_id, e.language_code, e.question, e.answer, e.source_uri, e.attributes`;
    if (this.dialect === 'postgres') {
      const q = terms.map((t) => `'${t.replace(/['\\]/g, (c) => `\\${c}`)}'`).join(' | ');
      const r = await sql<FaqEntryRow>`SELECT ${cols} FROM faq_entries e JOIN faqs f ON f.id = e.faq_id CROSS JOIN to_tsquery('simple', ${q}) AS q
        WHERE e.search_vector @@ q AND e.index_id = ${indexId} AND e.language_code = ${language} AND f.status = 'ACTIVE'
        ORDER BY ts_rank(e.search_vector, q) DESC, e.entry_key LIMIT ${FAQ_CANDIDATES}`.execute(this.db);
      return r.rows;
    }
    const match = terms.map((t) => `"${t.replace(/"/g, '""')}"`).join(' OR ');
    const r = await sql<FaqEntryRow>`SELECT ${cols} FROM faq_entries_fts JOIN faq_entries e ON e.entry_key = faq_entries_fts.rowid JOIN faqs f ON f.id = e.faq_id
      WHERE faq_entries_fts MATCH ${match} AND e.index_id = ${indexId} AND e.language_code = ${language} AND f.status = 'ACTIVE'
      ORDER BY bm25(faq_entries_fts), e.entry_key LIMIT ${FAQ_CANDIDATES}`.execute(this.db);
    return r.rows;
  }
}
