import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { INDEX_KEY, indexIdOf, indexKeyOf as indexKey, SOURCE_ID_OF, SOURCE_KEY, sourceIdOf, sourceKeyOf as sourceKey } from './idKeys.js';
import { packText, storedTextSql } from './packedText.js';
import { prepared } from './preparedStatements.js';
import { RawStatements } from './rawStatements.js';
import type { Database, DocumentQueueTable, DocumentsTable } from './schema.js';
import { TextsInHand, type WrittenText } from './textsInHand.js';

/**
 * A document as the store's callers see it: its index and data source by their ids. The table holds their keys
 * (index_key, source_key: store/idKeys.ts), which this store's statements map to and from.
 */
export type DocumentRow = Omit<Selectable<DocumentsTable>, 'index_key' | 'source_key'> & { index_id: string; data_source_id: string | null };
export type QueuedOp = Selectable<DocumentQueueTable>;
const HELD_COLUMNS = ['doc_key', 'status', 'applied_seq', 'content_hash', 'attributes', 'data_source_id', 'language_code'] as const;
/** HELD_COLUMNS of a row `d`, the data source's id read by its key. */
const HELD_SELECT = HELD_COLUMNS.map((c) => (c === 'data_source_id' ? `${SOURCE_ID_OF('d.source_key')} AS data_source_id` : `d.${c}`)).join(', ');
export type HeldDocument = Pick<DocumentRow, (typeof HELD_COLUMNS)[number]>;
export type HeldWithAccess = HeldDocument & { hasAccess: boolean };
type Db = Kysely<Database> | Transaction<Database>;

/** Statuses whose text is in the full-text index. */
export const SEARCHABLE_STATUSES = ['INDEXED', 'UPDATED', 'UPDATE_FAILED'] as const;

export interface NewQueuedOp {
  index_id: string;
  document_id: string;
  op: 'put' | 'delete';
  data_source_id: string | null;
  execution_id: string | null;
  document: string | null;
  content: Buffer | null;
}

