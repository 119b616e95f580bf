// HTTP/1.1 framing over raw sockets (src/http/http1.ts): pipelined requests answered in order,
// heads and bodies split anywhere, Connection: close, a client's half-close; and every request the
// lean path does not parse (chunked, Expect, HTTP/1.0, repeated or malformed headers, oversized
// heads, other methods) handed with its connection to node:http, which answers it as before —
// also when it arrives pipelined behind plain requests still being answered.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Authenticator } from '../src/http/auth.js';
import { createHttpServer, type HttpServer } from '../src/http/server.js';
import { Throttle } from '../src/http/throttle.js';
import { assertError, assertOk, rawRequest, requestBytes, target, type RawRequest } from './support/rawClient.js';
import { backends, describeOrSkip, TestServer, TestStore } from './support/server.js';

interface Answer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  text: string;
}

interface Exchange {
  answers: Answer[];
  /** The server closed the connection (before `count` answers, or after them within the wait). */
  closed: boolean;
}

/**
 * Writes `parts` to a fresh connection (a microtask and a macrotask apart, so that they arrive as
 * separate reads) and reads answers until `count` final (non-1xx) ones have arrived, then waits
 * `linger` ms more to see whether the server closes the connection. `bodiless`: answers to HEAD.
 * `readAfter`: the client reads nothing for that long (the server's writes back up).
 */
function exchange(url: string, parts: Buffer[], count: number, opts: { end?: boolean; linger?: number; bodiless?: boolean; readAfter?: number } = {}): Promise<Exchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port), noDelay: true });
    const answers: Answer[] = [];
    let buffer = Buffer.alloc(0);
    let closed = false;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      setTimeout(() => {
        socket.destroy();
        resolve({ answers, closed });
      }, opts.linger ?? 50);
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`timed out with ${answers.length} of ${count} answers: ${JSON.stringify(answers)}`));
    }, 10_000);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = buffer.toString('latin1', 0, end).split('\r\n');
        const status = Number(lines[0]!.split(' ')[1]);
        const headers: Record<string, string> = {};
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
        }
        // node:http's refusals of malformed requests carry no length (an empty or a chunked body): only the close follows.
        if (headers['content-length'] === undefined && headers.connection === 'close') {
          answers.push({ status, headers, text: '' });
          buffer = Buffer.alloc(0);
          settle();
          return;
        }
        const length = status < 200 || opts.bodiless ? 0 : Number(headers['content-length']);
        assert.ok(Number.isInteger(length), `no content-length: ${lines.join(' | ')}`);
        if (buffer.length < end + 4 + length) return;
        const text = buffer.toString('utf8', end + 4, end + 4 + length);
        buffer = buffer.subarray(end + 4 + length);
        answers.push({ status, headers, text });
        if (answers.filter((a) => a.status >= 200).length === count) settle();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      settle();
    });
    if (opts.readAfter) {
      socket.pause();
      setTimeout(() => socket.resume(), opts.readAfter);
    }
    socket.once('connect', async () => {
      for (const part of parts) {
        socket.write(part);
        await new Promise((r) => setTimeout(r, 1));
      }
      if (opts.end) socket.end();
    });
  });
}

const listIndices = { target: target('ListIndices'), body: { MaxResults: 3 } } satisfies RawRequest;
const health = { method: 'GET', path: '/health', target: null, credentials: null } satisfies RawRequest;
/** A CreateIndex the validator refuses (Name too long): an error answer with a known code. */
const badCreate = { target: target('CreateIndex'), body: { Name: 'x'.repeat(1001), RoleArn: 'arn:aws:iam::000000000000:role/k' } } satisfies RawRequest;

function assertListIndices(a: Answer | undefined): void {
  assert.equal(a?.status, 200, JSON.stringify(a));
  assert.deepEqual(JSON.parse(a.text), { IndexConfigurationSummaryItems: [] });
  assert.match(a.headers['x-amzn-requestid'] ?? '', /^[0-9a-f-]{36}$/);
}

function assertHealth(a: Answer | undefined): void {
  assert.equal(a?.status, 200, JSON.stringify(a));
  assert.equal(JSON.parse(a.text).status, 'ok');
}

