// Reading one table's rows, streamed: PostgreSQL through a server-side cursor (DECLARE / FETCH in a
// read-only transaction), MySQL/MariaDB through mysql2's query stream, which pauses the connection while
// kendrite is behind. Identifiers are quoted by each driver's own function (DOUBLE_QUOTES), or written as
// configured (NONE) only because Kendra's pattern for them leaves nothing to escape. Rows come as arrays,
// in the order of the columns asked for. Errors become SourceErrors carrying the database's own code,
// with the password cut out of any message.
import type { Readable } from 'node:stream';
import mysql from 'mysql2';
import pg from 'pg';
import { SourceError } from './contract.js';
import { PLAIN_IDENTIFIER, type DatabaseSource } from './databaseSource.js';

export interface Login {
  username: string;
  password: string;
}

/**
 * Rows per FETCH, and rows mysql2 buffers before pausing the connection. Few, so that a row is parsed
 * shortly before the pipeline takes it: rows parsed 1,000 at a time waited long enough behind each other
 * to survive two young-generation collections, and each row's strings (and what the pipeline made of
 * them) were promoted to the old generation, garbage there until a full collection. A full sync's RSS
 * climbed ~1.2 MB/s until V8 ran one, so a large table peaked higher than a small one. Sampled each
 * second during a sync (young generation at its full 32 MB): the old generation grew 25 -> 51 MB before
 * the first full collection with 1,000 per FETCH and 500 per lookup, 25 -> 27 MB over as long with 100
 * and pipeline.ts's LOOKUP_SIZE 100; the bench's full sync then peaked 202.6 MB at 1,000,000 rows against
 * 191.3 MB at 100,000 (258-263 against 205-229 before, in two runs).
 */
const ROWS_PER_READ = 100;
const CONNECT_TIMEOUT_MS = 10_000;

/** node-pg reads DATE and TIMESTAMP (without time zone) as local time; kendrite reads them as UTC, as mysql2 does here (timezone 'Z'). */
const PG_DATE = 1082;
const PG_TIMESTAMP = 1114;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === PG_DATE) return (v: string) => new Date(`${v}T00:00:00Z`);
    if (oid === PG_TIMESTAMP) return (v: string) => new Date(`${v.replace(' ', 'T')}Z`);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

/** Every row with a non-NULL id, each an array of the values of `columns`, in order. */
export function readRows(source: DatabaseSource, columns: string[], login: Login, signal: AbortSignal): AsyncGenerator<unknown[]> {
  return source.engine === 'postgres' ? postgresRows(source, columns, login, signal) : mysqlRows(source, columns, login, signal);
}

function selectSql(source: DatabaseSource, columns: string[], quote: (name: string) => string): string {
  const q = (name: string) => {
    if (source.quoteIdentifiers) return quote(name);
    // NONE: the name as written (the database folds its case). Kendra's pattern already holds; checked again here.
    if (!PLAIN_IDENTIFIER.test(name)) throw new SourceError(`'${name}' is not a plain identifier; use QueryIdentifiersEnclosingOption DOUBLE_QUOTES.`);
    return name;
  };
  return `SELECT ${columns.map(q).join(', ')} FROM ${q(source.table)} WHERE ${q(source.idColumn)} IS NOT NULL`;
}

async function* postgresRows(source: DatabaseSource, columns: string[], login: Login, signal: AbortSignal): AsyncGenerator<unknown[]> {
  const client = new pg.Client({
    host: source.host, port: source.port, database: source.database, user: login.username, password: login.password,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'kendrite', types: pgTypes,
  });
  // A connection lost between queries is reported by the next query; without a listener it would crash the process.
  client.on('error', () => undefined);
  const cut = () => void client.end().catch(() => undefined);
  signal.addEventListener('abort', cut, { once: true });
  try {
    await client.connect();
    await client.query('BEGIN READ ONLY');
    await client.query(`DECLARE kendrite_rows NO SCROLL CURSOR FOR ${selectSql(source, columns, (n) => client.escapeIdentifier(n))}`);
    for (;;) {
      const r = await client.query<unknown[]>({ text: `FETCH ${ROWS_PER_READ} FROM kendrite_rows`, rowMode: 'array' });
      // Each row let go of by the array as it is handed on. The array outlives young-generation collections
      // while its rows are consumed; once V8 moves it to the old generation, every row it still references
      // survives each young collection (an old object counts as a root until the next full one). Every row
      // of the table was moved to the old generation that way, garbage piling up until a full collection:
      // a no-change resync's RSS grew with the table (+55 MB at 100,000 rows, 2.4 MB per young collection).
      const rows: (unknown[] | undefined)[] = r.rows;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        rows[i] = undefined;
        yield row;
      }
      if (r.rows.length < ROWS_PER_READ) break;
    }
    await client.query('COMMIT');
  } catch (e) {
    if (signal.aborted) throw signal.reason ?? e;
    throw databaseError(e, source, login);
  } finally {
    signal.removeEventListener('abort', cut);
    await client.end().catch(() => undefined);
  }
}

