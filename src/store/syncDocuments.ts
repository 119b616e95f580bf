import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely, type Transaction } from 'kysely';
import { INDEX_KEY, indexKeyOf, SOURCE_ID_OF, SOURCE_KEY, sourceKeyOf } from './idKeys.js';
import { prepared } from './preparedStatements.js';
import { RawStatements } from './rawStatements.js';
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

/** PostgreSQL: versions()'s and recordMany()'s statements, prepared (store/preparedStatements.ts); versions' ids as one array. */
/** A synced row `s`'s data source id, read by its key (store/idKeys.ts). */
const SOURCE_ID = `${SOURCE_ID_OF('s.source_key')} AS data_source_id`;
const VERSIONS_POSTGRES = prepared(`SELECT d.doc_key, d.document_id, ${SOURCE_ID}, s.version FROM documents d JOIN synced_documents s ON s.doc_key = d.doc_key
  WHERE d.index_key = ${INDEX_KEY('$1')} AND d.document_id = ANY($2::text[])`);
/**
 * synced_documents.seen_by: the key (sync_jobs.seq) of the last sync that saw the document, found by its execution id
 * (issue 14, size on disk: the id took 36 characters a document; migrations 28 and 27). None: no sync saw it.
 */
const SEEN_BY = (executionId: string) => `(SELECT seq FROM sync_jobs WHERE execution_id = ${executionId})`;
// Each id probed in documents_id; typed, so that PostgreSQL need not guess the type of a parameter in a select list.
const RECORD_POSTGRES = prepared(`INSERT INTO synced_documents (doc_key, source_key, version, seen_by)
  SELECT d.doc_key, ${SOURCE_KEY('$2::text')}, w.version, ${SEEN_BY('$3::text')} FROM unnest($4::text[], $5::text[]) AS w(id, version) JOIN documents d ON d.index_key = ${INDEX_KEY('$1::text')} AND d.document_id = w.id
  ON CONFLICT (doc_key) DO UPDATE SET source_key = excluded.source_key, version = excluded.version, seen_by = excluded.seen_by`);
/** Bound parameters per statement stay well under SQLite's and PostgreSQL's limits. */
const CHUNK = 500;
// No surrogate (astral character): where JavaScript's string order and SQLite's BINARY order agree.
const BMP_ONLY = /^[^\uD800-\uDFFF]*$/;

/**
 * The queries of a connector sync: change detection and deletion detection, all on the
 * narrow synced_documents rows; documents (wide: the text) is read only for what is deleted.
 */