function assertValidation(a: Answer | undefined): void {
  assert.equal(a?.status, 400, JSON.stringify(a));
  assert.equal(JSON.parse(a.text).__type, 'ValidationException');
  assert.equal(a.headers['x-amzn-errortype'], 'ValidationException');
}

/** `bytes` cut into pieces of `size` bytes. */
function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** The head of `bytes` (up to the blank line) edited by `edit`, the body unchanged. */
function editHead(bytes: Buffer, edit: (head: string) => string): Buffer {
  const end = bytes.indexOf('\r\n\r\n');
  return Buffer.concat([Buffer.from(edit(bytes.toString('latin1', 0, end)), 'latin1'), bytes.subarray(end)]);
}

/** A signed request re-framed as Transfer-Encoding: chunked (the signature does not cover the framing). */
function chunked(bytes: Buffer, chunkSize: number): Buffer {
  const end = bytes.indexOf('\r\n\r\n');
  const head = bytes.toString('latin1', 0, end).replace(/\r\ncontent-length: \d+/i, '\r\ntransfer-encoding: chunked');
  const body = pieces(bytes.subarray(end + 4), chunkSize).map((c) => Buffer.concat([Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n')]));
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), ...body, Buffer.from('0\r\n\r\n')]);
}

describe('HTTP/1.1 framing', () => {
  let store: TestStore;
  let server: TestServer;
  const bytes = (req: RawRequest) => requestBytes(server.url, req);

  before(async () => {
    store = await TestStore.create('sqlite');
    server = await TestServer.start(store);
  });
  after(async () => {
    await server?.stop();
    await store?.destroy();
  });

  test('pipelined requests in one write are answered in order, each in full', async () => {
    const all = Buffer.concat([await bytes(listIndices), await bytes(health), await bytes(badCreate), await bytes(listIndices)]);
    const { answers, closed } = await exchange(server.url, [all], 4);
    assert.equal(answers.length, 4);
    assertListIndices(answers[0]);
    assertHealth(answers[1]);
    assertValidation(answers[2]);
    assertListIndices(answers[3]);
    assert.equal(closed, false, 'a keep-alive connection stays open');
    assert.equal(answers[0]!.headers.connection, 'keep-alive');
  });

  test('400 pipelined requests from a client that reads nothing for a while: all answered, in order', async () => {
    const pair = Buffer.concat([await bytes(listIndices), await bytes(health)]);
    const { answers } = await exchange(server.url, [Buffer.concat(Array(200).fill(pair))], 400, { readAfter: 500 });
    assert.equal(answers.length, 400);
    answers.forEach((a, i) => (i % 2 === 0 ? assertListIndices(a) : assertHealth(a)));
  });

  test('a request written one byte at a time, and a 200 KB body in 1,000-byte pieces, are read whole', async () => {
    const slow = await exchange(server.url, pieces(await bytes(listIndices), 1), 1);
    assertListIndices(slow.answers[0]);
    const padded = `{"MaxResults": 3${' '.repeat(200_000)}}`;
    const big = await exchange(server.url, pieces(await bytes({ ...listIndices, body: padded }), 1000), 1);
    assertListIndices(big.answers[0]);
  });

  test('Connection: close is answered with connection: close, then the connection closes and later bytes are not served', async () => {
    const closing = await bytes({ ...listIndices, headers: { connection: 'close' } });
    const { answers, closed } = await exchange(server.url, [Buffer.concat([closing, await bytes(health)])], 1, { linger: 300 });
    assert.equal(answers.length, 1);
    assertListIndices(answers[0]);
    assert.equal(answers[0]!.headers.connection, 'close');
    assert.equal(closed, true);
  });

  test("a client's half-close after its requests still gets every answer, then the server closes", async () => {
    const { answers, closed } = await exchange(server.url, [await bytes(listIndices), await bytes(health)], 2, { end: true, linger: 300 });
    assertListIndices(answers[0]);
    assertHealth(answers[1]);
    assert.equal(closed, true);
  });

  test('a chunked request pipelined between plain ones: node:http takes over the connection, all three answered in order', async () => {
    const parts = [await bytes(listIndices), chunked(await bytes(listIndices), 5), await bytes(badCreate)];
    const { answers } = await exchange(server.url, [Buffer.concat(parts)], 3);
    assert.equal(answers.length, 3);
    assertListIndices(answers[0]);
    assertListIndices(answers[1]);
    assertValidation(answers[2]);
  });

  test('P-1: a body declared other than JSON (or not declared) → 404 UnknownOperationException before anything runs; the JSON types pass, parameters aside', async () => {
    for (const contentType of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/x-amz-json-1.12']) {
      const res = await rawRequest(server.url, { ...badCreate, contentType });
      assertError(res, 404, 'UnknownOperationException', `Content-Type '${contentType}'`);
    }
    const undeclared = await rawRequest(server.url, { ...badCreate, forge: (w) => delete w.headers['content-type'] });
    assertError(undeclared, 404, 'UnknownOperationException', 'No Content-Type');
    for (const contentType of ['application/x-amz-json-1.1', 'application/x-amz-json-1.0', 'application/json', 'Application/JSON; charset=utf-8']) {
      assertError(await rawRequest(server.url, { ...badCreate, contentType }), 400, 'ValidationException');
    }
    // No body: nothing to declare.
    assertOk(await rawRequest(server.url, { target: target('ListIndices'), forge: (w) => delete w.headers['content-type'] }));
  });

  test('a client that goes away in the middle of a chunked body is not logged as an error', async () => {
    const logged = server.logs.join('').length;
    const head = chunked(await bytes(listIndices), 4);
    const { hostname, port } = new URL(server.url);
    await new Promise<void>((resolve) => {
      const socket = net.connect({ host: hostname, port: Number(port) }, () => {
        socket.write(head.subarray(0, head.length - 12), () => setTimeout(() => (socket.resetAndDestroy(), resolve()), 100));
      });
    });
    const after = await exchange(server.url, [await bytes(health)], 1);
    assertHealth(after.answers[0]);
    // Requests are logged at info (one line each); nothing at warn or above for a client that left.
    const lines = server.logs.join('').slice(logged).split('\n').filter((l) => l.trim() !== '');
    assert.deepEqual(lines.filter((l) => (JSON.parse(l) as { level: string }).level !== 'info'), []);
  });

  test('Expect: 100-continue gets 100 Continue, then the answer', async () => {
    const req = await bytes({ ...listIndices, headers: { expect: '100-continue' } });
    const { answers } = await exchange(server.url, [req], 1);
    assert.deepEqual(
      answers.map((a) => a.status),
      [100, 200],
    );
    assertListIndices(answers[1]);
  });

  test('HTTP/1.0 is answered, and the connection closed after it', async () => {
    const req = editHead(await bytes(listIndices), (h) => h.replace(' HTTP/1.1', ' HTTP/1.0'));
    const { answers, closed } = await exchange(server.url, [req], 1, { linger: 300 });
    assertListIndices(answers[0]);
    assert.equal(closed, true);
  });

  test('malformed or unusual heads are refused with a JSON error (P-3): 400 SerializationException for a repeated Content-Length, a control character or no Host; 431 for a 20 KB head', async () => {
    const plain = await bytes(listIndices);
    const cases: [string, Buffer, number, string][] = [
      ['repeated content-length', editHead(plain, (h) => h.replace(/\r\ncontent-length: (\d+)/, '\r\ncontent-length: $1\r\ncontent-length: $1')), 400, 'SerializationException'],
      ['control character in a value', editHead(plain, (h) => `${h}\r\nx-extra: a\x01b`), 400, 'SerializationException'],
      ['control character in a name', editHead(plain, (h) => `${h}\r\nx-ex\x01tra: ab`), 400, 'SerializationException'],
      ['no Host', editHead(plain, (h) => h.replace(/\r\nhost: [^\r]*/, '')), 400, 'SerializationException'],
      ['20 KB head', editHead(plain, (h) => `${h}\r\nx-padding: ${'p'.repeat(20_000)}`), 431, 'RequestHeaderFieldsTooLargeException'],
    ];
    for (const [name, req, status, code] of cases) {
      const { answers, closed } = await exchange(server.url, [req], 1, { linger: 300 });
      assert.equal(answers[0]?.status, status, name);
      assert.equal(JSON.parse(answers[0]!.text).__type, code, name);
      assert.equal(answers[0]!.headers['x-amzn-errortype'], code, name);
      assert.equal(closed, true, `${name}: the connection is closed after the refusal`);
    }
  });

  test('a head ended by bare line feeds is not waited on: node:http refuses it at once (400)', async () => {
    const req = Buffer.from(`GET /health HTTP/1.1\nhost: ${new URL(server.url).host}\n\n`, 'latin1');
    const { answers, closed } = await exchange(server.url, [req], 1, { linger: 300 });
    assert.equal(answers[0]?.status, 400);
    assert.equal(closed, true);
  });

  test('a repeated X-Amz-Target reaches the service joined, as node:http joins it: UnknownOperationException', async () => {
    const req = editHead(await bytes(listIndices), (h) => `${h}\r\nx-amz-target: ${target('ListIndices')}`);
    const { answers } = await exchange(server.url, [req], 1);
    assert.equal(answers[0]?.status, 400);
    assert.equal(JSON.parse(answers[0]!.text).__type, 'UnknownOperationException');
  });

  test('a HEAD request is refused without a body (UnknownOperationException in the headers)', async () => {
    const req = Buffer.from(`HEAD /health HTTP/1.1\r\nhost: ${new URL(server.url).host}\r\n\r\n`, 'latin1');
    const { answers } = await exchange(server.url, [req], 1, { bodiless: true });
    assert.equal(answers[0]?.status, 400);
    assert.equal(answers[0]!.headers['x-amzn-errortype'], 'UnknownOperationException');
  });
});

