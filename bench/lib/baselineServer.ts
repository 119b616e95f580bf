/**
 * The baseline: a bare node:http server, run in its own process (child_process.fork), that answers
 * every request with the response it was last given over IPC — the bytes kendrite returned for the
 * same request — and does no other work. It reads each request body to its end, as any server must.
 *
 * IPC: parent → { status, headers, body (base64) }; child → { listening: port } once, then
 * { ready: true } after each new response is in place.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CannedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

let status = 503;
let headers: Record<string, string> = {};
let body = Buffer.from('{"message":"no response set yet"}');

const server = http.createServer((req, res) => {
  req.on('data', ignore);
  req.on('end', () => {
    res.writeHead(status, headers);
    res.end(body);
  });
});
// As kendrite's server (src/http/server.ts), so that neither side closes connections the other keeps.
server.keepAliveTimeout = 65_000;

function ignore(): void {}

process.on('message', (m: CannedResponse) => {
  status = m.status;
  headers = m.headers;
  body = Buffer.from(m.body, 'base64');
  process.send!({ ready: true });
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => process.send!({ listening: (server.address() as AddressInfo).port }));