export class SyncDocumentStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly sqlite?: BetterSqlite3.Database,
    /** SQLite: statements prepared once (the version probe; a sync's writes), the store's one cache. */
    private readonly raw?: RawStatements,
  ) {}

  private rangeStatement: BetterSqlite3.Statement | undefined;

  async versions(indexId: string, ids: string[], db: Db = this.db): Promise<Map<string, HeldVersion>> {
    const out = new Map<string, HeldVersion>();
    if (this.sqlite && this.versionsInRange(indexId, ids, out)) return out;
    if (this.sqlite) {
      // One statement for any number of ids (a JSON array, each id probed in documents_id, then its synced row by key).
      // One per list length, kept for good, came to hundreds (500 take 25 MB), more of them the longer a sync ran.
      const rows = this.raw!.get(`SELECT d.doc_key, d.document_id, ${SOURCE_ID}, s.version FROM json_each(?) j
        CROSS JOIN documents d INDEXED BY documents_id CROSS JOIN synced_documents s
        WHERE d.index_key = ${INDEX_KEY('?')} AND d.document_id = j.value AND s.doc_key = d.doc_key`).all(JSON.stringify(ids), indexId) as HeldVersion[];
      for (const r of rows) out.set(r.document_id, r);
      return out;
    }
    // PostgreSQL: the ids probed in documents_id, each document's synced row by its key (migration 24: the rows hold no ids).
    for (const r of (await VERSIONS_POSTGRES.execute<HeldVersion>(db, [indexId, ids])).rows) out.set(r.document_id, r);
    return out;
  }

  /**
   * SQLite: a connector lists a folder's or a bucket's documents in (nearly) id order, so a batch's ids
   * are (nearly) one stretch of the index: one range scan reads them several times faster than a probe
   * per id. The stretch may also hold documents the batch does not name (gone from the source, or in
   * a subfolder listed later); when it holds too many of those, the batch is probed id by id instead.
   * False: not done (ids outside the range scan's reach, or too many rows in between).
   */
  private versionsInRange(indexId: string, ids: string[], out: Map<string, HeldVersion>): boolean {
    if (ids.length < 2) return false;
    let lo = ids[0]!;
    let hi = lo;
    for (const id of ids) {
      // UTF-16 order is SQLite's (UTF-8 bytes) order except beyond the BMP: leave such ids to the probes.
      if (!BMP_ONLY.test(id)) return false;
      if (id < lo) lo = id;
      else if (id > hi) hi = id;
    }
    const limit = ids.length * 2 + 100;
    // Rows as arrays: better-sqlite3 builds them in half the time of keyed objects.
    // The stretch of documents_id (which holds the ids), each document's synced row by its key (SQLite's synced_documents
    // holds no ids: migration 24).
    this.rangeStatement ??= this.sqlite!.prepare(
      `SELECT d.doc_key, d.document_id, ${SOURCE_ID}, s.version FROM documents d INDEXED BY documents_id CROSS JOIN synced_documents s
        WHERE d.index_key = ${INDEX_KEY('?')} AND d.document_id >= ? AND d.document_id <= ? AND s.doc_key = d.doc_key LIMIT ?`,
    ).raw(true);
    const rows = this.rangeStatement.all(indexId, lo, hi, limit) as [number, string, string, string | null][];
    if (rows.length >= limit) return false;
    // Rows of the stretch that the batch does not name are simply not asked for.
    for (const [doc_key, document_id, data_source_id, version] of rows) out.set(document_id, { doc_key, document_id, data_source_id, version });
    return true;
  }

  /**
   * After a batch's writes: each document's version (null if it failed) and that this sync saw it. A document
   * named twice keeps its last version, as when each was recorded after its write.
   */
  async recordMany(indexId: string, dataSourceId: string, executionId: string, written: { id: string; version: string | null }[], db: Db): Promise<void> {
    if (!written.length) return;
    if (!this.sqlite) {
      // PostgreSQL: one statement for the batch (a statement per document cost its round trip, its parse and its executor start).
      const last = new Map(written.map((w) => [w.id, w.version]));
      await RECORD_POSTGRES.execute(db, [indexId, dataSourceId, executionId, [...last.keys()], [...last.values()]]);
      return;
    }
    for (const w of written) await this.record(indexId, w.id, dataSourceId, w.version, executionId, db);
  }

  /** SQLite: recordMany's write of one document. */
  private async record(indexId: string, documentId: string, dataSourceId: string, version: string | null, executionId: string, db: Db): Promise<void> {
    const raw = RawStatements.within(this.raw, db);
    // The rows hold no ids (migration 24 of both backends): the document's key is all they need.
    if (raw) {
      // The WHERE keeps SQLite from reading ON CONFLICT as a join's ON.
      raw
        .get(`INSERT INTO synced_documents (doc_key, source_key, version, seen_by)
          SELECT doc_key, ${SOURCE_KEY('?')}, ?, ${SEEN_BY('?')} FROM documents WHERE index_key = ${INDEX_KEY('?')} AND document_id = ?
          ON CONFLICT (doc_key) DO UPDATE SET source_key = excluded.source_key, version = excluded.version, seen_by = excluded.seen_by`)
        .run(dataSourceId, version, executionId, indexId, documentId);
      return;
    }
    const seenBy = sql<number | null>`(SELECT seq FROM sync_jobs WHERE execution_id = ${executionId})`;
    await db
      .insertInto('synced_documents')
      .columns(['doc_key', 'source_key', 'version', 'seen_by'])
      .expression((eb) =>
        eb
          .selectFrom('documents')
          .select(['doc_key', sourceKeyOf(dataSourceId).as('source_key'), text(version).as('version'), seenBy.as('seen_by')])
          .where('index_key', '=', indexKeyOf(indexId))
          .where('document_id', '=', documentId),
      )
      .onConflict((oc) => oc.column('doc_key').doUpdateSet((eb) => ({ source_key: eb.ref('excluded.source_key'), version, seen_by: eb.ref('excluded.seen_by') })))
      .execute();
  }

  /** Up to `limit` doc_keys of the data source after `after`, in order: read from the index alone. */
  async keysOf(dataSourceId: string, after: number, limit: number): Promise<number[]> {
    if (this.sqlite) {
      this.keysStatement ??= this.sqlite.prepare(`SELECT doc_key FROM synced_documents WHERE source_key = ${SOURCE_KEY('?')} AND doc_key > ? ORDER BY doc_key LIMIT ?`).pluck(true);
      return this.keysStatement.all(dataSourceId, after, limit) as number[];
    }
    const rows = await this.db.selectFrom('synced_documents').select('doc_key').where('source_key', '=', sourceKeyOf(dataSourceId)).where('doc_key', '>', after).orderBy('doc_key').limit(limit).execute();
    return rows.map((r) => r.doc_key);
  }

  private keysStatement: BetterSqlite3.Statement | undefined;

  /** Which of these documents this sync did not write (their stamp is another sync's, or none), with what deleting them needs. */
  unseenAmong(docKeys: number[], executionId: string, db: Db = this.db): Promise<{ doc_key: number; document_id: string; status: string }[]> {
    return db
      .selectFrom('synced_documents as s')
      .innerJoin('documents as d', 'd.doc_key', 's.doc_key')
      .select(['s.doc_key', 'd.document_id', 'd.status'])
      .where('s.doc_key', 'in', docKeys)
      .where((eb) => eb.or([eb('s.seen_by', 'is', null), eb('s.seen_by', '!=', eb.selectFrom('sync_jobs').select('seq').where('execution_id', '=', executionId))]))
      .orderBy('s.doc_key')
      .execute();
  }

  async remove(docKeys: number[], db: Db): Promise<void> {
    for (let i = 0; i < docKeys.length; i += CHUNK) await db.deleteFrom('documents').where('doc_key', 'in', docKeys.slice(i, i + CHUNK)).execute();
  }
}