export class DocumentStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: 'sqlite' | 'postgres',
    /** SQLite: a sync's document writes through statements prepared once (rawStatements.ts). */
    private readonly raw?: RawStatements,
  ) {}

  /** SQLite, during withTextBatched: the text columns its batch wrote (textsInHand.ts). */
  private inHand: TextsInHand | undefined;

  /**
   * Queues operations, but only while every job they count toward is still SYNCING: the check and the
   * insert are one transaction (job rows locked on PostgreSQL), so a concurrent StopDataSourceSyncJob
   * cannot finish a job between them. Returns false, queuing nothing, if a job has moved on.
   */
  async enqueue(ops: NewQueuedOp[], now: number): Promise<boolean> {
    if (!ops.length) return true;
    const jobs = [...new Set(ops.map((o) => o.execution_id).filter((id): id is string => id !== null))];
    return this.db.transaction().execute(async (trx) => {
      if (jobs.length) {
        let q = trx.selectFrom('sync_jobs').select('status').where('execution_id', 'in', jobs);
        if (this.dialect === 'postgres') q = q.forUpdate();
        const rows = await q.execute();
        if (rows.length !== jobs.length || rows.some((r) => r.status !== 'SYNCING')) return false;
      }
      await trx.insertInto('document_queue').values(ops.map((o) => ({ ...o, enqueued_at: now, claimed_by: null, claimed_until: null }))).execute();
      return true;
    });
  }

  /**
   * Claims the oldest queued operations for one worker: unclaimed ones, ones whose claim ran out, ones
   * claimed by a worker whose heartbeat is dead (killed: its claims are taken over at once, not a
   * claim time later), and this worker's own (its drains run one at a time, so a claim it still holds
   * was left by a drain that failed). On PostgreSQL rows locked by another claimer are skipped, so
   * several processes drain the queue without blocking.
   */
  async claim(owner: string, now: number, until: number, limit: number): Promise<QueuedOp[]> {
    return this.db.transaction().execute(async (trx) => {
      let q = trx
        .selectFrom('document_queue')
        .select('seq')
        .where((eb) =>
          eb.or([
            eb('claimed_until', 'is', null),
            eb('claimed_until', '<', now),
            eb('claimed_by', '=', owner),
            eb.not(eb.exists(eb.selectFrom('worker_heartbeats').select('worker_id').whereRef('worker_id', '=', 'document_queue.claimed_by').where('alive_until', '>=', now))),
          ]),
        )
        .orderBy('seq')
        .limit(limit);
      if (this.dialect === 'postgres') q = q.forUpdate().skipLocked();
      const seqs = (await q.execute()).map((r) => r.seq);
      if (!seqs.length) return [];
      await trx.updateTable('document_queue').set({ claimed_by: owner, claimed_until: until }).where('seq', 'in', seqs).execute();
      return trx.selectFrom('document_queue').selectAll().where('seq', 'in', seqs).orderBy('seq').execute();
    });
  }

  async dequeue(seqs: number[], db: Db = this.db): Promise<void> {
    if (seqs.length) await db.deleteFrom('document_queue').where('seq', 'in', seqs).execute();
  }

  /** Whether any queued operation still belongs to this job (it cannot finish before they are applied). */
  async hasQueued(executionId: string): Promise<boolean> {
    const r = await this.db.selectFrom('document_queue').select('seq').where('execution_id', '=', executionId).limit(1).executeTakeFirst();
    return r !== undefined;
  }

  async queuedIds(indexId: string, ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = await this.db.selectFrom('document_queue').select('document_id').where('index_id', '=', indexId).where('document_id', 'in', ids).execute();
    return new Set(rows.map((r) => r.document_id));
  }

  /**
   * What writing over a stored document needs to know of it — never its text (a read of the row's
   * overflow pages, up to megabytes) — and whether it has access rows (none: nothing to delete).
   */
  async held(indexId: string, documentId: string, db: Db = this.db): Promise<HeldWithAccess | undefined> {
    return (await this.heldMany(indexId, [documentId], db)).get(documentId);
  }

  /** held() of many documents in one statement (SQLite outside a transaction: per CHUNK ids): a sync's batch asks once, not once per document. */
  async heldMany(indexId: string, documentIds: string[], db: Db = this.db): Promise<Map<string, HeldWithAccess>> {
    const out = new Map<string, HeldWithAccess>();
    const raw = RawStatements.within(this.raw, db);
    if (raw) {
      // One statement for any number of ids: the list as a JSON array, each looked up in documents_id.
      const rows = raw
        .get(`SELECT d.document_id, ${HELD_SELECT},
          EXISTS (SELECT 1 FROM document_access a WHERE a.doc_key = d.doc_key) OR EXISTS (SELECT 1 FROM document_access_configurations c WHERE c.doc_key = d.doc_key) AS has_access
          FROM json_each(?) j CROSS JOIN documents d WHERE d.index_key = ${INDEX_KEY('?')} AND d.document_id = j.value`)
        .all(JSON.stringify(documentIds), indexId) as (HeldDocument & { document_id: string; has_access: number })[];
      for (const r of rows) out.set(r.document_id, heldOf(r));
      return out;
    }
    if (this.dialect === 'postgres') {
      // One prepared statement for any number of ids (an array parameter).
      const { rows } = await HELD_POSTGRES.execute<HeldDocument & { document_id: string; has_access: boolean }>(db, [indexId, documentIds]);
      for (const r of rows) out.set(r.document_id, heldOf(r));
      return out;
    }
    for (let i = 0; i < documentIds.length; i += CHUNK) {
      const rows = await db
        .selectFrom('documents as d')
        .select(['d.document_id', ...HELD_COLUMNS.filter((c) => c !== 'data_source_id').map((c) => `d.${c}` as const)])
        .select(sourceIdOf('d.source_key').as('data_source_id'))
        .select((eb) =>
          eb.or([
            eb.exists(eb.selectFrom('document_access as a').select('a.doc_key').whereRef('a.doc_key', '=', 'd.doc_key')),
            eb.exists(eb.selectFrom('document_access_configurations as c').select('c.doc_key').whereRef('c.doc_key', '=', 'd.doc_key')),
          ]).as('has_access'),
        )
        .where('d.index_key', '=', indexKey(indexId))
        .where('d.document_id', 'in', documentIds.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) out.set(r.document_id, heldOf(r));
    }
    return out;
  }

  /** Documents by id, without their text (a read of every row's overflow pages; on SQLite packed: store/packedText.ts). */
  getMany(indexId: string, ids: string[]): Promise<Omit<DocumentRow, 'body' | 'search_body'>[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.db
      .selectFrom('documents')
      .select(UNREAD_TEXT_COLUMNS)
      .select([indexIdOf('index_key').as('index_id'), sourceIdOf('source_key').as('data_source_id')])
      .where('index_key', '=', indexKey(indexId))
      .where('document_id', 'in', ids)
      .execute();
  }

  /**
   * Runs `write` (a batch's document writes, in `trx`) with the changes of their text in the full-text
   * index made at its end, together. SQLite's FTS5 moves what it holds pending (rows, deletions) into a
   * new segment of its index whenever a statement opens a savepoint, and every write to documents does
   * (its triggers): text indexed by the triggers one document at a time made segments of one document,
   * and merging them cost more than tokenizing the text (a modified document in a full index cost 1.4×
   * an added one). While row 0 is in documents_text_pending, the triggers note there what is to change
   * (migrations/sqlite.ts). The text of a document the batch wrote whole is given to the index from the
   * write itself (textsInHand.ts); another's is read back from its row. PostgreSQL indexes each row as it is written.
   */
  async withTextBatched<T>(trx: Transaction<Database>, write: () => Promise<T>): Promise<T> {
    if (this.dialect !== 'sqlite') return write();
    // Statements prepared once (rawStatements.ts): through Kysely each was compiled and prepared again in every
    // transaction, six of them, a fixed cost that a sync of small files paid every few dozen documents.
    const raw = RawStatements.within(this.raw, trx);
    if (!raw) {
      await sql.raw(TEXT_PENDING_BEGIN).execute(trx);
      const out = await write();
      for (const text of TEXT_BATCH_END) await sql.raw(text).execute(trx);
      return out;
    }
    raw.get(TEXT_PENDING_BEGIN).run();
    // The transaction holds the connection until it ends: no other write of this store runs meanwhile (rawStatements.ts).
    const texts = (this.inHand = new TextsInHand());
    try {
      const out = await write();
      indexPending(raw, texts);
      return out;
    } finally {
      this.inHand = undefined;
    }
  }

  /** Inserts a document; returns its doc_key (which the writes of its passages and access rows need). */
  async insert(plain: Omit<DocumentRow, 'doc_key'>, db: Db): Promise<number> {
    const row = this.packed(plain);
    const raw = RawStatements.within(this.raw, db);
    if (raw) {
      const docKey = Number(raw.get(INSERT_SQL).run(INSERT_COLUMNS.map((c) => row[c])).lastInsertRowid);
      this.inHand?.wrote(docKey, plain);
      return docKey;
    }
    if (this.dialect === 'postgres') {
      const { rows } = await INSERT_POSTGRES.execute<{ doc_key: number }>(db, INSERT_COLUMNS.map((c) => row[c]));
      return Number(rows[0]!.doc_key);
    }
    const { index_id, data_source_id, ...rest } = row;
    const r = await db.insertInto('documents').values({ ...rest, index_key: indexKey(index_id), source_key: sourceKey(data_source_id) }).returning('doc_key').executeTakeFirstOrThrow();
    return Number(r.doc_key);
  }

  /**
   * PostgreSQL: inserts new documents in one statement (arrays of their columns, unnested), each row as insert()
   * writes it (a sync's batch: sync/batchWrites.ts). One statement each cost a round trip and an executor's start per
   * document, and ran the attribute rows' trigger once per row (migrations/postgres.ts: now once per statement).
   */
  async insertMany(rows: Omit<DocumentRow, 'doc_key'>[], db: Db): Promise<void> {
    if (!rows.length) return;
    if (this.dialect !== 'postgres') throw new Error('insertMany is PostgreSQL only');
    await INSERT_MANY_POSTGRES.execute(db, INSERT_COLUMNS.map((c) => rows.map((r) => r[c])));
  }

  async update(docKey: number, plain: Partial<Omit<DocumentRow, 'doc_key'>>, db: Db): Promise<void> {
    const patch = this.packed(plain);
    const raw = RawStatements.within(this.raw, db);
    if (raw) {
      const columns = definedKeys(patch);
      if (columns.length) raw.get(`UPDATE documents SET ${columns.map((c) => `${keyColumn(c)} = ${keyOf(c, '?')}`).join(', ')} WHERE doc_key = ?`).run(...columns.map((c) => patch[c]), docKey);
      this.inHand?.wrote(docKey, plain);
      return;
    }
    if (this.dialect === 'postgres') {
      // The shapes of an update are few (a failure, an unchanged document, a changed one with or without its attributes): each prepared.
      const columns = definedKeys(patch);
      if (columns.length) await prepared(`UPDATE documents SET ${columns.map((c, i) => `${keyColumn(c)} = ${keyOf(c, `$${i + 1}`)}`).join(', ')} WHERE doc_key = $${columns.length + 1}`).execute(db, [...columns.map((c) => patch[c]), docKey]);
      return;
    }
    const { index_id, data_source_id, ...rest } = patch;
    await db
      .updateTable('documents')
      .set({ ...rest, ...(index_id !== undefined ? { index_key: indexKey(index_id) } : {}), ...(data_source_id !== undefined ? { source_key: sourceKey(data_source_id) } : {}) })
      .where('doc_key', '=', docKey)
      .execute();
  }

  /**
   * Gives these indices and data sources a key (store/idKeys.ts) where they have none. An index or data source made
   * through the API has one from its creation (a trigger), and every document a sync or BatchPutDocument writes names
   * one that was made, so no write path calls this: it is for stores written under ids never made one (benches and
   * tests that write documents directly). A document whose index has no key is refused (index_key NOT NULL).
   */
  async ensureKeys(indexIds: readonly string[], dataSourceIds: readonly (string | null)[], db: Db): Promise<void> {
    const sources = [...new Set(dataSourceIds.filter((id): id is string => id !== null))];
    const indices = [...new Set(indexIds)];
    const raw = RawStatements.within(this.raw, db);
    if (raw) {
      for (const id of indices) raw.get(ENSURE_SQL('index_keys')).run(id, id);
      for (const id of sources) raw.get(ENSURE_SQL('data_source_keys')).run(id, id);
      return;
    }
    if (this.dialect === 'postgres') {
      await ENSURE_POSTGRES.execute(db, [indices, sources]);
      return;
    }
    for (const [table, ids] of [['index_keys', indices], ['data_source_keys', sources]] as const) {
      for (const id of ids) await sql`INSERT INTO ${sql.table(table)} (id) SELECT ${id} WHERE NOT EXISTS (SELECT 1 FROM ${sql.table(table)} WHERE id = ${id})`.execute(db);
    }
  }

  /** The row with its text as the backend stores it: packed on SQLite (store/packedText.ts). */
  private packed<T extends { body?: string; search_body?: string | null }>(row: T): T {
    if (this.dialect !== 'sqlite') return row;
    // BLOBs where the row's type says string: on SQLite only kendrite_text() reads these columns. A short text
    // stays as it is (packText), and so does the row: no copy of it per document then.
    const body = row.body === undefined ? undefined : packText(row.body);
    const searchBody = typeof row.search_body === 'string' ? packText(row.search_body) : row.search_body;
    if (body === row.body && searchBody === row.search_body) return row;
    const out = { ...row };
    if (body !== row.body) out.body = body as string;
    if (searchBody !== row.search_body) out.search_body = searchBody as string;
    return out;
  }

  async remove(docKey: number, db: Db): Promise<void> {
    await db.deleteFrom('documents').where('doc_key', '=', docKey).execute();
    this.inHand?.removed(docKey);
  }

  /** X-4: the real count and text bytes of searchable documents. */
  async statistics(indexId: string): Promise<{ count: number; bytes: number }> {
    const r = await this.db
      .selectFrom('documents')
      .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.coalesce(eb.fn.sum<number>('text_bytes'), sql<number>`0`).as('bytes')])
      .where('index_key', '=', indexKey(indexId))
      .where('status', 'in', SEARCHABLE_STATUSES)
      .executeTakeFirstOrThrow();
    return { count: Number(r.count), bytes: Number(r.bytes) };
  }

  /** statistics() of every index that holds documents, in one statement (for the metrics). */
  async statisticsByIndex(): Promise<{ index_id: string; count: number; bytes: number }[]> {
    const rows = await this.db
      .selectFrom('documents')
      .select((eb) => [indexIdOf('index_key').as('index_id'), eb.fn.countAll<number>().as('count'), eb.fn.coalesce(eb.fn.sum<number>('text_bytes'), sql<number>`0`).as('bytes')])
      .where('status', 'in', SEARCHABLE_STATUSES)
      .groupBy('index_key')
      .execute();
    return rows.map((r) => ({ index_id: r.index_id, count: Number(r.count), bytes: Number(r.bytes) }));
  }

  /** Removes documents in bounded batches (so deleting a large source never holds one huge transaction). */
  async purge(where: { indexId: string; dataSourceId?: string }, batch = 1000): Promise<number> {
    let total = 0;
    for (;;) {
      let q = this.db.selectFrom('documents').select('doc_key').where('index_key', '=', indexKey(where.indexId));
      if (where.dataSourceId) q = q.where('source_key', '=', sourceKey(where.dataSourceId));
      const keys = (await q.limit(batch).execute()).map((r) => r.doc_key);
      if (!keys.length) break;
      await this.db.deleteFrom('documents').where('doc_key', 'in', keys).execute();
      total += keys.length;
    }
    let dq = this.db.deleteFrom('document_queue').where('index_id', '=', where.indexId);
    if (where.dataSourceId) dq = dq.where('data_source_id', '=', where.dataSourceId);
    await dq.execute();
    return total;
  }
}

