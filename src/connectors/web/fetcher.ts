// One page over HTTP (undici, connections kept alive and reused): redirects followed by hand so that
// every hop goes through the address guard and the final URL is known; the body streamed and cut off
// past the size limit; the whole fetch (hops and body) bounded in time; a conditional GET when the
// page's validators from the last crawl are known.
import { isIP } from 'node:net';
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import type { AddressGuard } from './addressGuard.js';
import { normalizeUrl } from './urls.js';

const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'kendrite-crawler/1 (+https://github.com/kendrite)';

export interface Validators {
  /** The URL the validators belong to (the final URL of the last crawl). */
  url: string;
  etag?: string;
  lastModified?: string;
}

export interface FetchOptions {
  signal: AbortSignal;
  maxBytes: number;
  timeoutMs: number;
  validators?: Validators;
  /** Waits for the host's turn (the crawl rate), before every hop. */
  beforeRequest?: (url: URL, signal: AbortSignal) => Promise<void>;
}

export interface Fetched {
  /** The final URL, after redirects. */
  url: string;
  status: number;
  contentType?: string;
  etag?: string;
  lastModified?: string;
  /** Absent for 304 Not Modified and for statuses other than 2xx. */
  body?: Buffer;
}

/** The page could not be fetched: `reason` for the report, `code` for DataSourceErrorCode. */
export class FetchError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export class PageFetcher {
  private readonly dispatcher: Dispatcher;

  constructor(
    private readonly guard: AddressGuard,
    private readonly authFor: (url: URL) => string | undefined,
    proxy?: { url: string; token?: string },
    connections = 16,
  ) {
    const connect = { lookup: guard.lookup };
    // Through a proxy (a CONNECT tunnel), the connection to the proxy is the one made here: it goes to
    // the guard's address; the pages' hosts are checked before each request (see follow).
    this.dispatcher = proxy
      ? new ProxyAgent({ uri: proxy.url, token: proxy.token, connections, proxyTls: connect })
      : new Agent({ connections, keepAliveTimeout: 30_000, connect });
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  async fetch(start: string, opts: FetchOptions): Promise<Fetched> {
    const deadline = new HopDeadline(opts.signal, opts.timeoutMs);
    try {
      return await this.follow(start, opts, deadline);
    } catch (e) {
      if (opts.signal.aborted) throw e;
      if (e instanceof FetchError) throw e;
      if (deadline.expired) throw new FetchError(`timed out after ${opts.timeoutMs} ms`, 'Timeout');
      const err = e as Error & { code?: string; cause?: { code?: string; message?: string } };
      const code = err.code ?? err.cause?.code ?? err.name;
      if (code === 'ForbiddenAddress') throw new FetchError(err.message, code);
      throw new FetchError(`${code ?? 'Error'}: ${err.cause?.message ?? err.message}`, code ?? 'Error');
    } finally {
      deadline.end();
    }
  }

  /** Each hop is bounded in time from when it may start (its turn in the host's crawl rate). */
  private async follow(start: string, opts: FetchOptions, deadline: HopDeadline): Promise<Fetched> {
    let url = start;
    for (let hop = 0; ; hop++) {
      const target = new URL(url);
      // Host names are checked when the connection resolves them; an address in the URL never resolves, so it is checked here.
      if (isIP(target.hostname.replace(/^\[|\]$/g, '')) || this.dispatcher instanceof ProxyAgent) await this.guard.resolve(target.hostname);
      await opts.beforeRequest?.(target, opts.signal);
      const signal = deadline.restart();
      const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: '*/*' };
      const auth = this.authFor(target);
      if (auth) headers.authorization = auth;
      if (opts.validators?.url === url) {
        if (opts.validators.etag) headers['if-none-match'] = opts.validators.etag;
        if (opts.validators.lastModified) headers['if-modified-since'] = opts.validators.lastModified;
      }
      const r = await request(url, { dispatcher: this.dispatcher, headers, signal, maxRedirections: 0 } as Parameters<typeof request>[1]);
      const location = header(r.headers, 'location');
      if (REDIRECTS.has(r.statusCode) && location) {
        await r.body.dump();
        if (hop >= MAX_REDIRECTS) throw new FetchError(`more than ${MAX_REDIRECTS} redirects`, 'TooManyRedirects', r.statusCode);
        const next = normalizeUrl(location, url);
        if (!next) throw new FetchError(`redirected to '${location}', not an http(s) URL kendrite crawls`, 'BadRedirect', r.statusCode);
        url = next;
        continue;
      }
      const meta = { url, status: r.statusCode, contentType: header(r.headers, 'content-type'), etag: header(r.headers, 'etag'), lastModified: header(r.headers, 'last-modified') };
      if (r.statusCode < 200 || r.statusCode >= 300) {
        await r.body.dump();
        return meta;
      }
      const length = Number(header(r.headers, 'content-length'));
      if (length > opts.maxBytes) {
        r.body.destroy();
        throw new FetchError(`${length} bytes, over the limit of ${opts.maxBytes} bytes`, 'TooLarge', r.statusCode);
      }
      return { ...meta, body: await readBounded(r.body, opts.maxBytes) };
    }
  }
}

/**
 * One fetch's abort signal: the caller's, or the time limit of the current hop. A controller and a
 * timer per fetch: AbortSignal.any and AbortSignal.timeout per hop cost more than the rest of a fetch's
 * own work on a small page.
 */
class HopDeadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  /** The time limit, not the caller, ended the fetch. */
  expired = false;
  private readonly onAbort = () => this.controller.abort(this.outer.reason);

  constructor(
    private readonly outer: AbortSignal,
    private readonly ms: number,
  ) {
    if (outer.aborted) this.controller.abort(outer.reason);
    else outer.addEventListener('abort', this.onAbort, { once: true });
  }

  /** A hop starts: its time limit from now. */
  restart(): AbortSignal {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));
    }, this.ms);
    this.timer.unref();
    return this.controller.signal;
  }

  end(): void {
    clearTimeout(this.timer);
    this.outer.removeEventListener('abort', this.onAbort);
  }
}

async function readBounded(body: AsyncIterable<Buffer> & { destroy(): void }, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      body.destroy();
      throw new FetchError(`over the limit of ${max} bytes`, 'TooLarge', 200);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function header(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}
