/**
 * The SQLite FTS5 backend. English documents are in documents_fts (porter tokenizer), those of other
 * languages in documents_fts_plain, as analysis.ts made their terms. Relevance is
 * BM25 with the title weighing ten times the body. Each match
 * is checked against documents_visible (a covering index), not the wide document rows; a plain text
 * search checks only its best candidates by score (topCandidates.ts). Searches
 * run on their own read-only connection, so they read committed data only and never wait behind
 * (or inside) the indexer's transactions on the main connection.
 */
import BetterSqlite3 from 'better-sqlite3';
import { registerPackedText, storedTextSql } from '../store/packedText.js';
import { sizePages } from '../store/sqlitePages.js';
import type { Analyzer } from './analysis.js';
import { SqlSearchEngine, type Backend, type Ranking, type TextMatch } from './engine.js';
import type { TextWeights } from './relevance.js';
import { fts5Match } from './matchSyntax.js';
import type { NormalQuery } from './queryText.js';
import { list, raw, sql, type Sql } from './sql.js';

const STATEMENT_CACHE = 256;
/**
 * Searches read the database file through a memory map of up to this size: its pages come from the OS's
 * page cache, shared by every read thread, instead of being copied into each connection's own 2 MB page
 * cache. A filtered query looks up each matched document in the attribute index; with the page cache
 * missed on most lookups they cost half as much again (100,000 documents, 2 cores).
 */
const MMAP_BYTES = 1 << 30;
/** Up to this many keys, a caller's key set is a plain IN list; beyond, a lookup in a JavaScript Set. */
const LISTED_KEYS = 128;

/** A caller's key set, in a statement's parameters until it runs (Fts5Backend.all). */
class KeySet {
  constructor(readonly keys: string[]) {}
}

/** BM25's column weights (title, body), scaled by relevance tuning's factors. */
function bm25Weights(title: number, body: number, w: TextWeights | undefined): string {
  return [title * (w?.title ?? 1), body * (w?.body ?? 1)].map((n) => n.toFixed(4)).join(', ');
}

/**
 * The number of a table's matches (rows: n), when every row of the table is visible to a search of this index and
 * language without further conditions; n NULL otherwise. The table holds the documents of its languages (English,
 * or every other), all indexes', in any status: all of them visible means that as many of them are searchable in
 * this index and language (document_counts, kept by triggers) as there are, that no data source of the index is
 * being deleted, and, for a search with access control, that no document of the store has access rows (every one
 * is then visible to every caller: access.ts).
 */
function wholeTableCount(fts: string, english: boolean, match: Sql, indexId: string, language: string, access: boolean): Sql {
  const languages = raw(english ? `c.language_code = 'en'` : `c.language_code <> 'en'`);
  if ((language === 'en') !== english) return raw('SELECT NULL AS n');
  return sql`SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM data_sources s WHERE s.index_id = ${indexId} AND s.status = 'DELETING')${raw(access ? ' AND NOT EXISTS (SELECT 1 FROM document_access)' : '')}
      AND (SELECT coalesce(sum(c.n), 0) FROM document_counts c WHERE ${languages}) = (SELECT coalesce(sum(c.n), 0) FROM document_counts c WHERE c.index_id = ${indexId} AND c.language_code = ${language} AND c.searchable = 1)
    THEN (SELECT count(*) FROM ${raw(fts)} WHERE ${match}) END AS n`;
}

export function fts5Engine(databaseFile: string): SqlSearchEngine {
  return new SqlSearchEngine(new Fts5Backend(databaseFile));
}

class Fts5Backend implements Backend {
  private readonly db: BetterSqlite3.Database;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  /** The key sets of the statement running now (statements run synchronously, one at a time). */
  private readonly running: Set<string>[] = [];
  /** One Set per caller's key list, shared by the statements of one search. */
  private readonly sets = new WeakMap<string[], Set<string>>();
  readonly collate = '';
  /** The rows the ranking statement running now has scored, and their best score (rank). */
  private tally = { total: 0, top: -Infinity };

  constructor(file: string) {
    this.db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma(`mmap_size = ${MMAP_BYTES}`);
    sizePages(this.db);
    registerPackedText(this.db);
    this.db.function('kendrite_has_key', (key: unknown, set: unknown) => (this.running[set as number]!.has(key as string) ? 1 : 0));
    this.db.function('kendrite_tally', (score: unknown) => {
      this.tally.total++;
      if ((score as number) > this.tally.top) this.tally.top = score as number;
      return score as number;
    });
  }

