import { randomUUID } from 'node:crypto';
import http, { STATUS_CODES } from 'node:http';
import { setMaxListeners } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { KendraError } from '../protocol/errors.js';
import { refuseInexactIntegers } from '../protocol/jsonIntegers.js';
import { serializeOutput } from '../protocol/serialize.js';
import { uuid } from '../protocol/uuid.js';
import type { Caller } from './auth.js';
import { authorize, type Authenticator } from './auth.js';
import { readBody } from './body.js';
import { byteLength, createFront, type PlainRequest, type Reply, type Respond } from './http1.js';
import type { Throttle } from './throttle.js';
import { errorField, type Log } from '../observe/log.js';
import type { RequestLine } from '../observe/requestLine.js';

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
/** P-1: the media types a request body may declare (parameters such as charset aside). */
const ACCEPTED_CONTENT_TYPES = new Set([JSON_CONTENT_TYPE, 'application/x-amz-json-1.0', 'application/json']);

export interface RequestContext {
  caller: Caller;
  requestId: string;
  /** Aborted once the client has closed its connection (its side of it, on kendrite's own framing): work that can be cancelled is. */
  signal?: AbortSignal;
}

/** One target prefix's operations: parses and validates the input, then runs the handler. */
export interface Service {
  prefix: string;
  has(operation: string): boolean;
  /** The output, or a promise of it: an output known at once is returned as it is (the request then takes no turn of the event loop). */
  invoke(operation: string, body: unknown, ctx: RequestContext): unknown;
}

export interface HttpOptions {
  authenticator: Authenticator;
  throttle: Throttle;
  services: Service[];
  maxBodyBytes: number;
  /** GET /health: the status code and the JSON body saying what was checked. */
  health: () => Promise<{ status: number; body: unknown }>;
  /** GET /metrics on this port (only when the operator asks for it there): Prometheus's text. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** An idle connection is closed after this long (default 65 s, beyond common load balancers' 60 s). */
  keepAliveMs?: number;
  log?: Log;
  /** The web console's pages (`/console…`): a reply, or undefined for any other target. */
  console?: (request: PlainRequest) => Promise<Reply> | undefined;
  /** Told of every answer: what was asked, by whom, how it ended and how long it took (never a body). */
  onAnswered?: (a: Answered) => void;
}

export type Answered = RequestLine;

/** What handling a request learnt of it, for its answer's record. */
interface Seen {
  operation?: string;
  account?: string;
}

/** The HTTP front: plain requests on kendrite's own HTTP/1.1 framing, anything else on node:http. */
export interface HttpServer {
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting and closes every connection. */
  close(): Promise<void>;
}

const DEFAULT_KEEP_ALIVE_MS = 65_000;

