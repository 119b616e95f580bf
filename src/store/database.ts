import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { lockDataDir } from './dataDirLock.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Connection {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The raw SQLite handle, for the few statements that run synchronously on the hot path. */
  sqlite?: BetterSqlite3.Database;
  close(): Promise<void>;
}

/** PostgreSQL BIGINT columns hold epoch milliseconds and counters: all well inside 2^53. */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

const SEARCH_APPLICATION_NAME = 'kendrite-search';

/**
 * PostgreSQL: the search engine's own pool. Searches (which a read key can make expensive) then never
 * take the connections the store's writes need, each statement is cancelled by the server past
 * `statementTimeoutMs`, and they are told apart in pg_stat_activity by their application name.
 */
export function openSearchPool(databaseUrl: string, statementTimeoutMs: number): pg.Pool {
  return new pg.Pool({ connectionString: databaseUrl, max: 10, types: pgTypes as pg.CustomTypesConfig, statement_timeout: statementTimeoutMs, application_name: SEARCH_APPLICATION_NAME });
}

export function openDatabase(opts: { databaseUrl?: string; dataDir: string }): Connection {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10, types: pgTypes as pg.CustomTypesConfig });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const unlock = lockDataDir(opts.dataDir);
  const sqlite = new BetterSqlite3(path.join(opts.dataDir, 'kendrite.db'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    dialect: 'sqlite',
    sqlite,
    async close() {
      await db.destroy();
      unlock();
    },
  };
}
