import { openSearchPool, type Connection } from '../store/database.js';
import type { SearchEngine } from './engine.js';
import { fts5Engine } from './fts5.js';
import { postgresEngine } from './postgres.js';

export type { SearchEngine } from './engine.js';

/** The engine of the store's backend: FTS5 over the SQLite file, or tsvector on a PostgreSQL pool of its own. */
export function searchEngineFor(conn: Connection, opts: { databaseUrl?: string; statementTimeoutMs: number }): SearchEngine {
  if (conn.dialect === 'postgres') return postgresEngine(openSearchPool(opts.databaseUrl!, opts.statementTimeoutMs));
  if (!conn.sqlite) throw new Error('SQLite connection without its database handle');
  return fts5Engine(conn.sqlite.name);
}
