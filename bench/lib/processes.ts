import { fork, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CannedResponse } from './baselineServer.js';

/** Every child this run started, so that an interrupted run leaves none behind. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function track(child: ChildProcess): Promise<void> {
  children.add(child);
  return new Promise((resolve) =>
    child.once('exit', () => {
      children.delete(child);
      resolve();
    }),
  );
}

export interface KendriteProcess {
  url: string;
  host: string;
  port: number;
  pid: number;
  /** Graceful stop (SIGTERM), waiting for the process to exit. */
  stop(): Promise<void>;
}

/**
 * `kendrite serve --port 0` as an operator runs it, from the compiled CLI. Its log (stderr) goes to
 * `kendrite-stderr.log` in its data dir, as an operator's would go to a file: read through a pipe, the
 * lines (thousands a second under load) would be decoded in this process, the one timing the requests.
 */
export async function startKendrite(o: {
  repoRoot: string;
  dataDir: string;
  configFile?: string;
  env?: Record<string, string>;
  /** Flags for node itself, e.g. --cpu-prof (which NODE_OPTIONS does not accept). */
  nodeArgs?: string[];
}): Promise<KendriteProcess> {
  const args = [...(o.nodeArgs ?? []), path.join(o.repoRoot, 'dist/src/cli/main.js'), 'serve', '--port', '0', '--data-dir', o.dataDir];
  if (o.configFile) args.push('--config', o.configFile);
  mkdirSync(o.dataDir, { recursive: true });
  const logFile = path.join(o.dataDir, 'kendrite-stderr.log');
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, { env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', log] });
  closeSync(log);
  const exited = track(child);
  const stderrTail = () => readFileSync(logFile, 'utf8').slice(-16_000);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`kendrite exited with ${code} before listening:\n${stderrTail()}`)));
  });
  const u = new URL(url);
  return {
    url,
    host: u.hostname,
    port: Number(u.port),
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface BaselineProcess {
  host: string;
  port: number;
  pid: number;
  /** From now on, every request is answered with this response. */
  respondWith(response: CannedResponse): Promise<void>;
  stop(): Promise<void>;
}

const BASELINE_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'baselineServer.js');

export async function startBaseline(): Promise<BaselineProcess> {
  const child = fork(BASELINE_SCRIPT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = track(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { listening?: number }) => (m.listening ? resolve(m.listening) : reject(new Error('baseline: unexpected first message'))));
    child.once('exit', (code) => reject(new Error(`baseline server exited with ${code} before listening`)));
  });
  return {
    host: '127.0.0.1',
    port,
    pid: child.pid!,
    respondWith(response) {
      return new Promise((resolve) => {
        child.once('message', () => resolve());
        child.send(response);
      });
    },
    async stop() {
      child.disconnect();
      await exited;
    },
  };
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux kernel built for general use

/** CPU time (user + system) a process has used so far, in ms; NaN when /proc is not there. */
export function cpuTimeMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may contain spaces: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** A memory figure of a process from /proc/<pid>/status (VmHWM: peak RSS; VmRSS: now), in MB. */
export function memoryMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Polls `check` every `everyMs` until it is true (an hour at most). */
export async function until(check: () => Promise<boolean>, everyMs = 20, ms = 3_600_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
