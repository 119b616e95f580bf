/**
 * The web crawl benchmark's site, run in its own process (child_process.fork) so that neither the
 * crawler nor the baseline shares a thread with it: `pages` HTML pages of ~2–4 KB on 127.0.0.1 in a
 * tree (the home page, sections, pages; see sitePaths), each with an ETag, answering 304 to a matching
 * If-None-Match. IPC: child → { listening: port } once.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sitePage, sitePaths } from './webSitePages.js';

const pages = Number(process.argv[2]);
const paths = new Set(sitePaths(pages));

const server = http.createServer((req, res) => {
  const path = req.url ?? '/';
  if (!paths.has(path)) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
    return;
  }
  const etag = `"v1-${path.length}-${path.charCodeAt(path.length - 1)}"`;
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { etag }).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', etag }).end(sitePage(path, pages));
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.send!({ listening: (server.address() as AddressInfo).port }));
process.on('disconnect', () => process.exit(0));
