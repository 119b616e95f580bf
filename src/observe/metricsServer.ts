import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Log } from './log.js';
import type { Metrics } from './metrics.js';

/** GET /metrics on a listener of its own (metrics.port), apart from the API's public port. */
export async function serveMetrics(metrics: Metrics, host: string, port: number, log: Log): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/metrics' && req.url !== '/metrics/')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('kendrite serves GET /metrics here\n');
      return;
    }
    metrics.text().then(
      (body) => res.writeHead(200, { 'content-type': metrics.contentType }).end(body),
      (e: unknown) => {
        log.error({ error: (e as Error).message }, 'metrics scrape failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`cannot collect the metrics: ${(e as Error).message}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return {
    url: `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
