import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { TestStore } from './server.js';

/**
 * Runs statements straight on a test store (SQLite file or PostgreSQL database), for seeding what
 * the API cannot make (old history) — never to check behaviour that the API can show.
 * Placeholders are written `?` and translated for PostgreSQL.
 */
export async function execSql(store: TestStore, statements: { sql: string; params: unknown[] }[]): Promise<void> {
  if (store.backend === 'sqlite') {
    const db = new BetterSqlite3(path.join(store.dataDir, 'kendrite.db'));
    try {
      db.transaction(() => {
        for (const s of statements) db.prepare(s.sql).run(...(s.params as unknown[]));
      })();
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: store.databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    for (const s of statements) {
      let n = 0;
      await client.query(s.sql.replace(/\?/g, () => `$${++n}`), s.params);
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}
