/**
 * Every row of every table of a test store, to prove that a request changed nothing ("the store is
 * unchanged"): snapshot before, snapshot after, deepEqual. Only `kendrite_migrations` is left out, and
 * `worker_heartbeats`, which every server renews on a timer of its own, and `query_log`, where every
 * Query (a read) is recorded by design.
 *
 * Read from outside the server process, as an operator would look at the database: SQLite opened
 * read-only (WAL lets it read while the server writes), PostgreSQL through its own connection.
 * Take a snapshot only when nothing moves by itself (resources ACTIVE, no job active, queue empty).
 */
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { TestStore } from './server.js';

/** Table name → its rows, each row a canonical JSON string, sorted. */
export type StoreSnapshot = Record<string, string[]>;

const EXCLUDED = new Set(['kendrite_migrations', 'worker_heartbeats', 'query_log']);

/** JSON with bytes as hex and bigint as decimal, so every column type compares by value. */
function canonical(row: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row).sort()) {
    const v = row[key];
    out[key] = Buffer.isBuffer(v) || v instanceof Uint8Array ? `hex:${Buffer.from(v).toString('hex')}` : typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : v;
  }
  return JSON.stringify(out);
}

/** `client`: an open connection to the store's PostgreSQL database, kept by a caller that snapshots often. */
export async function storeSnapshot(store: TestStore, client?: pg.Client): Promise<StoreSnapshot> {
  if (!store.databaseUrl) return sqliteSnapshot(path.join(store.dataDir, 'kendrite.db'));
  if (client) return postgresSnapshotOn(client);
  const own = new pg.Client({ connectionString: store.databaseUrl });
  await own.connect();
  try {
    return await postgresSnapshotOn(own);
  } finally {
    await own.end();
  }
}

function sqliteSnapshot(file: string): StoreSnapshot {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    // sqlite_sequence and the FTS5 shadow tables are tables too: a write would change them.
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[];
    const snap: StoreSnapshot = {};
    for (const { name } of tables) {
      if (EXCLUDED.has(name)) continue;
      const rows = db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all() as Record<string, unknown>[];
      snap[name] = rows.map(canonical).sort();
    }
    return snap;
  } finally {
    db.close();
  }
}

async function postgresSnapshotOn(client: pg.Client): Promise<StoreSnapshot> {
  const tables = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const snap: StoreSnapshot = {};
  for (const { table_name: name } of tables.rows) {
    if (EXCLUDED.has(name)) continue;
    const rows = await client.query<Record<string, unknown>>(`SELECT * FROM "${name.replaceAll('"', '""')}"`);
    snap[name] = rows.rows.map(canonical).sort();
  }
  return snap;
}

/** Rows in the snapshot, all tables together: lets a test check the snapshot actually holds the data. */
export function rowCount(snap: StoreSnapshot): number {
  return Object.values(snap).reduce((n, rows) => n + rows.length, 0);
}
