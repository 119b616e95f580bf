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

export type Log = (line: Record<string, unknown>) => void;

/**
 * A pool whose lost connections cost nothing but themselves. PostgreSQL ends connections when it
 * restarts, fails over, or an operator terminates a backend; pg reports that as an `error` event on
 * the client (and on the pool, for an idle one), which kills the process if nobody listens. Heard
 * here, it is logged; the pool drops the dead client (idle, or when released) and connects anew at
 * the next use. A statement running on it fails, and with it that one request or batch.
 */
function resilientPool(url: string, max: number, what: string, log: Log, extra: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, types: pgTypes as pg.CustomTypesConfig, ...extra });
  pool.on('connect', (client) => {
    let lost = false; // a terminated backend's notice and the closed socket are two errors: one line
    client.on('error', (err) => {
      if (!lost) log({ level: 'warn', msg: `PostgreSQL connection lost (${what}): ${err.message}; reconnecting at the next use` });
      lost = true;
    });
  });
  pool.on('error', () => undefined); // the client's own listener above has logged it
  return pool;
}

/**
 * PostgreSQL: the search engine's own pool. Searches (which a read key can make expensive) then never
 * take the connections the store's writes need, each statement is cancelled by the server past
 * `statementTimeoutMs`, and they are told apart in pg_stat_activity by their application name.
 */
export function openSearchPool(databaseUrl: string, statementTimeoutMs: number, log: Log = () => undefined): pg.Pool {
  return resilientPool(databaseUrl, 10, 'search', log, { statement_timeout: statementTimeoutMs, application_name: SEARCH_APPLICATION_NAME });
}

export const SEARCH_APPLICATION_NAME = 'kendrite-search';

export function openDatabase(opts: { databaseUrl?: string; dataDir: string }, log: Log = () => undefined): Connection {
  if (opts.databaseUrl) {
    const pool = resilientPool(opts.databaseUrl, 10, 'pool', log);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const unlock = lockDataDir(opts.dataDir);
  const sqlite = new BetterSqlite3(path.join(opts.dataDir, 'kendrite.db'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
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

/** Prepared statements kept per connection, the least recently used dropped first. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * The connection as Kysely's SQLite driver sees it, with its statements kept: the driver prepares every
 * query it runs anew, which cost a sync more CPU than running them (a quarter of a database sync's time).
 * A statement still being iterated is busy and is not handed out again.
 */
function withStatementCache(sqlite: BetterSqlite3.Database): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = (source: string) => {
    const held = cache.get(source);
    if (held && !held.busy) {
      cache.delete(source);
      cache.set(source, held);
      return held;
    }
    const stmt = sqlite.prepare(source);
    if (held) return stmt;
    cache.set(source, stmt);
    if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return stmt;
  };
  return new Proxy(sqlite, {
    get: (target, key) => {
      if (key === 'prepare') return prepare;
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
