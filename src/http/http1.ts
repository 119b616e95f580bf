/**
 * HTTP/1.1 framing on raw sockets for the requests every AWS client sends: `POST` or `GET`,
 * `HTTP/1.1`, a Host, a body framed by Content-Length within the body limit, each header once.
 * Node's http server costs ~25 µs of CPU per request in parsing, header objects, streams and
 * response bookkeeping; this path costs a few. Anything else — chunked or `Expect` bodies, other
 * methods or versions, repeated or malformed headers, oversized heads or bodies, upgrades — is not
 * parsed here: the connection is handed, with the bytes read so far, to node:http (`fallback`),
 * which serves it from then on and answers or refuses exactly as it always has.
 *
 * Responses leave in request order (pipelining); a connection reads at most MAX_QUEUED requests ahead
 * of its answers, and none while the client leaves written answers unread; an idle connection is
 * closed after `keepAliveMs` as node:http does.
 */
import { setMaxListeners } from 'node:events';
import type http from 'node:http';
import { STATUS_CODES } from 'node:http';
import net from 'node:net';

export interface PlainRequest {
  method: string;
  /** The request-target as received (still percent-encoded), with any ?query. */
  target: string;
  /** Lower-case names, as node:http's `req.headers`. */
  headers: http.IncomingHttpHeaders;
  /** The names of the x-amz-* headers among them (SigV4 checks each is signed); absent on node:http's path. */
  amzHeaders?: string[];
  body: Buffer;
  /**
   * Aborted when the client closes its side of the connection: TCP cannot tell a client gone (an SDK
   * timing out destroys its socket) from one that half-closed and still reads, so work that can be
   * cancelled (a search) is, and the answer is still written should anyone read it.
   */
  signal?: AbortSignal;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** Sent as UTF-8 when a string. */
  body: string | Buffer;
}

/** Serves one request; calls `answer` exactly once. */
export type Respond = (request: PlainRequest, answer: (reply: Reply) => void) => void;

export interface FrontOptions {
  maxBodyBytes: number;
  keepAliveMs: number;
}

/** node:http's default limit for a request head; a longer one goes to node:http, which answers 431. */
const MAX_HEAD_BYTES = 16 * 1024;
/** Requests read ahead of their answers on one connection before reading pauses. */
const MAX_QUEUED = 16;
const HEAD_END = Buffer.from('\r\n\r\n');
const BARE_END = Buffer.from('\n\n');
const EMPTY = Buffer.alloc(0);
const DIGITS = /^\d{1,15}$/;

export interface Front {
  /** Connections are served by `respond`, or by `fallback` from the first unusual request on. */
  server: net.Server;
  /** Destroys every connection this server accepted, including those handed to the fallback. */
  closeAllConnections(): void;
}

export function createFront(respond: Respond, fallback: http.Server, opts: FrontOptions): Front {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    new Connection(socket, respond, fallback, opts);
  });
  return {
    server,
    closeAllConnections() {
      for (const socket of sockets) socket.destroy();
    },
  };
}

interface Head {
  method: string;
  target: string;
  headers: http.IncomingHttpHeaders;
  amzHeaders: string[];
  length: number;
  close: boolean;
}

interface Slot {
  bytes: string | Buffer | undefined;
  close: boolean;
}

class Connection {
  /** Bytes of a head not yet complete. */
  private partial: Buffer | undefined;
  /** A parsed head whose body is still arriving, and the body so far. */
  private head: Head | undefined;
  private chunks: Buffer[] = [];
  private received = 0;
  /** Answers owed, oldest first. */
  private readonly queue: Slot[] = [];
  /** No more requests are read: Connection: close, the client's end, or a hand-off. */
  private done = false;
  private clientEnded = false;
  private handOffBytes: Buffer | undefined;
  private readonly gone = new AbortController();

  constructor(
    private readonly socket: net.Socket,
    private readonly respond: Respond,
    private readonly fallback: http.Server,
    private readonly opts: FrontOptions,
  ) {
    socket.setTimeout(opts.keepAliveMs);
    // One listener per statement a search runs, several at once on a pipelined connection: no limit to warn about.
    setMaxListeners(0, this.gone.signal);
    socket.once('close', () => this.gone.abort());
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('timeout', this.onTimeout);
    socket.on('error', this.onError);
    socket.on('drain', this.readMore);
  }