/** withTextBatched's statements: the pending row 0 that sets the triggers to note what is to change … */
const TEXT_PENDING_BEGIN = `INSERT INTO documents_text_pending (doc_key) VALUES (0)`;
/** The full-text index's rows (english: documents_fts, else documents_fts_plain) of the batch's documents noted for it, read from their rows; `only`: SQL narrowing which. */
const ftsFromRows = (english: 0 | 1, only = '') =>
  english
    ? // The language's column comes after the text in a row: the pending row's copy spares reading the whole text of the others.
      `INSERT INTO documents_fts (rowid, title, body)
    SELECT d.doc_key, coalesce(d.search_title, d.title), coalesce(${storedTextSql('d.search_body')}, ${storedTextSql('d.body')}) FROM documents_text_pending p JOIN documents d ON d.doc_key = p.doc_key WHERE p.english = 1${only}`
    : `INSERT INTO documents_fts_plain (rowid, title, body)
    SELECT d.doc_key, d.search_title, ${storedTextSql('d.search_body')} FROM documents_text_pending p JOIN documents d ON d.doc_key = p.doc_key WHERE p.english = 0${only}`;
/** … the old text of the batch's documents taken out of the full-text index … */
const TEXT_BATCH_DELETES = ([['documents_fts', 1], ['documents_fts_plain', 0]] as const).map(([table, english]) => `DELETE FROM ${table} WHERE rowid IN (SELECT doc_key FROM documents_text_pending WHERE indexed_english = ${english})`);
const TEXT_PENDING_END = `DELETE FROM documents_text_pending`;
/** … and, after the batch's writes, the changes made in the full-text index together. */
const TEXT_BATCH_END = [...TEXT_BATCH_DELETES, ftsFromRows(1), ftsFromRows(0), TEXT_PENDING_END];
/** indexPending's: what the batch noted, in key order (the full-text index takes its rows in order without writing a segment between). */
const PENDING_SQL = `SELECT doc_key, english FROM documents_text_pending WHERE doc_key <> 0 ORDER BY doc_key`;
/** The documents of the batch not in hand (a JSON array of keys), read from their rows. */
const FTS_READ_BACK = ([1, 0] as const).map((english) => ftsFromRows(english, ' AND p.doc_key IN (SELECT value FROM json_each(?))'));
const FTS_INSERT = `INSERT INTO documents_fts (rowid, title, body) VALUES (?, ?, ?)`;
const FTS_PLAIN_INSERT = `INSERT INTO documents_fts_plain (rowid, title, body) VALUES (?, ?, ?)`;

