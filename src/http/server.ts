import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KendraError } from '../protocol/errors.js';
import { serializeOutput } from '../protocol/serialize.js';
import type { Caller } from './auth.js';
import { authorize, type Authenticator } from './auth.js';
import { readBody } from './body.js';
import type { Throttle } from './throttle.js';

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

export interface RequestContext {
  caller: Caller;
  requestId: string;
}

/** One target prefix's operations: parses and validates the input, then runs the handler. */
export interface Service {
  prefix: string;
  has(operation: string): boolean;
  invoke(operation: string, body: unknown, ctx: RequestContext): Promise<unknown>;
}

export interface HttpOptions {
  authenticator: Authenticator;
  throttle: Throttle;
  services: Service[];
  maxBodyBytes: number;
  health: () => Promise<unknown>;
  log?: (line: Record<string, unknown>) => void;
}

/** The http layer: request in → bytes out. Routing by X-Amz-Target, SigV4, body limits, request ids. */
export function createHttpServer(opts: HttpOptions): http.Server {
  const server = http.createServer((req, res) => {
    const requestId = randomUUID();
    handle(req, requestId, opts).then(
      (body) => sendSoon(res, 200, requestId, body),
      (err: unknown) => {
        const e = err instanceof KendraError ? err : internal(err, opts.log, requestId);
        sendSoon(res, e.status, requestId, JSON.stringify({ __type: e.code, message: e.message }), e.code);
      },
    );
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

async function handle(req: http.IncomingMessage, requestId: string, opts: HttpOptions): Promise<string | Buffer> {
  if (req.method === 'GET' && (req.url === '/health' || req.url === '/health/')) return JSON.stringify(await opts.health());
  if (req.method !== 'POST') throw new KendraError('UnknownOperationException', `Only POST / is served (and GET /health); got ${req.method} ${req.url}.`);
  const raw = await readBody(req, opts.maxBodyBytes);
  const caller = await opts.authenticator.authenticate({ method: 'POST', path: req.url ?? '/', headers: req.headers, body: raw });
  const header = req.headers['x-amz-target'];
  const target = typeof header === 'string' ? header : '';
  const dot = target.lastIndexOf('.');
  const prefix = dot > 0 ? target.slice(0, dot) : '';
  const service = dot > 0 ? opts.services.find((s) => s.prefix === prefix) : undefined;
  const operation = dot > 0 ? target.slice(dot + 1) : '';
  if (!service || !service.has(operation))
    throw new KendraError('UnknownOperationException', target ? `Unknown operation ${target}.` : 'Missing X-Amz-Target header.');
  authorize(caller, operation);
  opts.throttle.check(caller.accountId, operation);
  const output = await service.invoke(operation, parseJson(raw), { caller, requestId });
  return serializeOutput(output);
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new KendraError('SerializationException', `Request body is not valid JSON: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new KendraError('SerializationException', 'Request body must be a JSON object.');
  return value;
}

type Reply = [res: http.ServerResponse, status: number, requestId: string, body: string | Buffer, errorType?: string];
let replies: Reply[] = [];

let heldSince = 0;
/** Longest a finished response waits for the others of its turn. */
const MAX_HOLD_MS = 1;

/**
 * Responses are written together once the event loop has run every callback of its turn (the
 * requests whose bytes arrived together), not one by one as each is ready: one burst of writes
 * wakes a waiting client once, where interleaved writes wake it again for every response. Under
 * load from many connections this halves the system time per request; an idle server replies in
 * the same turn as before. A turn of slow requests (queries) does not hold the first answers back
 * for more than MAX_HOLD_MS.
 */
function sendSoon(...reply: Reply): void {
  if (replies.length === 0) {
    setImmediate(flushReplies);
    heldSince = performance.now();
  }
  replies.push(reply);
  if (performance.now() - heldSince > MAX_HOLD_MS) flushReplies();
}

function flushReplies(): void {
  const batch = replies;
  replies = [];
  for (const r of batch) send(...r);
}

function send(res: http.ServerResponse, status: number, requestId: string, body: string | Buffer, errorType?: string): void {
  const headers: http.OutgoingHttpHeaders = {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
    'x-amzn-requestid': requestId,
  };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(body);
}

function internal(err: unknown, log: HttpOptions['log'], requestId: string): KendraError {
  log?.({ level: 'error', requestId, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return new KendraError('InternalServerException', `Internal server error (request id ${requestId}).`);
}

export async function listen(server: http.Server, port: number, host: string): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server.address() as AddressInfo;
}
