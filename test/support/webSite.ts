// Web sites served by a test on loopback: one HTTP server answers for several host names (the Host
// header picks the site), and logs every request it sees, so tests assert what the crawler fetched.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  host: string;
  path: string;
  at: number;
  status: number;
  headers: IncomingMessage['headers'];
}

export type Route = (req: IncomingMessage, res: ServerResponse, site: WebSite) => void | Promise<void>;

export class WebSite {
  readonly seen: Seen[] = [];
  /** Routes by "host path" (the host without its port). */
  routes = new Map<string, Route>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<WebSite> {
    let site: WebSite | undefined;
    const server = createServer((req, res) => void site!.handle(req, res));
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    site = new WebSite(server, (server.address() as AddressInfo).port);
    return site;
  }

  url(host: string, path = '/'): string {
    return `http://${host}:${this.port}${path}`;
  }

  /** Requests to a host (and path, when given). */
  requests(host: string, path?: string): Seen[] {
    return this.seen.filter((s) => s.host === host && (path === undefined || s.path === path));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const path = req.url ?? '/';
    const entry: Seen = { host, path, at: performance.now(), status: 0, headers: req.headers };
    this.seen.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    const route = this.routes.get(`${host} ${path}`);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
      return;
    }
    try {
      await route(req, res, this);
    } catch {
      if (!res.headersSent) res.writeHead(500).end();
    }
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

export function html(title: string, body: string, head = ''): Route {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html><head><title>${title}</title>${head}</head><body>${body}</body></html>`);
  };
}

export function links(...hrefs: string[]): string {
  return hrefs.map((h) => `<a href="${h}">${h}</a>`).join(' ');
}
