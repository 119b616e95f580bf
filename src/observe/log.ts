// The one logger of a kendrite process (made in app.ts, handed down like the clock and the store):
// JSON lines by pino, or pino-pretty's readable lines when a person watches the terminal. No
// transport thread. JSON lines are gathered and written together (FLUSH_BYTES of them, or what
// there is every FLUSH_MS), so that the line each request logs costs it no system call of its own
// (a write to a pipe per request was a quarter of GetQuerySuggestions' time); what is still
// gathered is written synchronously when the process exits (pino's exit hook), so nothing is lost
// at exit, crashes included. Readable lines (a person at a terminal) are written at once.
import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

export type Log = Logger;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** JSON lines are written once this many bytes are waiting, or every FLUSH_MS. */
const FLUSH_BYTES = 4096;
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
  const destination = readable
    ? pretty({ destination: fd, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
    : (opts.destination ?? pino.destination({ fd, sync: false, minLength: FLUSH_BYTES, periodicFlush: FLUSH_MS }));
  return pino(
    {
      level: opts.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED.flatMap((k) => [k, `*.${k}`]), censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
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
