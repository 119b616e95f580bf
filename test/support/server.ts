import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { KendraClient } from '@aws-sdk/client-kendra';
import pg from 'pg';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = path.join(REPO_ROOT, 'dist/src/cli/main.js');

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** Why this backend cannot run here, if it cannot. */
  skip?: string;
}

/** SQLite always; PostgreSQL when KENDRITE_TEST_POSTGRES_URL is set (.ci/run sets it). */
export function backends(): Backend[] {
  return [
    { name: 'sqlite' },
    { name: 'postgres', skip: process.env.KENDRITE_TEST_POSTGRES_URL ? undefined : 'skipped: KENDRITE_TEST_POSTGRES_URL not set' },
  ];
}

/**
 * describe(), or, when `skip` says why the group cannot run here, one skipped test of the same name:
 * node's runner counts skipped tests but not skipped suites, so a skipped describe() would leave
 * the summary saying `skipped 0`.
 */
export function describeOrSkip(name: string, opts: { skip?: string | false }, fn: () => void): void {
  if (opts.skip) test(name, { skip: opts.skip }, () => {});
  else describe(name, fn);
}

/** A fresh, empty place to keep state: a temp dir for SQLite, a new database for PostgreSQL. */
export class TestStore {
  private constructor(
    readonly backend: Backend['name'],
    readonly dataDir: string,
    readonly databaseUrl: string | undefined,
    private readonly dropDb?: () => Promise<void>,
  ) {}

  /** `adminUrl`: another PostgreSQL than KENDRITE_TEST_POSTGRES_URL's (the reliability suite's own cluster). */
  static async create(backend: Backend['name'], adminUrl?: string): Promise<TestStore> {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'kendrite-test-'));
    if (backend === 'sqlite') return new TestStore(backend, dataDir, undefined);
    const admin = adminUrl ?? process.env.KENDRITE_TEST_POSTGRES_URL!;
    const name = `kendrite_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    const url = new URL(admin);
    url.pathname = `/${name}`;
    return new TestStore(backend, dataDir, url.toString(), async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    });
  }

  async destroy(): Promise<void> {
    await this.dropDb?.();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export interface ServerOptions {
  config?: Record<string, unknown>;
  env?: Record<string, string>;
  /** A command the server runs under (e.g. `unshare … --`), given before node; signals go to both (a process group). */
  wrap?: string[];
  /** The CLI script to run (default: this tree's dist/src/cli/main.js), e.g. that of a copy of dist/. */
  cli?: string;
}

/** A kendrite server in its own process, as a user runs it (`kendrite serve`). */
export class TestServer {
  private exited: Promise<number | null>;
  private constructor(
    readonly proc: ChildProcess,
    readonly url: string,
    readonly logs: string[],
    /** Started under a wrapping command, in a process group of its own. */
    private readonly grouped = false,
  ) {
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  }

  static async start(store: TestStore, opts: ServerOptions = {}): Promise<TestServer> {
    const args = [opts.cli ?? CLI, 'serve', '--port', '0', '--data-dir', store.dataDir];
    if (store.databaseUrl) args.push('--database-url', store.databaseUrl);
    if (opts.config) {
      const file = path.join(store.dataDir, `config-${Date.now()}.json`);
      writeFileSync(file, JSON.stringify(opts.config));
      args.push('--config', file);
    }
    const [command, ...wrapArgs] = [...(opts.wrap ?? []), process.execPath];
    const proc = spawn(command!, [...wrapArgs, ...args], {
      env: { ...process.env, KENDRITE_TRANSITION_DELAY_MS: '250', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: opts.wrap !== undefined,
    });
    const logs: string[] = [];
    proc.stderr!.on('data', (d: Buffer) => logs.push(d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      proc.once('exit', (code) => reject(new Error(`kendrite exited with ${code} before listening:\n${logs.join('')}`)));
    });
    return new TestServer(proc, url, logs, opts.wrap !== undefined);
  }

  /** Graceful stop (SIGTERM), as an operator would. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    this.signal('SIGTERM');
    await this.exited;
  }

  /** A crash: SIGKILL, nothing flushed, nothing cleaned up. */
  async kill(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    this.signal('SIGKILL');
    await this.exited;
  }

  /** To the server, and to the command it runs under if any (its own process group). */
  private signal(signal: NodeJS.Signals): void {
    if (this.grouped) process.kill(-this.proc.pid!, signal);
    else this.proc.kill(signal);
  }

  client(credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' }, region = 'us-east-1'): KendraClient {
    // A copy: the SDK marks the object it is given (`$source`), and tests reuse theirs in config files.
    return new KendraClient({ endpoint: this.url, region, credentials: { ...credentials }, maxAttempts: 1 });
  }
}

/** Polls until `check` returns a value (not undefined), or fails after `ms`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
