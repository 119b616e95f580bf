/**
 * The PostgreSQL backend: documents.search_vector (title weight A, body B, GIN) matched with
 * to_tsquery('english') for English, to_tsquery('simple') over the terms analysis.ts made for other
 * languages (the vector is built alike, by language), ranked by ts_rank_cd with A weighing ten times B, as FTS5's BM25 weighs
 * the title. Strings are ordered by code point (COLLATE "C"), as SQLite orders them.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Analyzer } from './analysis.js';
import { SqlSearchEngine, type Backend, type TextMatch } from './engine.js';
import { tsquery } from './matchSyntax.js';
import type { NormalQuery } from './queryText.js';
import { numbered, raw, sql, type Sql } from './sql.js';

/** ts_rank_cd weights {D, C, B, A}: the title (A) ten times the body (B). */
const WEIGHTS = `'{0.1, 0.2, 0.1, 1.0}'`;
/** Passages: the title (A) twice the passage text (B), as in fts5.ts. */
const PASSAGE_WEIGHTS = `'{0.1, 0.2, 0.5, 1.0}'`;
/** Rank divided by 1 + log(document length): long bodies do not win by length alone, as with BM25. */
const NORMALIZATION = 1;

/** The text search configuration of an analysis, as the search_vector columns use it (migrations/postgres.ts). */
const config = (a: Analyzer) => (a.english ? `'english'` : `'simple'`);

export function postgresEngine(db: Kysely<Database>): SqlSearchEngine {
  return new SqlSearchEngine(new PostgresBackend(db));
}

class PostgresBackend implements Backend {
  readonly collate = ' COLLATE "C"';

  constructor(private readonly db: Kysely<Database>) {}

  documentMatch(q: NormalQuery | undefined, analyzer: Analyzer): TextMatch {
    if (!q) return { from: raw('documents d'), where: raw('TRUE'), score: raw('0') };
    const from = sql`documents d CROSS JOIN to_tsquery(${raw(config(analyzer))}, ${tsquery(q.expr, analyzer)}) AS q`;
    if (q.negated) return { from, where: raw('NOT (d.search_vector @@ q)'), score: raw('0') };
    return { from, where: raw('d.search_vector @@ q'), score: raw(`ts_rank_cd(${WEIGHTS}, d.search_vector, q, ${NORMALIZATION})`) };
  }

  passageMatch(q: NormalQuery | undefined, analyzer: Analyzer): TextMatch {
    const passages = 'document_passages p JOIN documents d ON d.doc_key = p.doc_key';
    if (!q) return { from: raw(passages), where: raw('TRUE'), score: raw('0') };
    const from = sql`${raw(passages)} CROSS JOIN to_tsquery(${raw(config(analyzer))}, ${tsquery(q.expr, analyzer)}) AS q`;
    if (q.negated) return { from, where: raw('NOT (p.search_vector @@ q)'), score: raw('0') };
    return { from, where: raw('p.search_vector @@ q'), score: raw(`ts_rank_cd(${PASSAGE_WEIGHTS}, p.search_vector, q, ${NORMALIZATION})`) };
  }

  prefix(column: string, n: number): Sql {
    return sql`left(${raw(column)}, ${n})`;
  }

  async all<T>(q: Sql): Promise<T[]> {
    const r = await this.db.executeQuery<T>(CompiledQuery.raw(numbered(q.text), q.params));
    return r.rows;
  }

  async close(): Promise<void> {
    // The connection pool belongs to the store.
  }
}
