import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** What change detection knows about a document a connector indexed. */
export interface HeldVersion {
  doc_key: number;
  document_id: string;
  data_source_id: string;
  /** The source's version at its last successful write; null after a failure. */
  version: string | null;
}

const text = (v: string | null) => sql<string | null>`cast(${v} as text)`;

/** Bound parameters per statement stay well under SQLite's and PostgreSQL's limits. */
const CHUNK = 500;

/**
 * The queries of a connector sync: change detection, seen-stamps and deletion detection, all on the
 * narrow synced_documents rows; documents (wide: the text) is read only for what is deleted.
 */
export class SyncDocumentStore {
  /** SQLite: the two statements run for every document of every sync, prepared once per list length. */
  private readonly prepared = new Map<string, BetterSqlite3.Statement>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly sqlite?: BetterSqlite3.Database,
  ) {}

  private statement(kind: 'versions' | 'stamp', n: number): BetterSqlite3.Statement {
    const key = `${kind}:${n}`;
    let st = this.prepared.get(key);
    if (!st) {
      const list = Array(n).fill('?').join(',');
      st = this.sqlite!.prepare(
        kind === 'versions'
          ? `SELECT doc_key, document_id, data_source_id, version FROM synced_documents WHERE index_id = ? AND document_id IN (${list})`
          : `UPDATE synced_documents SET seen_by = ? WHERE doc_key IN (${list})`,
      );
      this.prepared.set(key, st);
    }
    return st;
  }

  async versions(indexId: string, ids: string[], db: Db = this.db): Promise<Map<string, HeldVersion>> {
    const out = new Map<string, HeldVersion>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      if (this.sqlite) {
        const part = ids.slice(i, i + CHUNK);
        for (const r of this.statement('versions', part.length).all(indexId, ...part) as HeldVersion[]) out.set(r.document_id, r);
        continue;
      }
      const rows = await db
        .selectFrom('synced_documents')
        .select(['doc_key', 'document_id', 'data_source_id', 'version'])
        .where('index_id', '=', indexId)
        .where('document_id', 'in', ids.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) out.set(r.document_id, r);
    }
    return out;
  }

  /** Unchanged documents: seen by this sync, so deletion detection keeps them. */
  async stamp(docKeys: number[], executionId: string, db: Db): Promise<void> {
    for (let i = 0; i < docKeys.length; i += CHUNK) {
      // On SQLite the raw statement shares the connection, so it runs inside the caller's transaction.
      if (this.sqlite) this.statement('stamp', Math.min(CHUNK, docKeys.length - i)).run(executionId, ...docKeys.slice(i, i + CHUNK));
      else await db.updateTable('synced_documents').set({ seen_by: executionId }).where('doc_key', 'in', docKeys.slice(i, i + CHUNK)).execute();
    }
  }

  /** After a write: the document's version (null if it failed) and that this sync saw it. */
  async record(indexId: string, documentId: string, dataSourceId: string, version: string | null, executionId: string, db: Db): Promise<void> {
    await db
      .insertInto('synced_documents')
      .columns(['doc_key', 'index_id', 'document_id', 'data_source_id', 'version', 'seen_by'])
      .expression((eb) =>
        eb
          .selectFrom('documents')
          // Typed, so that PostgreSQL need not guess the type of a parameter in a select list.
          .select(['doc_key', 'index_id', 'document_id', text(dataSourceId).as('data_source_id'), text(version).as('version'), text(executionId).as('seen_by')])
          .where('index_id', '=', indexId)
          .where('document_id', '=', documentId),
      )
      .onConflict((oc) => oc.column('doc_key').doUpdateSet({ data_source_id: dataSourceId, version, seen_by: executionId }))
      .execute();
  }

  /** Up to `limit` documents of the data source that this sync did not see, after doc_key `after`, in doc_key order. */
  unseen(dataSourceId: string, executionId: string, after: number, limit: number, db: Db = this.db): Promise<{ doc_key: number; document_id: string; status: string }[]> {
    return db
      .selectFrom('synced_documents as s')
      .innerJoin('documents as d', 'd.doc_key', 's.doc_key')
      .select(['s.doc_key', 'd.document_id', 'd.status'])
      .where('s.data_source_id', '=', dataSourceId)
      .where('s.doc_key', '>', after)
      .where((eb) => eb.or([eb('s.seen_by', 'is', null), eb('s.seen_by', '!=', executionId)]))
      .orderBy('s.doc_key')
      .limit(limit)
      .execute();
  }

  async remove(docKeys: number[], db: Db): Promise<void> {
    for (let i = 0; i < docKeys.length; i += CHUNK) await db.deleteFrom('documents').where('doc_key', 'in', docKeys.slice(i, i + CHUNK)).execute();
  }
}
