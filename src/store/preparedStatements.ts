import { createHash } from 'node:crypto';
import { CompiledQuery, type Kysely, type QueryResult, type Transaction } from 'kysely';
import type pg from 'pg';
import { RawStatements } from './rawStatements.js';
import type { Database } from './schema.js';

/**
 * PostgreSQL: the statements a sync writes each document (and each batch) with, prepared once per
 * connection. Kysely's driver sends every query unnamed, which PostgreSQL parses, analyses and plans
 * anew at each run: for a sync's small writes that cost the backends about as much CPU as running them
 * (parse and bind were 45 % of a FILESYSTEM sync's backend CPU). A statement of prepared() is sent
 * named (the name made from its text): each connection parses it once, and from its sixth run
 * PostgreSQL keeps a generic plan when that costs no more than the custom ones.
 *
 * Fixed texts only (and the few shapes of a document's update): each stays prepared in every backend of
 * the pool for as long as the connection lasts.
 */
const STATEMENTS = new Map<string, PreparedStatement>();

type Db = Kysely<Database> | Transaction<Database>;

export class PreparedStatement {
  /** The name each connection prepares it under, made from its text. */
  readonly name: string;

  constructor(readonly text: string) {
    this.name = `kendrite_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
  }

  execute<R>(db: Db, parameters: readonly unknown[]): Promise<QueryResult<R>> {
    return db.executeQuery<R>(CompiledQuery.raw(this.text, [...parameters]));
  }
}

/** The statement of this text (PostgreSQL's $1… parameters), registered the first time. */
export function prepared(text: string): PreparedStatement {
  let s = STATEMENTS.get(text);
  if (!s) {
    s = new PreparedStatement(text);
    STATEMENTS.set(text, s);
  }
  return s;
}

/**
 * A sync's write written once, with SQLite's `?` parameters: SQLite runs the text as it is (through the raw handle
 * inside a transaction, else through Kysely), PostgreSQL the same text numbered ($1…) and prepared. The text holds no
 * `?` but its parameters.
 */
export class WriteStatement {
  private readonly postgres: PreparedStatement;

  constructor(readonly text: string) {
    let n = 0;
    this.postgres = prepared(text.replace(/\?/g, () => `$${++n}`));
  }

  /** Runs it; the rows it changed. */
  async changes(db: Db, raw: RawStatements | undefined, sqlite: boolean, parameters: unknown[]): Promise<number> {
    const within = RawStatements.within(raw, db);
    if (within) return within.get(this.text).run(...parameters).changes;
    const r = await (sqlite ? db.executeQuery(CompiledQuery.raw(this.text, parameters)) : this.postgres.execute(db, parameters));
    return Number(r.numAffectedRows ?? 0n);
  }
}

type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/** Every connection of `pool` sends the statements of prepared() by name (the rest as they come). */
export function preparingStatements(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as Query;
    const named: Query = (config, values, callback) => {
      const name = typeof config === 'string' ? STATEMENTS.get(config)?.name : undefined;
      return name ? query({ name, text: config, values }, callback) : query(config, values, callback);
    };
    client.query = named as typeof client.query;
  });
}