/**
 * TEXT_BATCH_END through statements prepared once, the text of the documents in hand given to the full-text index as
 * the batch wrote it: what ftsFromRows reads back from their rows (textsInHand.ts). One row a statement, none of which
 * opens a savepoint (an INSERT of one row into a table without triggers), so the index still takes them all before it
 * writes a segment.
 */
function indexPending(raw: RawStatements, texts: TextsInHand): void {
  for (const text of TEXT_BATCH_DELETES) raw.get(text).run();
  const english: [number, WrittenText][] = [];
  const plain: [number, WrittenText][] = [];
  const rest: number[] = [];
  for (const [docKey, isEnglish] of raw.get(PENDING_SQL).raw(true).all() as [number, number | null][]) {
    // As ftsFromRows' `p.english = 1` / `= 0`: a row noted with neither (no language) goes to no index.
    if (isEnglish !== 1 && isEnglish !== 0) continue;
    const t = texts.get(docKey);
    if (!t) rest.push(docKey);
    else (isEnglish ? english : plain).push([docKey, t]);
  }
  if (rest.length) for (const text of FTS_READ_BACK) raw.get(text).run(JSON.stringify(rest));
  const fts = raw.get(FTS_INSERT);
  for (const [docKey, t] of english) fts.run(docKey, t.search_title ?? t.title, t.search_body ?? t.body);
  const ftsPlain = raw.get(FTS_PLAIN_INSERT);
  for (const [docKey, t] of plain) ftsPlain.run(docKey, t.search_title, t.search_body);
  raw.get(TEXT_PENDING_END).run();
}

