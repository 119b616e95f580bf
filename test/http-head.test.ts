// The request head as kendrite's own HTTP/1.1 path reads it (src/http/http1.ts parseHead, a byte scan):
// exactly the heads it serves, each header as node:http would give it (name lower-cased, value trimmed
// of spaces and tabs, Latin-1), and undefined — node:http's to judge — for anything else.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseHead } from '../src/http/http1.js';

/** `head` (without the blank line) parsed as the connection parses it: its bytes, then CRLF CRLF and a body. */
function parse(head: string) {
  const bytes = Buffer.from(`${head}\r\n\r\n{}`, 'latin1');
  return parseHead(bytes, bytes.indexOf('\r\n\r\n'));
}

function fields(head: string): Record<string, string | string[] | undefined> | undefined {
  const h = parse(head);
  return h && { ...h.headers };
}

describe('the request head on kendrite’s own HTTP/1.1 path', () => {
  test('a signed POST: method, target, every header lower-cased, the x-amz-* names, the length', () => {
    const h = parse(
      'POST / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 2\r\n' +
        'X-Amz-Target: AWSKendraFrontendService.Query\r\nX-Amz-Date: 20240101T000000Z\r\nAuthorization: AWS4-HMAC-SHA256 Credential=a/b\r\n' +
        'X-Custom-Thing: v',
    );
    assert.ok(h);
    assert.equal(h.method, 'POST');
    assert.equal(h.target, '/');
    assert.deepEqual({ ...h.headers }, {
      host: '127.0.0.1:8080',
      'content-type': 'application/x-amz-json-1.1',
      'content-length': '2',
      'x-amz-target': 'AWSKendraFrontendService.Query',
      'x-amz-date': '20240101T000000Z',
      authorization: 'AWS4-HMAC-SHA256 Credential=a/b',
      'x-custom-thing': 'v',
    });
    assert.deepEqual(h.amzHeaders, ['x-amz-target', 'x-amz-date']);
    assert.equal(h.length, 2);
    assert.equal(h.close, false);
  });

  test('GET with a query; no Content-Length is a length of 0; Connection is read in any case', () => {
    const h = parse('GET /health?x=%41&y HTTP/1.1\r\nhost: a\r\nconnection: Close');
    assert.ok(h);
    assert.deepEqual([h.method, h.target, h.length, h.close], ['GET', '/health?x=%41&y', 0, true]);
    assert.equal(parse('GET / HTTP/1.1\r\nhost: a\r\nConnection: keep-alive')?.close, false);
  });

  test('values: spaces and tabs trimmed at both ends only, empty values kept, bytes from 0x80 as Latin-1', () => {
    assert.deepEqual(fields('POST / HTTP/1.1\r\nHost:a\r\nx-a: \t in  side \t \r\nx-b:\r\nx-c:   \r\nx-d: caf\xe9'), {
      host: 'a',
      'x-a': 'in  side',
      'x-b': '',
      'x-c': '',
      'x-d': 'caf\xe9',
    });
  });

  test('a header named like an Object property is an ordinary header; none is present unless sent', () => {
    const h = parse('POST / HTTP/1.1\r\nhost: a\r\nconstructor: 1\r\n__proto__: 2\r\ntoString: 3');
    assert.ok(h);
    assert.deepEqual(Object.keys(h.headers), ['host', 'constructor', '__proto__', 'tostring']);
    assert.equal(h.headers['constructor'], '1');
    assert.equal(h.headers['__proto__'], '2');
    assert.equal(h.headers['tostring'], '3');
    const plain = parse('POST / HTTP/1.1\r\nhost: a');
    assert.ok(plain);
    assert.equal(plain.headers['constructor'], undefined);
    assert.equal(plain.headers['hasOwnProperty'], undefined);
    assert.equal('toString' in plain.headers, false);
  });

  test('names that look like a known one but are not are kept as sent, lower-cased', () => {
    assert.deepEqual(Object.keys(parse('POST / HTTP/1.1\r\nHOST: a\r\nHos~: b\r\nX-AMZ-DATEX: c\r\nX-Amz-Dat: d')!.headers), ['host', 'hos~', 'x-amz-datex', 'x-amz-dat']);
  });

  for (const [what, head] of [
    ['another method', 'PUT / HTTP/1.1\r\nhost: a'],
    ['a lower-case method', 'post / HTTP/1.1\r\nhost: a'],
    ['HTTP/1.0', 'POST / HTTP/1.0\r\nhost: a'],
    ['two spaces before the target', 'POST  / HTTP/1.1\r\nhost: a'],
    ['no target', 'POST HTTP/1.1\r\nhost: a'],
    ['a byte from 0x80 in the target', 'POST /\xe9 HTTP/1.1\r\nhost: a'],
    ['text after the version', 'POST / HTTP/1.1 \r\nhost: a'],
    ['no header at all', 'POST / HTTP/1.1'],
    ['no Host', 'POST / HTTP/1.1\r\ncontent-length: 0'],
    ['a repeated header, in another case', 'POST / HTTP/1.1\r\nhost: a\r\nX-Amz-Target: x\r\nx-amz-target: y'],
    ['a repeated Host', 'POST / HTTP/1.1\r\nhost: a\r\nHost: a'],
    ['an obs-fold continuation line', 'POST / HTTP/1.1\r\nhost: a\r\nx-a: b\r\n c'],
    ['a tab-led continuation line', 'POST / HTTP/1.1\r\nhost: a\r\nx-a: b\r\n\tc'],
    ['a space before the colon', 'POST / HTTP/1.1\r\nhost : a'],
    ['an empty name', 'POST / HTTP/1.1\r\nhost: a\r\n: b'],
    ['a line without a colon', 'POST / HTTP/1.1\r\nhost: a\r\nx-a'],
    ['a name with a separator in it', 'POST / HTTP/1.1\r\nhost: a\r\nx(a): b'],
    ['a control character in a value', 'POST / HTTP/1.1\r\nhost: a\r\nx-a: b\x01c'],
    ['DEL in a value', 'POST / HTTP/1.1\r\nhost: a\r\nx-a: b\x7f'],
    ['a bare CR in a value', 'POST / HTTP/1.1\r\nhost: a\r\nx-a: b\rc'],
    ['a bare LF ending a line', 'POST / HTTP/1.1\r\nhost: a\nx-a: b'],
    ['a CR at the end of the last line', 'POST / HTTP/1.1\r\nhost: a\r'],
    ['Transfer-Encoding', 'POST / HTTP/1.1\r\nhost: a\r\nTransfer-Encoding: chunked'],
    ['Expect', 'POST / HTTP/1.1\r\nhost: a\r\nexpect: 100-continue'],
    ['Upgrade', 'GET / HTTP/1.1\r\nhost: a\r\nupgrade: websocket'],
    ['a Content-Length not all digits', 'POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 1e3'],
    ['a Content-Length of 16 digits', 'POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 1234567890123456'],
    ['a negative Content-Length', 'POST / HTTP/1.1\r\nhost: a\r\ncontent-length: -1'],
    ['Connection: upgrade', 'GET / HTTP/1.1\r\nhost: a\r\nconnection: upgrade'],
    ['Connection with two options', 'GET / HTTP/1.1\r\nhost: a\r\nconnection: keep-alive, close'],
  ] as const) {
    test(`left to node:http: ${what}`, () => {
      assert.equal(parse(head), undefined);
    });
  }

  test('the head ends where the blank line begins: what follows is not read', () => {
    const bytes = Buffer.from('POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 3\r\n\r\nx-a: b\r\n', 'latin1');
    assert.deepEqual({ ...parseHead(bytes, bytes.indexOf('\r\n\r\n'))!.headers }, { host: 'a', 'content-length': '3' });
  });
});
