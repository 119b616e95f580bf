/**
 * The SQLite FTS5 backend. English documents are in documents_fts (porter tokenizer), those of other
 * languages in documents_fts_plain, as analysis.ts made their terms (passages alike). Relevance is
 * BM25 with the title weighing ten times the body. Each match
 * is checked against documents_visible (a covering index), not the wide document rows. Searches
 * run on their own read-only connection, so they read committed data only and never wait behind
 * (or inside) the indexer's transactions on the main connection.
 */
import BetterSqlite3 from 'better-sqlite3';
import type { Analyzer } from './analysis.js';
import { SqlSearchEngine, type Backend, type TextMatch } from './engine.js';
import { fts5Match } from './matchSyntax.js';
import type { NormalQuery } from './queryText.js';
import { raw, sql, type Sql } from './sql.js';

const STATEMENT_CACHE = 256;

export function fts5Engine(databaseFile: string): SqlSearchEngine {
  return new SqlSearchEngine(new Fts5Backend(databaseFile));
}

class Fts5Backend implements Backend {
  private readonly db: BetterSqlite3.Database;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  readonly collate = '';

  constructor(file: string) {
    this.db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
  }

  documentMatch(q: NormalQuery | undefined, analyzer: Analyzer): TextMatch {
    if (!q) return { from: raw('documents d'), where: raw('1 = 1'), score: raw('0') };
    const match = fts5Match(q.expr, analyzer);
    const fts = analyzer.english ? 'documents_fts' : 'documents_fts_plain';
    if (q.negated) return { from: raw('documents d'), where: sql`d.doc_key NOT IN (SELECT rowid FROM ${raw(fts)} WHERE ${raw(fts)} MATCH ${match})`, score: raw('0') };
    return { from: raw(`${fts} JOIN documents d INDEXED BY documents_visible ON d.doc_key = ${fts}.rowid`), where: sql`${raw(fts)} MATCH ${match}`, score: raw(`-bm25(${fts}, 10.0, 1.0)`) };
  }

  passageMatch(q: NormalQuery | undefined, analyzer: Analyzer): TextMatch {
    const passages = 'document_passages p JOIN documents d ON d.doc_key = p.doc_key';
    if (!q) return { from: raw(passages), where: raw('1 = 1'), score: raw('0') };
    const match = fts5Match(q.expr, analyzer);
    const fts = analyzer.english ? 'passages_fts' : 'passages_fts_plain';
    if (q.negated) return { from: raw(passages), where: sql`p.passage_key NOT IN (SELECT rowid FROM ${raw(fts)} WHERE ${raw(fts)} MATCH ${match})`, score: raw('0') };
    return {
      from: raw(`${fts} JOIN document_passages p ON p.passage_key = ${fts}.rowid JOIN documents d INDEXED BY documents_visible ON d.doc_key = p.doc_key`),
      where: sql`${raw(fts)} MATCH ${match}`,
      // Within one passage the title counts twice the passage text: enough to find a document by its title, not so much that its every passage outranks real matches.
      score: raw(`-bm25(${fts}, 2.0, 1.0)`),
    };
  }

  prefix(column: string, n: number): Sql {
    return sql`substr(${raw(column)}, 1, ${n})`;
  }

  /** The JSON array is read once per statement into a transient index; `+` keeps the key test a filter, never one index probe per key. */
  memberOf(column: string, keys: string[]): Sql {
    return sql`+${raw(column)} IN (SELECT value FROM json_each(${JSON.stringify(keys)}))`;
  }

  async all<T>(q: Sql): Promise<T[]> {
    return this.statement(q.text).all(...(q.params as unknown[])) as T[];
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
