// Source databases for the DATABASE connector's tests: a uniquely named database on the machine's
// PostgreSQL (KENDRITE_TEST_POSTGRES_URL) or MariaDB/MySQL (KENDRITE_TEST_MYSQL_URL), dropped at the end.
import { createServer, type Server } from 'node:net';
import mysql from 'mysql2/promise';
import pg from 'pg';

export type Engine = 'postgres' | 'mysql';

export interface SourceDatabase {
  engine: Engine;
  name: string;
  host: string;
  port: number;
  /** The login the database accepts. */
  username: string;
  password: string;
  exec(sql: string, params?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

/** Why an engine cannot be tested here, if it cannot. */
export function engineSkip(engine: Engine): string | undefined {
  const v = engine === 'postgres' ? 'KENDRITE_TEST_POSTGRES_URL' : 'KENDRITE_TEST_MYSQL_URL';
  return process.env[v] ? undefined : `skipped: ${v} not set`;
}

export async function createSourceDatabase(engine: Engine, tag: string): Promise<SourceDatabase> {
  const name = `kendrite_src_${tag}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  if (engine === 'postgres') {
    const admin = new URL(process.env.KENDRITE_TEST_POSTGRES_URL!);
    const a = new pg.Client({ connectionString: admin.toString() });
    await a.connect();
    await a.query(`CREATE DATABASE ${name}`);
    const url = new URL(admin);
    url.pathname = `/${name}`;
    const c = new pg.Client({ connectionString: url.toString() });
    await c.connect();
    return {
      engine, name, host: admin.hostname, port: Number(admin.port || 5432), username: decodeURIComponent(admin.username), password: decodeURIComponent(admin.password),
      exec: async (sql, params) => void (await c.query(sql, params)),
      close: async () => {
        await c.end();
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.end();
      },
    };
  }
  const admin = new URL(process.env.KENDRITE_TEST_MYSQL_URL!);
  const opts = { host: admin.hostname, port: Number(admin.port || 3306), user: decodeURIComponent(admin.username), password: decodeURIComponent(admin.password) };
  const a = await mysql.createConnection(opts);
  await a.query(`CREATE DATABASE ${name}`);
  const c = await mysql.createConnection({ ...opts, database: name });
  return {
    engine, name, host: opts.host, port: opts.port, username: opts.user, password: opts.password,
    exec: async (sql, params) => void (await c.query(sql, params)),
    close: async () => {
      await c.end();
      await a.query(`DROP DATABASE IF EXISTS ${name}`);
      await a.end();
    },
  };
}

/**
 * A PostgreSQL server that refuses every password with 28P01, quoting the password it was sent in its
 * message. The machine's PostgreSQL trusts loopback logins, so it cannot refuse a wrong password: this
 * speaks the real protocol (startup, cleartext password request, ErrorResponse) to the real driver.
 */
export async function refusingPostgres(): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((socket) => {
    let buf = Buffer.alloc(0);
    let started = false;
    socket.on('error', () => undefined);
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (!started) {
        if (buf.length < 4 || buf.length < buf.readInt32BE(0)) return;
        buf = buf.subarray(buf.readInt32BE(0));
        started = true;
        const auth = Buffer.alloc(9);
        auth.write('R', 0);
        auth.writeInt32BE(8, 1);
        auth.writeInt32BE(3, 5); // AuthenticationCleartextPassword
        socket.write(auth);
      }
      if (buf.length < 5 || buf.length < 1 + buf.readInt32BE(1)) return;
      const password = buf.subarray(5, buf.indexOf(0, 5)).toString();
      const fields = ['SFATAL', 'VFATAL', 'C28P01', `Mpassword authentication failed for user "kendrite" (it sent "${password}")`];
      const body = Buffer.concat([...fields.map((f) => Buffer.from(`${f}\0`)), Buffer.from([0])]);
      const head = Buffer.alloc(5);
      head.write('E', 0);
      head.writeInt32BE(body.length + 4, 1);
      socket.end(Buffer.concat([head, body]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
