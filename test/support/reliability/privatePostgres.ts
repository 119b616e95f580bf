/**
 * A PostgreSQL cluster of the suite's own (initdb + pg_ctl from /usr/lib/postgresql/<version>/bin, in
 * a temp dir, on a free loopback port), so that a restart under load can run in tests without
 * disturbing anyone else's use of the machine's PostgreSQL. As root, the server binaries run as the
 * `postgres` user (initdb refuses root).
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../process.js';

const run = promisify(execFile);

/** The newest installed PostgreSQL's bin directory, or undefined. */
export function postgresBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], 'bin') : undefined;
}

/** Why a private cluster cannot run here, or undefined when it can. */
export function privatePostgresSkip(): string | undefined {
  if (!postgresBin()) return 'skipped: no PostgreSQL server binaries under /usr/lib/postgresql';
  if (process.getuid?.() === 0) {
    try {
      statSync('/usr/sbin/runuser');
    } catch {
      return 'skipped: running as root without runuser to drop to the postgres user';
    }
  }
  return undefined;
}

export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  /** `postgres://postgres@127.0.0.1:<port>/postgres`: the admin URL TestStore takes. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(): Promise<PrivatePostgres> {
    const bin = postgresBin()!;
    const dir = mkdtempSync(path.join(tmpdir(), 'kendrite-pg-'));
    const pg = new PrivatePostgres(dir, await freePort(), bin);
    if (process.getuid?.() === 0) chownSync(dir, ...(await postgresIds()));
    await pg.as('initdb', ['-D', pg.data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    await pg.ctl('start');
    return pg;
  }

  private get data(): string {
    return path.join(this.dir, 'data');
  }

  private async as(tool: string, args: string[]): Promise<void> {
    const cmd = path.join(this.bin, tool);
    if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', cmd, ...args], { cwd: this.dir });
    else await run(cmd, args, { cwd: this.dir });
  }

  private ctl(action: 'start' | 'restart', mode = 'fast'): Promise<void> {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    return this.as('pg_ctl', [action, '-D', this.data, '-l', path.join(this.dir, 'log'), '-m', mode, '-w', '-t', '60', '-o', opts]);
  }

  /** `pg_ctl restart -m fast`: every connection ended, the server down a moment, then back. */
  restart(): Promise<void> {
    return this.ctl('restart');
  }

  async destroy(): Promise<void> {
    await this.as('pg_ctl', ['stop', '-D', this.data, '-m', 'immediate', '-w']).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function postgresIds(): Promise<[number, number]> {
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return [Number(stdout.trim()), Number(gid.trim())];
}
