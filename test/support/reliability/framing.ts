/**
 * Protocol and framing cases on raw sockets: bytes no HTTP client would send (garbage, broken heads,
 * lying lengths, bad chunking, header floods, abandoned bodies, half-closes). Each must get an answer
 * below 500 in under 5 s, or a closed connection; after each, /health must answer.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { requestBytes, target } from '../rawClient.js';
import type { TestServer } from '../server.js';
import { SLOW_MS } from './fuzz.js';
import { Tally, type AreaResult } from './tally.js';

interface Exchange {
  statuses: number[];
  closed: boolean;
  ms: number;
}

/** Writes `parts` (1 ms apart), optionally half-closes or destroys, reads until close or `waitMs` of silence. */
function exchange(url: string, parts: Buffer[], opts: { end?: boolean; destroy?: boolean; waitMs?: number } = {}): Promise<Exchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const t0 = performance.now();
    const socket = net.connect({ host: hostname, port: Number(port) });
    let text = '';
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
      resolve({ statuses, closed, ms: performance.now() - t0 });
    };
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(finish, opts.waitMs ?? 1500);
    };
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      idle();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.once('connect', async () => {
      for (const p of parts) {
        if (socket.destroyed) break;
        socket.write(p);
        await new Promise((r) => setTimeout(r, 1));
      }
      if (opts.destroy) {
        socket.destroy();
        return;
      }
      if (opts.end) socket.end();
      idle();
    });
  });
}

const b = (s: string) => Buffer.from(s, 'latin1');