/** Every column of documents but its text (body, search_body) and its keys (getMany reads their ids), for getMany. */
const UNREAD_TEXT_COLUMNS = [
  'doc_key', 'document_id', 'title', 'content_type', 'attributes', 'source_uri', 'file_type', 'content_hash', 'status',
  'failure_reason', 'text_bytes', 'applied_seq', 'created_at', 'updated_at', 'language_code', 'search_title',
] as const satisfies readonly (keyof DocumentRow & keyof DocumentsTable)[];

/** Bound parameters per statement stay well under SQLite's and PostgreSQL's limits. */
const CHUNK = 500;

/** Every column of a document but its key, in the order the insert binds them: one statement text, prepared once. */
const INSERT_COLUMNS = [
  'index_id', 'document_id', 'data_source_id', 'title', 'body', 'content_type', 'attributes', 'language_code', 'search_title', 'search_body',
  'source_uri', 'file_type', 'content_hash', 'status', 'failure_reason', 'text_bytes', 'applied_seq', 'created_at', 'updated_at',
] as const satisfies readonly (keyof Omit<DocumentRow, 'doc_key'>)[];
// Compiles only while INSERT_COLUMNS names every column: one added to the table must be added here.
const _everyColumn: Exclude<keyof Omit<DocumentRow, 'doc_key'>, (typeof INSERT_COLUMNS)[number]> extends never ? true : never = true;
/** The columns an insert names: the keys in place of the ids. */
const INSERTED = INSERT_COLUMNS.map(keyColumn).join(', ');
const INSERT_SQL = `INSERT INTO documents (${INSERTED}) VALUES (${INSERT_COLUMNS.map((c) => keyOf(c, '?')).join(', ')})`;
const INSERT_POSTGRES = prepared(`INSERT INTO documents (${INSERTED}) VALUES (${INSERT_COLUMNS.map((c, i) => keyOf(c, `$${i + 1}`)).join(', ')}) RETURNING doc_key`);
/** The type of each column of INSERT_COLUMNS as insertMany's arrays bind them. */
const BIGINT_COLUMNS = new Set<string>(['text_bytes', 'applied_seq', 'created_at', 'updated_at']);
const INSERT_MANY_POSTGRES = prepared(
  `INSERT INTO documents (${INSERTED}) SELECT ${INSERT_COLUMNS.map((c) => keyOf(c, `u.${c}`)).join(', ')}
    FROM unnest(${INSERT_COLUMNS.map((c, i) => `$${i + 1}::${BIGINT_COLUMNS.has(c) ? 'bigint' : 'text'}[]`).join(', ')}) AS u(${INSERT_COLUMNS.join(', ')})`,
);
const HELD_POSTGRES = prepared(`SELECT d.document_id, ${HELD_SELECT},
  EXISTS (SELECT 1 FROM document_access a WHERE a.doc_key = d.doc_key) OR EXISTS (SELECT 1 FROM document_access_configurations c WHERE c.doc_key = d.doc_key) AS has_access
  FROM documents d WHERE d.index_key = ${INDEX_KEY('$1')} AND d.document_id = ANY($2::text[])`);
