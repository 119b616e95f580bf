import type { Log } from '../observe/log.js';
import { openSearchPool, type Connection } from '../store/database.js';
import type { SearchEngine } from './engine.js';
import { fts5Engine } from './fts5.js';
import { postgresEngine } from './postgres.js';
import { ReadPool } from './readPool.js';

export type { SearchEngine } from './engine.js';

/**
 * The engine of the store's backend: FTS5 over the SQLite file (on `readThreads` worker threads, or
 * on this thread when 0), or tsvector on a PostgreSQL pool of its own (its server runs the searches
 * off this thread already; readThreads does not apply).
 */
export function searchEngineFor(conn: Connection, opts: { databaseUrl?: string; statementTimeoutMs: number; readThreads: number; connections: number; log?: Log }): SearchEngine {
  if (conn.dialect === 'postgres') return postgresEngine(openSearchPool(opts.databaseUrl!, opts.statementTimeoutMs, opts.connections, opts.log));
  if (!conn.sqlite) throw new Error('SQLite connection without its database handle');
  if (opts.readThreads === 0) return fts5Engine(conn.sqlite.name);
  return new ReadPool({ databaseFile: conn.sqlite.name, threads: opts.readThreads, statementTimeoutMs: opts.statementTimeoutMs, log: opts.log });
}