async function* mysqlRows(source: DatabaseSource, columns: string[], login: Login, signal: AbortSignal): AsyncGenerator<unknown[]> {
  const conn = mysql.createConnection({
    host: source.host, port: source.port, database: source.database, user: login.username, password: login.password,
    connectTimeout: CONNECT_TIMEOUT_MS, timezone: 'Z', supportBigNumbers: true, dateStrings: false,
  });
  conn.on('error', () => undefined);
  let stream: Readable | undefined;
  // A destroyed connection does not end its query's stream: the stream is destroyed too, ending the read at once.
  const cut = () => {
    stream?.destroy();
    conn.destroy();
  };
  signal.addEventListener('abort', cut, { once: true });
  const run = (sql: string) => new Promise<void>((resolve, reject) => conn.query(sql, (e) => (e ? reject(e) : resolve())));
  try {
    await new Promise<void>((resolve, reject) => conn.connect((e) => (e ? reject(e) : resolve())));
    // The stream pauses while kendrite writes a batch; the server must not drop a connection that waits.
    await run('SET SESSION net_write_timeout = 3600');
    await run('START TRANSACTION READ ONLY');
    stream = conn.query({ sql: selectSql(source, columns, (n) => mysql.escapeId(n)), rowsAsArray: true }).stream({ highWaterMark: ROWS_PER_READ });
    if (signal.aborted) cut();
    for await (const row of stream as AsyncIterable<unknown[]>) yield row;
    await run('COMMIT');
  } catch (e) {
    if (signal.aborted) throw signal.reason ?? e;
    throw databaseError(e, source, login);
  } finally {
    signal.removeEventListener('abort', cut);
    conn.destroy();
  }
}

/** The database's refusal as a whole-source failure: its own code (28P01, 42P01, ER_ACCESS_DENIED_ERROR…) and message, never the password. */
function databaseError(e: unknown, source: DatabaseSource, login: Login): SourceError {
  if (e instanceof SourceError) return e;
  const err = e as { code?: string; errno?: number; message?: string };
  const code = err.code ?? (err.errno !== undefined ? String(err.errno) : undefined);
  let message = err.message ?? String(e);
  if (login.password) message = message.split(login.password).join('***');
  const where = `${source.engine === 'postgres' ? 'PostgreSQL' : 'MySQL'} database ${source.database} at ${source.host}:${source.port}`;
  const hint = HINTS[code ?? ''] ?? '';
  return new SourceError(`kendrite could not read the table ${source.table} of the ${where}: ${code ? `${code}: ` : ''}${message}.${hint}`, code);
}

const LOGIN = ' Check the username and password in the secret named by ConnectionConfiguration.SecretArn.';
const TABLE = ' Check ConnectionConfiguration.TableName and the column names (with QueryIdentifiersEnclosingOption NONE the database folds their case).';
const HINTS: Record<string, string> = {
  '28P01': LOGIN, '28000': LOGIN, ER_ACCESS_DENIED_ERROR: LOGIN, ER_DBACCESS_DENIED_ERROR: LOGIN,
  '42P01': TABLE, '42703': TABLE, ER_NO_SUCH_TABLE: TABLE, ER_BAD_FIELD_ERROR: TABLE,
  '3D000': ' Check ConnectionConfiguration.DatabaseName.', ER_BAD_DB_ERROR: ' Check ConnectionConfiguration.DatabaseName.',
  ECONNREFUSED: ' Check DatabaseHost and DatabasePort, and that the database is up.',
};