/** ensureKeys' statement for one id (bound twice) into `table`. */
const ENSURE_SQL = (table: string) => `INSERT INTO ${table} (id) SELECT ? WHERE NOT EXISTS (SELECT 1 FROM ${table} WHERE id = ?)`;
const ENSURE_POSTGRES = prepared(
  ([['index_keys', '$1'], ['data_source_keys', '$2']] as const)
    .map(([table, ids]) => `${table === 'index_keys' ? 'WITH i AS (' : ''}INSERT INTO ${table} (id) SELECT n.id FROM unnest(${ids}::text[]) AS n(id)
      WHERE NOT EXISTS (SELECT 1 FROM ${table} k WHERE k.id = n.id) ON CONFLICT (id) DO NOTHING${table === 'index_keys' ? ') ' : ''}`)
    .join(''),
);

/** The column of documents a DocumentRow column is written to: an id's key column, else itself. */
function keyColumn(c: string): string {
  return c === 'index_id' ? 'index_key' : c === 'data_source_id' ? 'source_key' : c;
}

/** SQL of the value written to keyColumn(c) for the value `param` gives: an id's key, else the value. */
function keyOf(c: string, param: string): string {
  return c === 'index_id' ? INDEX_KEY(param) : c === 'data_source_id' ? SOURCE_KEY(param) : param;
}


function heldOf<T extends { has_access: unknown; document_id: string }>(r: T): HeldWithAccess {
  const { has_access, document_id: _id, ...row } = r;
  return { ...(row as unknown as HeldDocument), hasAccess: Boolean(has_access) };
}

/**
 * The columns a row or patch sets, as Kysely would (it leaves out undefined values). Column names
 * come from the code's own row objects, never from a request, so they go into the SQL as they are.
 */
function definedKeys<T extends object>(row: T): (keyof T & string)[] {
  return (Object.keys(row) as (keyof T & string)[]).filter((k) => row[k] !== undefined);
}
