/**
 * The line every API request logs (msg "request"): the text pino writes for it — level, time, pid,
 * the fields below, msg — formatted here for kendrite's own JSON lines (log.ts), without pino's
 * generic pass over an object per line (its cost and its garbage, a request's largest after the
 * answer's; what a request allocates sets how often the young generation is collected). Readable
 * lines, and lines sent to a destination of the caller's, are still pino's.
 */
import { jsonString } from '../protocol/jsonString.js';
import { isoTime, jsonLinesOf, type Log } from './log.js';

/** What the record of an API request's answer holds (http/server.ts): by whom, what, how it ended and how long it took. */
export interface RequestLine {
  requestId: string;
  /** The operation (`Query`), or the route (`GET /health`); `(unknown)` for a target no service has. */
  operation: string;
  status: number;
  errorType?: string;
  /** Milliseconds; the line shows them to a tenth. */
  ms: number;
  account?: string;
}

export type RequestLevel = 'debug' | 'info' | 'error';

/** Writes request lines to `log`'s destination at the level given (nothing when the level is off). */
export function requestLineWriter(log: Log): (level: RequestLevel, line: RequestLine) => void {
  const lines = jsonLinesOf(log);
  // The request line's fields are the ones named above, none a secret: it skips the redaction every other line goes through.
  const viaPino = log.child({}, { redact: [] });
  if (!lines) return (level, line) => viaPino[level]({ ...line, ms: tenths(line.ms) }, 'request');
  // pino's base fields (log.ts): the process id, after the time.
  const pid = `,"pid":${process.pid}`;
  return (level, l) => {
    if (!log.isLevelEnabled(level)) return;
    let text = `{"level":"${level}"${isoTime()}${pid},"requestId":${jsonString(l.requestId)},"operation":${jsonString(l.operation)},"status":${l.status}`;
    if (l.errorType !== undefined) text += `,"errorType":${jsonString(l.errorType)}`;
    text += `,"ms":${tenths(l.ms)}`;
    if (l.account !== undefined) text += `,"account":${jsonString(l.account)}`;
    lines.write(`${text},"msg":"request"}\n`);
  };
}

function tenths(ms: number): number {
  return Math.round(ms * 10) / 10;
}