export async function framingCases(o: { server: TestServer; backend: string }): Promise<AreaResult> {
  const tally = new Tally('protocol and framing', o.backend);
  const url = o.server.url;
  const host = new URL(url).host;
  const good = await requestBytes(url, { target: target('ListIndices'), body: {} });
  const goodHead = good.subarray(0, good.indexOf('\r\n\r\n')).toString('latin1');
  const goodBody = good.subarray(good.indexOf('\r\n\r\n') + 4);
  const withHead = (edit: (h: string) => string, body: Buffer = goodBody) => Buffer.concat([b(`${edit(goodHead)}\r\n\r\n`), body]);
  const cases: { name: string; parts: Buffer[]; end?: boolean; destroy?: boolean; waitMs?: number }[] = [
    { name: 'garbage bytes', parts: [Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10])] },
    { name: 'TLS hello on the plain port', parts: [Buffer.from('160301020001000100', 'hex')] },
    { name: 'a request line only', parts: [b('POST / HTTP/1.1\r\n\r\n')] },
    { name: 'unknown method', parts: [b(`BREW / HTTP/1.1\r\nhost: ${host}\r\n\r\n`)] },
    { name: 'HTTP/2 preface', parts: [b('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')] },
    { name: 'HTTP/0.9 request', parts: [b('GET /\r\n')], end: true },
    { name: 'absolute URI', parts: [withHead((h) => h.replace('POST / ', `POST http://${host}/ `))] },
    { name: 'path with a query and a fragment', parts: [withHead((h) => h.replace('POST / ', 'POST /?a=1#x '))] },
    { name: 'Content-Length larger than the body, then silence', parts: [withHead((h) => h.replace(/content-length: \d+/i, 'content-length: 100'))], waitMs: 1000 },
    { name: 'Content-Length smaller than the body', parts: [withHead((h) => h.replace(/content-length: \d+/i, 'content-length: 1'))] },
    { name: 'negative Content-Length', parts: [withHead((h) => h.replace(/content-length: \d+/i, 'content-length: -5'))] },
    { name: 'Content-Length not a number', parts: [withHead((h) => h.replace(/content-length: \d+/i, 'content-length: 1e3'))] },
    { name: 'Content-Length of 2^64', parts: [withHead((h) => h.replace(/content-length: \d+/i, 'content-length: 18446744073709551616'))] },
    { name: 'two different Content-Lengths', parts: [withHead((h) => `${h}\r\ncontent-length: 7`)] },
    { name: 'Content-Length and Transfer-Encoding both', parts: [withHead((h) => `${h}\r\ntransfer-encoding: chunked`, b('2\r\n{}\r\n0\r\n\r\n'))] },
    { name: 'chunk size not hex', parts: [withHead((h) => h.replace(/content-length: \d+/i, 'transfer-encoding: chunked'), b('zz\r\n{}\r\n0\r\n\r\n'))] },
    { name: 'chunk size of 2^64', parts: [withHead((h) => h.replace(/content-length: \d+/i, 'transfer-encoding: chunked'), b('10000000000000000\r\n{}\r\n0\r\n\r\n'))] },
    { name: 'chunked body never ended', parts: [withHead((h) => h.replace(/content-length: \d+/i, 'transfer-encoding: chunked'), b('2\r\n{}\r\n'))], waitMs: 1000 },
    { name: 'unknown Transfer-Encoding', parts: [withHead((h) => h.replace(/content-length: \d+/i, 'transfer-encoding: gzip, chunked, identity'))] },
    { name: 'header without a colon', parts: [withHead((h) => `${h}\r\nno colon here`)] },
    { name: 'header name with a space', parts: [withHead((h) => `${h}\r\nbad name: x`)] },
    { name: 'obsolete line folding', parts: [withHead((h) => `${h}\r\nx-folded: a\r\n  b`)] },
    { name: 'NUL in a header value', parts: [withHead((h) => `${h}\r\nx-nul: a\u0000b`)] },
    { name: '1,000 headers', parts: [withHead((h) => `${h}${'\r\nx-many: v'.repeat(1000)}`)] },
    { name: 'a 100 KB header', parts: [withHead((h) => `${h}\r\nx-big: ${'a'.repeat(100_000)}`)] },
    { name: 'a 1 MB request line', parts: [b(`POST /${'a'.repeat(1 << 20)} HTTP/1.1\r\nhost: ${host}\r\n\r\n`)] },
    { name: 'X-Amz-Target of 100 KB', parts: [withHead((h) => h.replace(/x-amz-target: [^\r]*/i, `x-amz-target: ${target('a'.repeat(100_000))}`))] },
    { name: 'X-Amz-Target with NUL', parts: [withHead((h) => h.replace(/x-amz-target: [^\r]*/i, `x-amz-target: ${target('ListIndices')}\u0000`))] },
    { name: 'Content-Type text/plain', parts: [withHead((h) => h.replace(/content-type: [^\r]*/i, 'content-type: text/plain'))] },
    { name: 'the head one byte at a time', parts: [...good].map((x) => Buffer.from([x])).slice(0, 400) },
    { name: 'the head then a half-close', parts: [good], end: true },
    { name: 'half a head then a half-close', parts: [good.subarray(0, 40)], end: true },
    { name: 'half a head then gone', parts: [good.subarray(0, 40)], destroy: true },
    { name: 'a body promised (1 MB), 10 bytes sent, then gone', parts: [withHead((h) => h.replace(/content-length: \d+/i, 'content-length: 1048576'), b('{"a":"bbbb'))], destroy: true },
    { name: '100 pipelined requests', parts: [Buffer.concat(Array.from({ length: 100 }, () => good))], waitMs: 2000 },
    { name: '100 pipelined requests, then gone before reading', parts: [Buffer.concat(Array.from({ length: 100 }, () => good))], destroy: true },
    { name: 'Expect: 100-continue with no body sent', parts: [withHead((h) => `${h}\r\nexpect: 100-continue`, Buffer.alloc(0))], waitMs: 1000 },
    { name: 'Expect: something else', parts: [withHead((h) => `${h}\r\nexpect: 200-ok`)] },
    { name: 'Connection: upgrade to websocket', parts: [withHead((h) => `${h}\r\nconnection: upgrade\r\nupgrade: websocket`)] },
    { name: 'GET /health with a body', parts: [b(`GET /health HTTP/1.1\r\nhost: ${host}\r\ncontent-length: 5\r\n\r\nhello`)] },
  ];
  for (const c of cases) {
    await tally.attempt(c.name, async () => {
      const x = await exchange(url, c.parts, c);
      const problems: string[] = [];
      const fault = x.statuses.find((s) => s >= 500);
      if (fault) problems.push(`answered ${fault}`);
      if (!c.destroy && x.ms > SLOW_MS + (c.waitMs ?? 1500)) problems.push(`took ${Math.round(x.ms)} ms`);
      if (o.server.proc.exitCode !== null) problems.push(`the server exited (${o.server.proc.exitCode})`);
      const health = await fetch(`${url}/health`, { signal: AbortSignal.timeout(SLOW_MS) }).then((r) => r.status, (e: Error) => e.message);
      if (health !== 200) problems.push(`/health then answered ${health}`);
      return problems.length ? problems.join('; ') : undefined;
    });
  }
  return tally.result;
}
