import { sql, type Kysely, type Selectable } from 'kysely';
import { indexKeyOf } from './idKeys.js';
import { attributeColumn } from '../search/attributeRows.js';
import type { Database, QuerySuggestionsBlockListsTable, QuerySuggestionsSettingsTable } from './schema.js';

export type BlockListRow = Selectable<QuerySuggestionsBlockListsTable>;
export type SuggestionSettingsRow = Selectable<QuerySuggestionsSettingsTable>;

/** Query suggestion settings per index and the block lists (domain/querySuggestions.ts). */
export class QuerySuggestionStore {
  constructor(private readonly db: Kysely<Database>) {}

  settings(indexId: string): Promise<SuggestionSettingsRow | undefined> {
    return this.db.selectFrom('query_suggestions_settings').selectAll().where('index_id', '=', indexId).executeTakeFirst();
  }

  async saveSettings(row: SuggestionSettingsRow): Promise<void> {
    await this.db.insertInto('query_suggestions_settings').values(row)
      .onConflict((oc) => oc.column('index_id').doUpdateSet({ settings: row.settings, last_clear_time: row.last_clear_time, updated_at: row.updated_at })).execute();
  }

  async insertBlockList(row: BlockListRow): Promise<void> {
    await this.db.insertInto('query_suggestions_block_lists').values(row).execute();
  }

  blockList(indexId: string, id: string): Promise<BlockListRow | undefined> {
    return this.db.selectFrom('query_suggestions_block_lists').selectAll().where('index_id', '=', indexId).where('id', '=', id).executeTakeFirst();
  }

  blockLists(indexId: string, after: [number, string] | undefined, limit: number): Promise<BlockListRow[]> {
    let q = this.db.selectFrom('query_suggestions_block_lists').selectAll().where('index_id', '=', indexId);
    if (after) q = q.where((eb) => eb.or([eb('created_at', '>', after[0]), eb.and([eb('created_at', '=', after[0]), eb('id', '>', after[1])])]));
    return q.orderBy('created_at').orderBy('id').limit(limit).execute();
  }

  /** The blocked items of every block list of an index that has some (a failed update keeps the last good ones). */
  async activeItems(indexId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('query_suggestions_block_lists').select('items').where('index_id', '=', indexId).where('status', 'in', ['ACTIVE', 'ACTIVE_BUT_UPDATE_FAILED']).execute();
    return rows.flatMap((r) => JSON.parse(r.items) as string[]);
  }

  async countBlockLists(indexId: string): Promise<number> {
    const r = await this.db.selectFrom('query_suggestions_block_lists').select((eb) => eb.fn.countAll<number>().as('n')).where('index_id', '=', indexId).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async updateBlockList(id: string, patch: Partial<BlockListRow>): Promise<void> {
    await this.db.updateTable('query_suggestions_block_lists').set(patch).where('id', '=', id).execute();
  }

  async deleteBlockList(id: string): Promise<void> {
    await this.db.deleteFrom('query_suggestions_block_lists').where('id', '=', id).execute();
  }

  /**
   * Values of these fields (`_document_title` is the title) that start with `prefix`, ignoring case:
   * the candidates for document field suggestions, before access control and filters.
   */
  async fieldValues(indexId: string, fields: string[], prefix: string, limit: number): Promise<{ docKey: number; field: string; value: string }[]> {
    const like = `${prefix.replace(/[!%_]/g, (c) => `!${c}`)}%`;
    const out: { docKey: number; field: string; value: string }[] = [];
    if (fields.includes('_document_title')) {
      const rows = await sql<{ doc_key: number; title: string }>`SELECT doc_key, title FROM documents WHERE index_key = ${indexKeyOf(indexId)} AND lower(title) LIKE ${like} ESCAPE '!' LIMIT ${limit}`.execute(this.db);
      out.push(...rows.rows.map((r) => ({ docKey: Number(r.doc_key), field: '_document_title', value: r.title })));
    }
    const keys = fields.filter((f) => f !== '_document_title' && !attributeColumn(f));
    let left = limit;
    if (keys.length) {
      const rows = await this.db.selectFrom('document_attributes').select(['doc_key', 'key', 'str'])
        // str IS NOT NULL (true of every string row) lets SQLite read its index of strings, which holds only rows with one.
        .where('index_id', '=', indexId).where('key', 'in', keys).where('value_type', 'in', ['STRING', 'STRING_LIST']).where('str', 'is not', null)
        .where(sql<boolean>`lower(str) LIKE ${like} ESCAPE '!'`).limit(limit).execute();
      out.push(...rows.map((r) => ({ docKey: Number(r.doc_key), field: r.key, value: r.str! })));
      left -= rows.length;
    }
    // Attributes held as columns of documents (search/attributeRows.ts), up to the same limit in all.
    for (const field of new Set(fields)) {
      const column = attributeColumn(field);
      if (!column || left <= 0) continue;
      const rows = await sql<{ doc_key: number; value: string }>`SELECT doc_key, ${sql.raw(column)} AS value FROM documents
        WHERE index_key = ${indexKeyOf(indexId)} AND ${sql.raw(column)} IS NOT NULL AND lower(${sql.raw(column)}) LIKE ${like} ESCAPE '!' LIMIT ${left}`.execute(this.db);
      out.push(...rows.rows.map((r) => ({ docKey: Number(r.doc_key), field, value: r.value })));
      left -= rows.rows.length;
    }
    return out;
  }

  async purgeIndex(indexId: string): Promise<void> {
    await this.db.deleteFrom('query_suggestions_block_lists').where('index_id', '=', indexId).execute();
    await this.db.deleteFrom('query_suggestions_settings').where('index_id', '=', indexId).execute();
  }
}
