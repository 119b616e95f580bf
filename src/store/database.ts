import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteAdapter, SqliteDriver, SqliteIntrospector, SqliteQueryCompiler, type DatabaseConnection, type Dialect as KyselyDialect } from 'kysely';
import pg from 'pg';
import { lockDataDir } from './dataDirLock.js';
import { preparingStatements } from './preparedStatements.js';
import { registerPackedText } from './packedText.js';
import { sizePages } from './sqlitePages.js';
import type { Database } from './schema.js';
import { silentLog, type Log } from '../observe/log.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Connection {
  db: Kysely<Database>;
  /**
   * Lease renewal's own way in: on PostgreSQL a connection of its own, outside the pool, so that
   * requests and indexing holding every pooled connection cannot delay a renewal; on SQLite `db`.
   */
  leaseDb: Kysely<Database>;
  dialect: Dialect;
  /**
   * Runs `SELECT 1` the way requests reach the store (through the pool, on PostgreSQL) and throws,
   * saying what failed, if that does not succeed within `timeoutMs`.
   */
  ping(timeoutMs: number): Promise<void>;
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


/**
 * A pool whose lost connections cost nothing but themselves. PostgreSQL ends connections when it
 * restarts, fails over, or an operator terminates a backend; pg reports that as an `error` event on
 * the client (and on the pool, for an idle one), which kills the process if nobody listens. Heard
 * here, it is logged; the pool drops the dead client (idle, or when released) and connects anew at
 * the next use. A statement running on it fails, and with it that one request or batch.
 */
function resilientPool(url: string, what: string, log: Log, options: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, types: pgTypes as pg.CustomTypesConfig, ...options });
  let reconnecting = false;
  pool.on('connect', (client) => {
    if (reconnecting) log.info({ pool: what }, 'PostgreSQL connection re-established');
    reconnecting = false;
    let lost = false; // a terminated backend's notice and the closed socket are two errors: one line
    client.on('error', (err) => {
      if (!lost) log.warn({ pool: what, error: err.message }, 'PostgreSQL connection lost; reconnecting at the next use');
      lost = reconnecting = true;
    });
  });
  pool.on('error', () => undefined); // the client's own listener above has logged it
  return pool;
}

/**
 * PostgreSQL: the search engine's own pool. Searches (which a read key can make expensive) then never
 * take the connections the store's writes need, each statement is cancelled by the server past
 * `statementTimeoutMs`, and they are told apart in pg_stat_activity by their application name. At most
 * `connections` (search.connections) run at once; the others wait in this process for a free one, first come
 * first served (the wait is not part of the time-out).
 */
export function openSearchPool(databaseUrl: string, statementTimeoutMs: number, connections = 10, log: Log = silentLog): pg.Pool {
  return resilientPool(databaseUrl, 'search', log, {
    max: connections,
    statement_timeout: statementTimeoutMs,
    application_name: SEARCH_APPLICATION_NAME,
    // Query's rank statement, prepared per connection (store/statementNames.ts), runs its generic plan from the first
    // run: custom plans, PostgreSQL's choice for a statement's first five runs, estimate a common word's matches
    // and read every document's vector in a sequential scan instead of the GIN index (a 10 s time-out at 1,000,000
    // documents for a word in one document of eight). Only named statements have generic plans.
    options: '-c plan_cache_mode=force_generic_plan',
  });
}

const SEARCH_APPLICATION_NAME = 'kendrite-search';

/** A pooled connection and `SELECT 1` within `timeoutMs`, or an error naming the step that did not finish. */
async function pingPool(pool: pg.Pool, timeoutMs: number): Promise<void> {
  let step = 'waiting for a free pooled connection';
  let timedOut = false;
  const attempt = (async () => {
    const client = await pool.connect();
    if (timedOut) return client.release(); // the caller gave up: back to the pool at once
    step = 'waiting for PostgreSQL to answer SELECT 1';
    try {
      await client.query('SELECT 1');
      client.release();
    } catch (e) {
      client.release(e as Error);
      throw e;
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      const usage = `${pool.totalCount - pool.idleCount} of ${pool.options.max} connections in use, ${pool.waitingCount} waiting`;
      reject(new Error(`no answer within ${timeoutMs} ms, ${step} (${usage})`));
    }, timeoutMs);
  });
  try {
    await Promise.race([attempt, deadline]);
  } finally {
    clearTimeout(timer);
    attempt.catch(() => undefined); // settles later, if it lost the race
  }
}

export function openDatabase(opts: { databaseUrl?: string; dataDir: string }, log: Log = silentLog): Connection {
  if (opts.databaseUrl) {
    const pool = resilientPool(opts.databaseUrl, 'pool', log, { max: 10 });
    preparingStatements(pool);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    // A renewal that cannot connect or finish in seconds is given up; the next one tries again.
    const leasePool = resilientPool(opts.databaseUrl, 'leases', log, {
      max: 1,
      connectionTimeoutMillis: 5_000,
      statement_timeout: 5_000,
      keepAlive: true,
    });
    const leaseDb = new Kysely<Database>({ dialect: new PostgresDialect({ pool: leasePool }) });
    return {
      db,
      leaseDb,
      dialect: 'postgres',
      ping: (timeoutMs) => pingPool(pool, timeoutMs),
      async close() {
        await Promise.all([db.destroy(), leaseDb.destroy()]);
      },
    };
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const unlock = lockDataDir(opts.dataDir);
  const conn = openSqlite(path.join(opts.dataDir, 'kendrite.db'));
  return {
    ...conn,
    async close() {
      await conn.close();
      unlock();
    },
  };
}

/**
 * A read-write connection to a SQLite database file. openDatabase's, or another of the same process
 * (the sync writer thread's, src/sync/writerThread.ts) beside it: the data dir lock is the process's.
 * A statement that needs the write lock while the other connection holds it waits up to
 * `busyTimeoutMs`, its thread blocked.
 */
export function openSqlite(file: string, busyTimeoutMs = 5000): Connection {
  const sqlite = new BetterSqlite3(file);
  sizePages(sqlite);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
  registerPackedText(sqlite);
  const db = new Kysely<Database>({ dialect: immediateSqlite(withStatementCache(sqlite)) });
  return {
    db,
    leaseDb: db,
    dialect: 'sqlite',
    // Statements run synchronously on this thread: one that runs at all answers at once.
    ping: async () => void sqlite.prepare('SELECT 1').get(),
    sqlite,
    close: () => db.destroy(),
  };
}

/**
 * Kysely's SQLite dialect with every transaction begun IMMEDIATE (the write lock taken at BEGIN) rather
 * than deferred. With two connections writing (the main thread's and the sync writer thread's), a
 * deferred transaction that reads first cannot upgrade to a write once the other has committed meanwhile:
 * SQLite fails it at once (SQLITE_BUSY), without waiting. Begun IMMEDIATE it waits for the lock instead.
 */
function immediateSqlite(database: BetterSqlite3.Database): KyselyDialect {
  class ImmediateDriver extends SqliteDriver {
    override async beginTransaction(connection: DatabaseConnection): Promise<void> {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    }
  }
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new ImmediateDriver({ database }),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
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
