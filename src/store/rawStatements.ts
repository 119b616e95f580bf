import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

/**
 * SQLite: the statements a sync writes each document with, prepared once and run on the raw
 * better-sqlite3 handle. Building and compiling a Kysely query cost more CPU than running it (100–150
 * µs of a ~1 ms document on the sync writer thread), for SQL that never changes.
 *
 * Only inside a transaction of the Kysely instance over the same connection: the transaction holds
 * the connection, so a raw statement runs inside it; outside one, a raw write could slip into another
 * flow's transaction (Kysely's driver queues its queries, a raw call does not wait).
 */
export class RawStatements {
  private readonly cache = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly sqlite: BetterSqlite3.Database) {}

  /** The handle to write through for `db`, or undefined: let Kysely run it (not in a transaction). */
  static within(raw: RawStatements | undefined, db: Kysely<Database> | Transaction<Database>): RawStatements | undefined {
    return raw && db.isTransaction ? raw : undefined;
  }

  /** The statement for this SQL, prepared the first time. Kept for good: the callers build a few dozen texts at most (fixed ones, and the shapes of an update). */
  get(source: string): BetterSqlite3.Statement {
    let st = this.cache.get(source);
    if (!st) {
      st = this.sqlite.prepare(source);
      this.cache.set(source, st);
    }
    return st;
  }
}