  private readonly onData = (chunk: Buffer): void => {
    let data = chunk;
    while (data.length > 0 && !this.done) {
      if (this.head) {
        const need = this.head.length - this.received;
        if (data.length < need) {
          this.chunks.push(data);
          this.received += data.length;
          return;
        }
        this.chunks.push(need === data.length ? data : data.subarray(0, need));
        data = data.subarray(need);
        const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.head.length);
        const head = this.head;
        this.head = undefined;
        this.chunks = [];
        this.received = 0;
        this.dispatch(head, body);
        continue;
      }
      const buf = this.partial ? Buffer.concat([this.partial, data]) : data;
      const end = buf.indexOf(HEAD_END, this.partial ? Math.max(0, this.partial.length - 3) : 0);
      this.partial = undefined;
      if (end < 0 || end > MAX_HEAD_BYTES) {
        // A head ended by bare line feeds is node:http's to judge, not one to wait on.
        if (end < 0 && buf.length <= MAX_HEAD_BYTES && buf.indexOf(BARE_END) < 0) this.partial = buf;
        else this.handOff(buf);
        return;
      }
      const head = parseHead(buf, end);
      if (!head || head.length > this.opts.maxBodyBytes) return this.handOff(buf);
      data = buf.subarray(end + 4);
      if (head.length === 0) this.dispatch(head, EMPTY);
      else this.head = head;
    }
  };

  private dispatch(head: Head, body: Buffer): void {
    const slot: Slot = { bytes: undefined, close: head.close };
    this.queue.push(slot);
    if (head.close) this.done = true;
    if (this.queue.length >= MAX_QUEUED || this.socket.writableNeedDrain) this.socket.pause();
    this.respond({ method: head.method, target: head.target, headers: head.headers, amzHeaders: head.amzHeaders, body, signal: this.gone.signal }, (reply) => {
      slot.bytes = encode(reply, slot.close, this.opts.keepAliveMs);
      this.flush();
    });
  }

  private flush(): void {
    const { socket, queue } = this;
    while (queue.length > 0 && queue[0]!.bytes !== undefined) {
      const slot = queue.shift()!;
      if (socket.destroyed) continue;
      socket.write(slot.bytes!);
      if (slot.close) {
        queue.length = 0;
        socket.end();
        return;
      }
    }
    if (queue.length === 0 && this.handOffBytes) this.completeHandOff(this.handOffBytes);
    else if (queue.length === 0 && this.clientEnded) socket.end();
    else this.readMore();
  }

  /** Reading resumes once fewer than MAX_QUEUED answers are owed and the client takes what was written. */
  private readonly readMore = (): void => {
    const { socket } = this;
    if (!this.done && socket.isPaused() && this.queue.length < MAX_QUEUED && !socket.writableNeedDrain) socket.resume();
  };

  /** From these bytes on, node:http serves the connection (once the answers owed are written). */
  private handOff(bytes: Buffer): void {
    this.done = true;
    this.partial = undefined;
    this.socket.removeListener('data', this.onData);
    this.socket.pause();
    this.handOffBytes = bytes;
    if (this.queue.length === 0) this.completeHandOff(bytes);
  }

  private completeHandOff(bytes: Buffer): void {
    this.handOffBytes = undefined;
    const { socket } = this;
    socket.removeListener('end', this.onEnd);
    socket.removeListener('timeout', this.onTimeout);
    socket.removeListener('error', this.onError);
    socket.removeListener('drain', this.readMore);
    socket.setTimeout(0);
    if (this.clientEnded || socket.destroyed) {
      socket.destroy();
      return;
    }
    socket.unshift(bytes);
    this.fallback.emit('connection', socket);
    socket.resume();
  }

  private readonly onEnd = (): void => {
    this.clientEnded = true;
    // TCP cannot tell a client gone from one that half-closed: a search it started is cancelled (its
    // statement would otherwise run on for nobody); every other request is still answered.
    this.gone.abort();
    this.done = true;
    if (this.queue.length === 0) this.socket.end();
  };

  /** Idle for keepAliveMs (or a request stalled that long): closed, unless an answer is being prepared. */
  private readonly onTimeout = (): void => {
    if (this.queue.length === 0) this.socket.destroy();
  };

  private readonly onError = (): void => {
    this.socket.destroy();
  };
}

/**
 * The head of a request this path serves, from its bytes [0, end) (`end`: where CRLF CRLF begins), or
 * undefined for anything node:http should judge. The bytes are checked and cut apart in one scan; the
 * strings are slices of the head read once as Latin-1 (one call into the runtime, not one per value).
 */