  documentMatch(q: NormalQuery | undefined, analyzer: Analyzer, weights?: TextWeights): TextMatch {
    if (!q) return { from: raw('documents d'), where: raw('1 = 1'), score: raw('0') };
    const match = fts5Match(q.expr, analyzer);
    const fts = analyzer.english ? 'documents_fts' : 'documents_fts_plain';
    if (q.negated) return { from: raw('documents d'), where: sql`d.doc_key NOT IN (SELECT rowid FROM ${raw(fts)} WHERE ${raw(fts)} MATCH ${match})`, score: raw('0') };
    const score = raw(`-bm25(${fts}, ${bm25Weights(10, 1, weights)})`);
    const where = sql`${raw(fts)} MATCH ${match}`;
    const candidates = (k: number) => sql`SELECT rowid AS doc_key, ${score} AS score FROM ${raw(fts)} WHERE ${where} ORDER BY score DESC LIMIT ${raw(String(k))}`;
    const count = (indexId: string, language: string, access: boolean) => wholeTableCount(fts, analyzer.english, where, indexId, language, access);
    // The candidates' conditions read documents_visible alone, as the full ranking's join does: a row's later columns lie past its text.
    return { from: raw(`${fts} JOIN documents d INDEXED BY documents_visible ON d.doc_key = ${fts}.rowid`), where, score, candidates, count, visibleRows: raw('documents d INDEXED BY documents_visible') };
  }

  prefix(column: string, n: number): Sql {
    return raw(storedTextSql(column, n));
  }

  text(column: string): Sql {
    return raw(storedTextSql(column));
  }

  /**
   * `+` keeps the key test a filter on the document's rows, never one index probe per key. A large
   * set (a user of thousands of groups) is one parameter naming a JavaScript Set: SQLite would
   * otherwise build a transient index of every key for each use in each statement.
   */
  memberOf(column: string, keys: string[]): Sql {
    if (keys.length <= LISTED_KEYS) return sql`+${raw(column)} IN (${list(keys)})`;
    return sql`kendrite_has_key(${raw(column)}, ${new KeySet(keys)}) = 1`;
  }

  rowTest(column: string): Sql {
    return raw(`+${column}`);
  }

  /**
   * Every row is scored as it is found, its count and best score taken on the way (kendrite_tally), so
   * that the sort keeps only the page's rows: window functions for the total would keep every match
   * until the end, which cost a third of a query of ten thousand matches.
   */
  async rank<T>(q: Ranking): Promise<{ rows: T[]; total: number; top: number }> {
    // Read before anything else can run: another search's statement would reset the tally.
    const tally = (this.tally = { total: 0, top: -Infinity });
    const rows = this.run<T>(sql`SELECT ${raw(q.columns)} FROM (${q.inner(sql`kendrite_tally(${q.score})`)}) m ORDER BY ${raw(q.order)} LIMIT ${q.limit} OFFSET ${q.offset}`);
    return { rows, total: tally.total, top: tally.total ? tally.top : 0 };
  }

  async all<T>(q: Sql): Promise<T[]> {
    return this.run<T>(q);
  }

  /** Runs a statement to its end, synchronously (better-sqlite3). */
  private run<T>(q: Sql): T[] {
    const params = q.params.map((p) => (p instanceof KeySet ? this.running.push(this.setOf(p.keys)) - 1 : p));
    try {
      return this.statement(q.text).all(...params) as T[];
    } finally {
      this.running.length = 0;
    }
  }

  private setOf(keys: string[]): Set<string> {
    let set = this.sets.get(keys);
    if (!set) this.sets.set(keys, (set = new Set(keys)));
    return set;
  }

  async close(): Promise<void> {
    this.db.close();
  }

  /** Prepared statements by text: the same query shapes recur, with different values. */
  private statement(text: string): BetterSqlite3.Statement {
    let s = this.statements.get(text);
    if (s) {
      this.statements.delete(text);
    } else {
      s = this.db.prepare(text);
      if (this.statements.size >= STATEMENT_CACHE) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(text, s);
    return s;
  }
}