/** The http layer: request in → bytes out. Routing by X-Amz-Target, SigV4, body limits, request ids. */
export function createHttpServer(opts: HttpOptions): HttpServer {
  const record = (requestId: string, started: number, seen: Seen, r: Reply): void => {
    const errorType = r.headers['x-amzn-errortype'];
    opts.onAnswered?.({ requestId, operation: seen.operation ?? '(unknown)', status: r.status, errorType, ms: performance.now() - started, account: seen.account });
  };
  const respond: Respond = (request, answer) => {
    const requestId = uuid();
    const started = performance.now();
    const seen: Seen = {};
    const route = plainRoute(request, opts);
    if (route) seen.operation = `GET ${route}`;
    const consoleReply = opts.console?.(request);
    if (consoleReply) seen.operation = 'GET /console';
    // The answer's record (log line, metrics) is made once it is written: no client waits on it.
    const send = (r: Reply) => sendSoon(answer, r, () => record(requestId, started, seen, r));
    const fail = (err: unknown) => send(failure(err, requestId, opts.log));
    if (consoleReply || route) {
      const replied = consoleReply ??
        (route === '/health'
          ? opts.health().then((h) => reply(h.status, requestId, JSON.stringify(h.body)))
          : opts.metrics!().then((m) => ({ status: 200, headers: { 'content-type': m.contentType, 'x-amzn-requestid': requestId }, body: m.body })));
      replied.then(send, fail);
      return;
    }
    // An API request answered at once (see handle) is sent at once; its errors, thrown or rejected, answer alike.
    let body: string | Buffer | Promise<string | Buffer>;
    try {
      body = handle(request, requestId, opts, seen);
    } catch (err) {
      fail(err);
      return;
    }
    if (body instanceof Promise) body.then((b) => send(reply(200, requestId, b)), fail);
    else send(reply(200, requestId, body));
  };
  // Host is checked here rather than by node:http, whose refusal has no body (P-3).
  const fallback = http.createServer({ requireHostHeader: false }, (req, res) => {
    const arrived = performance.now();
    const answer = (r: Reply) => {
      res.writeHead(r.status, { ...r.headers, 'content-length': byteLength(r.body) });
      res.end(r.body);
    };
    if (req.httpVersion === '1.1' && req.headers.host === undefined) {
      res.setHeader('connection', 'close');
      const requestId = randomUUID();
      const r = failure(new KendraError('SerializationException', 'An HTTP/1.1 request must carry a Host header.'), requestId, opts.log);
      answer(r);
      record(requestId, arrived, {}, r);
      return;
    }
    // Aborted once the connection closes (or the response is done, when nothing is left to cancel).
    const gone = new AbortController();
    setMaxListeners(0, gone.signal);
    res.once('close', () => gone.abort());
    readBody(req, opts.maxBodyBytes).then(
      (body) => respond({ method: req.method ?? '', target: req.url ?? '/', headers: req.headers, body, signal: gone.signal }, answer),
      (err: unknown) => {
        // A client that went away mid-body is no fault of the server's: nobody is left to answer.
        if (req.socket.destroyed || (err as NodeJS.ErrnoException).code === 'ECONNRESET') return;
        const requestId = randomUUID();
        const r = failure(err, requestId, opts.log);
        sendSoon(answer, r, () => record(requestId, arrived, {}, r));
      },
    );
  });
  // A client that half-closes after its request still gets the answer (node:http drops the request otherwise).
  (fallback as http.Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  fallback.on('clientError', refuseMalformed);
  const keepAliveMs = opts.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
  fallback.keepAliveTimeout = keepAliveMs;
  const front = createFront(respond, fallback, { maxBodyBytes: opts.maxBodyBytes, keepAliveMs });
  return {
    async listen(port, host) {
      await new Promise<void>((resolve, reject) => {
        front.server.once('error', reject);
        front.server.listen(port, host, () => resolve());
      });
      // node:http checks the header and request timeouts of its connections once it is "listening".
      fallback.emit('listening');
      return front.server.address() as AddressInfo;
    },
    async close() {
      await new Promise<void>((resolve) => {
        front.server.close(() => resolve());
        front.closeAllConnections();
        fallback.close();
        fallback.closeAllConnections();
      });
    },
  };
}

/** GET /health, and GET /metrics where it is served: the two plain routes beside the API. */
function plainRoute(req: PlainRequest, opts: HttpOptions): '/health' | '/metrics' | undefined {
  if (req.method !== 'GET') return undefined;
  if (req.target === '/health' || req.target === '/health/') return '/health';
  if (opts.metrics && (req.target === '/metrics' || req.target === '/metrics/')) return '/metrics';
  return undefined;
}

/**
 * An API request's answer body. Answered at once (a value, not a promise) when every step can be: the
 * signing key known (Authenticator.check) and the operation's output known at once (Service.invoke);
 * a promise otherwise. Throws what a step refuses, as the promise would reject with it.
 */
function handle(req: PlainRequest, requestId: string, opts: HttpOptions, seen: Seen): string | Buffer | Promise<string | Buffer> {
  if (req.method !== 'POST') throw new KendraError('UnknownOperationException', `Only POST / is served (and GET /health); got ${req.method} ${req.target}.`);
  if (req.body.length > 0) checkContentType(req.headers['content-type']);
  const header = req.headers['x-amz-target'];
  const target = typeof header === 'string' ? header : '';
  const dot = target.lastIndexOf('.');
  const prefix = dot > 0 ? target.slice(0, dot) : '';
  const service = dot > 0 ? opts.services.find((s) => s.prefix === prefix) : undefined;
  const operation = dot > 0 ? target.slice(dot + 1) : '';
  // Only the operations served are named (the metrics' labels must not grow with what clients send).
  if (service?.has(operation)) seen.operation = operation;
  const checked = opts.authenticator.check({ method: 'POST', path: req.target, headers: req.headers, amzHeaders: req.amzHeaders, body: req.body });
  if (checked instanceof Promise) return checked.then((caller) => invoke(caller, service, target, operation, req, requestId, opts, seen));
  return invoke(checked, service, target, operation, req, requestId, opts, seen);
}

/** handle's steps once the caller is known: the operation looked up, authorized, throttled and run. */
function invoke(caller: Caller, service: Service | undefined, target: string, operation: string, req: PlainRequest, requestId: string, opts: HttpOptions, seen: Seen): string | Buffer | Promise<string | Buffer> {
  seen.account = caller.accountId;
  if (!service || !service.has(operation))
    throw new KendraError('UnknownOperationException', target ? `Unknown operation ${target}.` : 'Missing X-Amz-Target header.');
  authorize(caller, operation);
  opts.throttle.check(caller.accountId, operation);
  const output = service.invoke(operation, parseJson(req.body), { caller, requestId, signal: req.signal });
  return output instanceof Promise ? output.then(serializeOutput) : serializeOutput(output);
}

/**
 * P-1: a body must be declared JSON. AWS's JSON services answer any other Content-Type (or none) with
 * 404 UnknownOperationException, before authentication; so does kendrite, with P-3's JSON body.
 */
function checkContentType(header: string | undefined): void {
  if (header === JSON_CONTENT_TYPE) return;
  const semicolon = header === undefined ? -1 : header.indexOf(';');
  const type = header === undefined ? undefined : (semicolon < 0 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  if (type !== undefined && ACCEPTED_CONTENT_TYPES.has(type)) return;
  throw new KendraError(
    'UnknownOperationException',
    `${header === undefined ? 'No Content-Type' : `Content-Type '${header}'`}: a request body must be ${[...ACCEPTED_CONTENT_TYPES].join(', or ')}.`,
    404,
  );
}

/** What node:http's parser refuses (a control character in a header, a head over 16 KB…), answered as P-3 says. */
function refuseMalformed(err: NodeJS.ErrnoException, socket: Socket): void {
  const res = (socket as Socket & { _httpMessage?: http.ServerResponse })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || res?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'RequestHeaderFieldsTooLargeException', 'The request head is larger than 16 KB.']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'RequestTimeoutException', 'The request did not arrive in time.']
        : [400, 'SerializationException', `The request is not well-formed HTTP/1.1 (${err.code ?? err.message}).`];
  const body = JSON.stringify({ __type: code, message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: ${JSON_CONTENT_TYPE}\r\nx-amzn-requestid: ${randomUUID()}\r\n` +
      `x-amzn-errortype: ${code}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  let value: unknown;
  const text = raw.toString('utf8');
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new KendraError('SerializationException', `Request body is not valid JSON: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new KendraError('SerializationException', 'Request body must be a JSON object.');
  refuseInexactIntegers(text);
  return value;
}

let held: [answer: (r: Reply) => void, reply: Reply, written: () => void][] = [];
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
function sendSoon(answer: (r: Reply) => void, r: Reply, written: () => void): void {
  if (held.length === 0) {
    setImmediate(flushReplies);
    heldSince = performance.now();
  }
  held.push([answer, r, written]);
  if (performance.now() - heldSince > MAX_HOLD_MS) flushReplies();
}

/** Every held answer is written, then each is told it was (the bookkeeping of one never delays another's bytes). */
function flushReplies(): void {
  const batch = held;
  held = [];
  for (const [answer, r] of batch) answer(r);
  for (const [, , written] of batch) written();
}

function reply(status: number, requestId: string, body: string | Buffer, errorType?: string): Reply {
  const headers: Record<string, string> = { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  return { status, headers, body };
}

function failure(err: unknown, requestId: string, log: HttpOptions['log']): Reply {
  const e = err instanceof KendraError ? err : internal(err, log, requestId);
  return reply(e.status, requestId, JSON.stringify({ __type: e.code, message: e.message, ...e.details }), e.code);
}

function internal(err: unknown, log: HttpOptions['log'], requestId: string): KendraError {
  log?.error({ requestId, error: errorField(err) }, 'request failed: an error of kendrite');
  return new KendraError('InternalServerException', `Internal server error (request id ${requestId}).`);
}
