import net from 'node:net';

/**
 * A minimal HTTP/1.1 client connection: writes prepared request bytes, reads one response at a time
 * (content-length framed, as both kendrite and the baseline answer). It does nothing per request but
 * find the header end and the length, so the load generator costs the same, and little, whichever
 * server it drives.
 */

export interface Response {
  status: number;
  /** The raw header block (status line included), latin1. */
  head: string;
  body: Buffer;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;

export class Connection {
  private readonly socket: net.Socket;
  private readonly ready: Promise<void>;
  private buffer: Buffer | undefined;
  private pending: { resolve(r: Response): void; reject(e: Error): void } | undefined;
  private failure: Error | undefined;

  constructor(host: string, port: number) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  connected(): Promise<void> {
    return this.ready;
  }

  /** Sends one request and resolves with its response; one request in flight at a time. */
  send(request: Buffer): Promise<Response> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('a request is already in flight on this connection'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(request);
    });
  }

  close(): void {
    this.failure ??= new Error('connection closed');
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    const buf = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    const end = buf.indexOf(HEADER_END);
    if (end < 0) {
      this.buffer = buf;
      return;
    }
    const head = buf.toString('latin1', 0, end);
    const length = CONTENT_LENGTH.exec(head);
    if (!length) return this.fail(new Error(`response without content-length: ${head.split('\r\n')[0]}`));
    const total = end + 4 + Number(length[1]);
    if (buf.length < total) {
      this.buffer = buf;
      return;
    }
    this.buffer = undefined;
    if (buf.length > total) return this.fail(new Error('bytes after the response: the server answered more than was asked'));
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve({ status: Number(head.slice(9, 12)), head, body: buf.subarray(end + 4, total) });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(e);
  }
}

/** One request on a fresh connection, for setup and capture (not for load). */
export async function exchange(host: string, port: number, request: Buffer): Promise<Response> {
  const c = new Connection(host, port);
  try {
    await c.connected();
    return await c.send(request);
  } finally {
    c.close();
  }
}