for (const backend of backends()) {
  describeOrSkip(`node:http's path, a request whose answer takes a store round trip [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store);
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test("a client's half-close right after a chunked request still gets its answer, then the server closes", async () => {
      const { answers, closed } = await exchange(server.url, [chunked(await requestBytes(server.url, listIndices), 4)], 1, { end: true, linger: 300 });
      assert.equal(answers.length, 1);
      assertListIndices(answers[0]);
      assert.equal(closed, true);
    });
  });
}

describe('HTTP/1.1 connection time-outs (keepAliveMs 300, in process)', () => {
  let server: HttpServer;
  let url: string;
  const bytes = (req: RawRequest) => requestBytes(url, req);
  /** A service whose one operation answers after 800 ms: longer than the idle time-out. */
  const slow = { target: 'Test.Slow', body: {} } satisfies RawRequest;

  before(async () => {
    server = createHttpServer({
      authenticator: new Authenticator({ credentials: [], maxClockSkewSeconds: 900 }),
      throttle: new Throttle({}),
      services: [
        {
          prefix: 'Test',
          has: (op) => op === 'Slow',
          invoke: () => new Promise((resolve) => setTimeout(() => resolve({ Slow: true }), 800)),
        },
      ],
      maxBodyBytes: 1024 * 1024,
      health: async () => ({ status: 200, body: { status: 'ok' } }),
      keepAliveMs: 300,
    });
    const { port } = await server.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${port}`;
  });
  after(() => server.close());

  test('an idle connection is closed after keepAliveMs; one whose head stalls half-way too', async () => {
    const idle = await exchange(url, [await bytes(health)], 1, { linger: 800 });
    assertHealth(idle.answers[0]);
    assert.equal(idle.answers[0]!.headers['keep-alive'], 'timeout=0');
    assert.equal(idle.closed, true, 'closed once idle');
    const half = (await bytes(health)).subarray(0, 20);
    const stalled = await exchange(url, [half], 1, { linger: 0 });
    assert.deepEqual(stalled, { answers: [], closed: true });
  });

  test('a request whose answer takes longer than keepAliveMs is answered, not cut off', async () => {
    const { answers } = await exchange(url, [await bytes(slow)], 1);
    assert.equal(answers[0]?.status, 200);
    assert.deepEqual(JSON.parse(answers[0]!.text), { Slow: true });
  });
});
