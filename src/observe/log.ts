// The one logger of a kendrite process (made in app.ts, handed down like the clock and the store):
// JSON lines by pino, or pino-pretty's readable lines when a person watches the terminal. No
// transport thread. JSON lines are gathered as bytes and written together (FLUSH_BYTES of them, or
// what there is once FLUSH_MS has passed), so that the line each request logs costs it no system call of its own
// (a write to a pipe per request was a quarter of GetQuerySuggestions' time); what is still
// gathered is written when the process exits (an exit hook of this module's), so nothing is lost
// at exit, crashes included. Readable lines (a person at a terminal) are written at once.
import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

export type Log = Logger;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * JSON lines are written once this many bytes are waiting, or once FLUSH_MS has passed since the last
 * write: at thousands of requests a second, a write every few dozen milliseconds (each wakes a thread
 * of the pool) rather than every few dozen requests. The write that time calls for is made by the
 * next line written (a request's line is written after its answer, so the write falls between
 * requests), or by a timer when no line comes: a line waits at most twice FLUSH_MS. (A timer alone
 * wrote at moments of its own, a 55 KB write in the middle of whichever request was being served.)
 */
const FLUSH_BYTES = 64 * 1024;
const FLUSH_MS = 100;

/**
 * Field names whose values are never written, wherever they appear in a line: a line may carry an
 * error or a configuration by mistake, and a secret must not reach a log file.
 */
const REDACTED = ['secretAccessKey', 'password', 'token', 'authorization', 'Token', 'Password', 'SecretArn', 'connectionString'];

/**
 * `fd` 2 (stderr) by default: stdout carries what the CLI prints for the operator (the listening
 * line). `format` 'auto' is readable on a terminal and JSON otherwise.
 */
export function createLog(opts: { level: LogLevel; format?: 'json' | 'pretty' | 'auto'; destination?: DestinationStream; fd?: number }): Log {
  const fd = opts.fd ?? 2;
  const format = opts.format ?? 'auto';
  const readable = format === 'pretty' || (format === 'auto' && !opts.destination && isTerminal(fd));
  const gathered = readable || opts.destination ? undefined : new GatheredLines(pino.destination({ fd, sync: true, contentMode: 'buffer' }) as unknown as Sink);
  const destination = readable
    ? pretty({ destination: fd, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
    : (opts.destination ?? gathered!);
  const log = pino(
    {
      level: opts.level,
      base: { pid: process.pid },
      timestamp: isoTime,
      redact: { paths: REDACTED.flatMap((k) => [k, `*.${k}`]), censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  if (gathered) gatheredOf.set(log, gathered);
  return log;
}

const gatheredOf = new WeakMap<Log, GatheredLines>();

/**
 * Where a logger made by createLog writes its JSON lines, for a line formatted without pino
 * (requestLine.ts): undefined when its lines are readable ones or go to a destination of the caller's.
 */
export function jsonLinesOf(log: Log): { write(line: string): void } | undefined {
  return gatheredOf.get(log);
}

// SonicBoom's file descriptor, `destroyed` (set once it is closed) and its buffer mode's write are missing from its types.
type Sink = Omit<ReturnType<typeof pino.destination>, 'write'> & { fd: number; destroyed?: boolean; write(bytes: Buffer): boolean };

/**
 * JSON lines gathered as bytes, then written together by pino's file writer (SonicBoom, in its buffer
 * mode, synchronously), on this thread. Each line is encoded once, into the buffer being filled; the
 * writer takes that buffer as it is. (Lines gathered as strings were joined, and the joined text
 * encoded by fs.write and again by SonicBoom once written: three passes over 64 KB on the request
 * thread per hand-over. Nor by SonicBoom's own minLength: it measured everything waiting on every
 * write, 6 µs a request line.) Synchronously: an asynchronous write woke a thread of the pool for each
 * hand-over, and one still in that thread's hands when the process ended (a crash, process.exit) was
 * lost, as pino's exit hook cannot wait for it. A reader that stops reading a pipe stops the process,
 * as pino's default (synchronous) destination does. What is gathered is written when the process exits.
 */
class GatheredLines implements DestinationStream {
  private bytes = Buffer.allocUnsafe(FLUSH_BYTES);
  private used = 0;
  /** When the last hand-over was (performance.now()). */
  private handedAt = performance.now();

  constructor(private readonly sink: Sink) {
    setInterval(() => this.handOverIfDue(), FLUSH_MS).unref();
    gathering.add(this);
  }

  write(line: string): void {
    // A UTF-8 character takes at most three bytes per UTF-16 unit: a line that may not fit waits for the next buffer.
    if (this.used + line.length * 3 > this.bytes.length) {
      this.handOver();
      if (line.length * 3 > this.bytes.length) {
        if (!this.sink.destroyed) this.sink.write(Buffer.from(line));
        return;
      }
    }
    this.used += this.bytes.write(line, this.used);
    this.handOverIfDue();
  }

  private handOverIfDue(): void {
    if (performance.now() - this.handedAt >= FLUSH_MS) this.handOver();
  }

  handOver(): void {
    this.handedAt = performance.now();
    // Once the writer is closed there is nothing left to write to (as pino's own lines then).
    // Nothing gathered (an idle server): nothing to do.
    if (this.sink.destroyed || !this.used) return;
    // Written before write returns: the buffer is free again at once.
    this.sink.write(this.bytes.subarray(0, this.used));
    this.used = 0;
  }
}

/** Every GatheredLines made (each lives as long as the process: its timer holds it), written out at exit, crashes included. */
const gathering = new Set<GatheredLines>();
process.on('exit', () => {
  for (const g of gathering) {
    try {
      g.handOver();
    } catch {
      // Dropped: the process is exiting, and the log is where it would have said so.
    }
  }
});

let isoAt = NaN;
let isoField = '';
let secondAt = NaN;
let secondText = '';
/**
 * pino's isoTime field (`,"time":"2026-12-06T19:49:06.679Z"`), formatted once per millisecond (a
 * busy server logs several lines in one), and its date and time to the second once per second: one
 * line a millisecond, as one client's requests come, cost a Date and its ISO text each.
 */
export function isoTime(): string {
  const now = Date.now();
  if (now !== isoAt) {
    isoAt = now;
    const ms = now % 1000;
    if (now - ms !== secondAt) {
      secondAt = now - ms;
      // Up to the seconds and the point: `2026-12-06T19:49:06.`
      secondText = `,"time":"${new Date(secondAt).toISOString().slice(0, 20)}`;
    }
    isoField = `${secondText}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
  }
  return isoField;
}

/** A logger that writes nothing (tests and tools that start parts without a process). */
export const silentLog: Log = pino({ level: 'silent' });

function isTerminal(fd: number): boolean {
  return fd === 1 ? process.stdout.isTTY === true : fd === 2 ? process.stderr.isTTY === true : false;
}

/** An error as a log field: its message, and its stack only for faults of kendrite's own. */
export function errorField(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
