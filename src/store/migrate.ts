import { sql, type Transaction } from 'kysely';
import type { Connection } from './database.js';
import { POSTGRES_MIGRATIONS } from './migrations/postgres.js';
import { SQLITE_MIGRATIONS } from './migrations/sqlite.js';
import type { Database } from './schema.js';

/** A statement, or a step that needs kendrite's own code (re-analysing stored text), run inside the migration's transaction. */
export type MigrationStep = string | ((trx: Transaction<Database>) => Promise<void>);

/**
 * Brings the schema to the newest version. Safe to run twice and from several processes at once:
 * on PostgreSQL the whole run holds an advisory lock; on SQLite the transaction is immediate.
 */
export async function migrate(conn: Connection): Promise<number> {
  const steps = conn.dialect === 'postgres' ? POSTGRES_MIGRATIONS : SQLITE_MIGRATIONS;
  return conn.db.transaction().execute(async (trx) => {
    if (conn.dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(4580)`.execute(trx);
    await sql`CREATE TABLE IF NOT EXISTS kendrite_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`.execute(trx);
    const done = await sql<{ version: number }>`SELECT version FROM kendrite_migrations`.execute(trx);
    const applied = new Set(done.rows.map((r) => Number(r.version)));
    let count = 0;
    for (const [i, statements] of steps.entries()) {
      const version = i + 1;
      if (applied.has(version)) continue;
      for (const step of statements) await (typeof step === 'string' ? sql.raw(step).execute(trx) : step(trx));
      await sql`INSERT INTO kendrite_migrations (version, applied_at) VALUES (${version}, ${Date.now()})`.execute(trx);
      count++;
    }
    return count;
  });
}
