/**
 * The plain full-text engines the indexing benches measure kendrite against, fed extracted text
 * (title and body): on SQLite an FTS5 table `fts5(title, body, tokenize='porter unicode61')`, on
 * PostgreSQL a table with a GIN index over a title-weighted tsvector; one INSERT per row, one
 * transaction per ROWS_PER_TRANSACTION rows. Their costs are wall time and CPU time (this process,
 * where SQLite runs, or a server process, plus the PostgreSQL backends serving the database, from /proc).
 */
import { readFileSync, statSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

export const ROWS_PER_TRANSACTION = 1000;

export interface Doc {
  id: string;
  title: string;
  body: string;
}

/** Wall and CPU milliseconds of one measured step. */
export interface Cost {
  wallMs: number;
  cpuMs: number;
}

/** The CPU time (µs) used so far by the processes measured, by name. */
export type CpuClock = () => Promise<Map<string, number>>;

const TICKS_PER_SECOND = 100;

function procCpuUs(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND;
  } catch {
    return undefined; // gone, or not on this machine
  }
}

/**
 * This process's CPU time — or, given `pid`, that process's instead (a server doing the work) — and
 * that of the PostgreSQL backends serving `database` (by pid, as pg_stat_activity lists them), if any.
 */
export function cpuClock(admin?: pg.Client, database?: string, pid?: number): CpuClock {
  return async () => {
    const out = new Map<string, number>();
    if (pid === undefined) {
      const own = process.cpuUsage();
      out.set('self', own.user + own.system);
    } else out.set('server', procCpuUs(pid) ?? NaN);
    if (admin && database) {
      const r = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
      for (const { pid: backend } of r.rows) {
        const us = procCpuUs(backend);
        if (us !== undefined) out.set(String(backend), us);
      }
    }
    return out;
  };
}

/** Runs `f`, returning its wall time and the CPU time `clock` saw spent meanwhile. */
export async function measured(clock: CpuClock, f: () => Promise<void> | void): Promise<Cost> {
  const cpu0 = await clock();
  const start = performance.now();
  await f();
  const wallMs = performance.now() - start;
  const cpu1 = await clock();
  let us = 0;
  for (const [k, v] of cpu1) us += v - (cpu0.get(k) ?? 0);
  return { wallMs, cpuMs: us / 1000 };
}

/** `docs` in arrays of `size`, drawn as they come (a generator's documents are never all in memory). */
function* chunks<T>(docs: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const d of docs) {
    batch.push(d);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

export const PLAIN_FTS5_TABLE = `CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize='porter unicode61')`;

/** Inserts `docs` into a new plain FTS5 table in `file`; the cost includes the final WAL checkpoint. */
export async function plainFts5(file: string, docs: Iterable<Doc>): Promise<{ baseline: Cost; baselineBytes: number }> {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(PLAIN_FTS5_TABLE);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const empty = statSync(file).size;
  const insert = db.prepare('INSERT INTO t (title, body) VALUES (?, ?)');
  const batch = db.transaction((rows: Doc[]) => {
    for (const d of rows) insert.run(d.title, d.body);
  });
  const baseline = await measured(cpuClock(), () => {
    for (const rows of chunks(docs, ROWS_PER_TRANSACTION)) batch(rows);
    db.pragma('wal_checkpoint(TRUNCATE)');
  });
  db.pragma('wal_checkpoint(TRUNCATE)');
  const bytes = statSync(file).size - empty;
  db.close();
  return { baseline, baselineBytes: bytes };
}

/** Inserts `docs` into a new plain table `t` with a GIN tsvector index in the database at `url`. */
export async function plainPostgres(url: string, docs: Iterable<Doc>, clock: CpuClock): Promise<{ baseline: Cost; baselineBytes: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`CREATE TABLE t (id BIGSERIAL PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL,
      search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')) STORED)`);
    await c.query('CREATE INDEX t_search ON t USING GIN (search_vector)');
    const empty = await postgresSize(url);
    const baseline = await measured(clock, async () => {
      for (const rows of chunks(docs, ROWS_PER_TRANSACTION)) {
        await c.query('BEGIN');
        for (const d of rows) await c.query({ name: 'insert', text: 'INSERT INTO t (title, body) VALUES ($1, $2)', values: [d.title, d.body] });
        await c.query('COMMIT');
      }
    });
    return { baseline, baselineBytes: (await postgresSize(url)) - empty };
  } finally {
    await c.end();
  }
}

/** Every table of the database with its indexes and TOAST. */
export async function postgresSize(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ bytes: string }>(`SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'`);
    return Number(r.rows[0]!.bytes);
  } finally {
    await c.end();
  }
}

/** The PostgreSQL server the benches use: KENDRITE_BENCH_POSTGRES_URL, else KENDRITE_TEST_POSTGRES_URL, else the local default. */
export function postgresAdminUrl(): URL {
  return new URL(process.env.KENDRITE_BENCH_POSTGRES_URL ?? process.env.KENDRITE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
}

/** `admin`'s server, database `db`. */
export function databaseUrl(admin: URL, db: string): string {
  return Object.assign(new URL(admin), { pathname: `/${db}` }).toString();
}