export function parseHead(buf: Buffer, end: number): Head | undefined {
  // The request line: (POST|GET) SP target SP HTTP/1.1 CRLF, the target's bytes visible ASCII.
  const method = startsWith(buf, 0, POST, end) ? 'POST' : startsWith(buf, 0, GET, end) ? 'GET' : undefined;
  if (method === undefined) return undefined;
  let at = method.length + 1;
  const targetStart = at;
  while (at < end && buf[at]! >= 0x21 && buf[at]! <= 0x7e) at++;
  if (at === targetStart || !startsWith(buf, at, VERSION_CRLF, end)) return undefined;
  const text = buf.toString('latin1', 0, end);
  const target = text.slice(targetStart, at);
  at += VERSION_CRLF.length;
  const headers = new HeaderFields() as http.IncomingHttpHeaders;
  const amzHeaders: string[] = [];
  // Header lines as node:http's parser takes them: a token, a colon, and a value without the controls
  // it refuses (any but HTAB); each line ends with CRLF but the last (no empty line, no obs-fold).
  for (;;) {
    const nameStart = at;
    while (at < end && TOKEN[buf[at]!] === 1) at++;
    if (at === nameStart || at === end || buf[at] !== 0x3a) return undefined;
    const colon = at++;
    while (at < end && FIELD_VALUE[buf[at]!] === 1) at++;
    const lineEnd = at;
    if (at < end && (buf[at] !== 0x0d || buf[at + 1] !== 0x0a || at + 2 >= end)) return undefined;
    const key = knownName(buf, nameStart, colon) ?? text.slice(nameStart, colon).toLowerCase();
    if (headers[key] !== undefined) return undefined;
    // The value without leading or trailing spaces and tabs (and only those).
    let a = colon + 1;
    let b = lineEnd;
    while (a < b && (buf[a] === 0x20 || buf[a] === 0x09)) a++;
    while (b > a && (buf[b - 1] === 0x20 || buf[b - 1] === 0x09)) b--;
    headers[key] = text.slice(a, b);
    if (key.startsWith('x-amz-')) amzHeaders.push(key);
    if (lineEnd === end) break;
    at = lineEnd + 2;
  }
  if (headers.host === undefined || headers['transfer-encoding'] !== undefined || headers.expect !== undefined || headers.upgrade !== undefined)
    return undefined;
  const declared = headers['content-length'];
  if (declared !== undefined && !DIGITS.test(declared)) return undefined;
  const connection = headers.connection?.toLowerCase();
  if (connection !== undefined && connection !== 'keep-alive' && connection !== 'close') return undefined;
  return { method, target, headers, amzHeaders, length: declared === undefined ? 0 : Number(declared), close: connection === 'close' };
}

/**
 * A request's header fields: own properties only, as on an Object.create(null) object (no inherited
 * name — `constructor`, `__proto__` — reads as a header), but a plain fast object: headers that come
 * in the same order share its shape, where a null-prototype object is a hash table from the start.
 */
const HeaderFields = function HeaderFields() {} as unknown as new () => Record<string, string | undefined>;
HeaderFields.prototype = Object.create(null);

const POST = Buffer.from('POST ', 'latin1');
const GET = Buffer.from('GET ', 'latin1');
const VERSION_CRLF = Buffer.from(' HTTP/1.1\r\n', 'latin1');

/** Whether `buf` holds `bytes` at `at`, wholly before `end`. */
function startsWith(buf: Buffer, at: number, bytes: Buffer, end: number): boolean {
  if (at + bytes.length > end) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[at + i] !== bytes[i]) return false;
  return true;
}

/** RFC 9110's token characters (a header name), as node:http's parser takes them. */
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TOKEN[c.charCodeAt(0)] = 1;
/** What a header value may hold: HTAB, visible ASCII and space, and any byte from 0x80 (read as Latin-1). */
const FIELD_VALUE = new Uint8Array(256);
for (let c = 0; c < 256; c++) FIELD_VALUE[c] = c === 0x09 || (c >= 0x20 && c !== 0x7f) ? 1 : 0;
/** Each byte lower-cased (ASCII letters only). */
const LOWER = new Uint8Array(256);
for (let c = 0; c < 256; c++) LOWER[c] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;

/**
 * The names AWS clients send, by length: a header named so is keyed by this string (no new string
 * made and lower-cased per header, and a key the header object has seen before).
 */
const KNOWN: string[][] = [];
for (const name of [
  'host', 'content-type', 'content-length', 'x-amz-target', 'x-amz-date', 'authorization', 'x-amz-content-sha256', 'x-amz-security-token',
  'x-amz-user-agent', 'user-agent', 'amz-sdk-invocation-id', 'amz-sdk-request', 'accept', 'accept-encoding', 'connection', 'date',
  'expect', 'transfer-encoding', 'upgrade', 'keep-alive', 'content-encoding', 'x-amzn-trace-id',
]) (KNOWN[name.length] ??= []).push(name);

function knownName(buf: Buffer, from: number, to: number): string | undefined {
  const names = KNOWN[to - from];
  if (names === undefined) return undefined;
  next: for (const name of names) {
    for (let i = 0; i < name.length; i++) if (LOWER[buf[from + i]!] !== name.charCodeAt(i)) continue next;
    return name;
  }
  return undefined;
}

/** A reply body's length in bytes (a string goes out as UTF-8). */
export function byteLength(body: string | Buffer): number {
  return typeof body === 'string' ? Buffer.byteLength(body) : body.length;
}

function encode(reply: Reply, close: boolean, keepAliveMs: number): string | Buffer {
  const length = byteLength(reply.body);
  let head = `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? ''}\r\n`;
  for (const name in reply.headers) head += `${name}: ${reply.headers[name]}\r\n`;
  head += `content-length: ${length}\r\ndate: ${httpDate()}\r\n`;
  head += close ? 'connection: close\r\n\r\n' : `connection: keep-alive\r\nkeep-alive: timeout=${Math.floor(keepAliveMs / 1000)}\r\n\r\n`;
  if (typeof reply.body === 'string') return head + reply.body;
  // One buffer for the head and the body (header values are ASCII): not a buffer of the head, then a third for both.
  const out = Buffer.allocUnsafe(head.length + length);
  const at = out.write(head, 0, 'latin1');
  reply.body.copy(out, at);
  return out;
}

let dateSecond = 0;
let dateText = '';
/** The Date header's value, formatted once per second. */
function httpDate(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}
