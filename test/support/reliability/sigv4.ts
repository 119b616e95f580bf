/**
 * The SigV4 attack table: requests an attacker builds from a captured signature or forges outright,
 * each aimed at DeleteIndex on a real index, each refused with its exact status and code; afterwards
 * the index is there and the store is as it was.
 */
import { createHash } from 'node:crypto';
import { IMPLEMENTED_OPERATIONS } from '../../../src/api/kendraService.js';
import { isReadOperation } from '../../../src/http/auth.js';
import { activeIndex } from '../kendra.js';
import { rawRequest, target, type Credentials, type RawRequest } from '../rawClient.js';
import { TestServer, type TestStore } from '../server.js';
import { storeSnapshot } from '../storeSnapshot.js';
import { Tally, type AreaResult } from './tally.js';

const WRITER: Credentials = { accessKeyId: 'AKIDRELWRITER', secretAccessKey: 'rel-writer-secret' };
const READER: Credentials = { accessKeyId: 'AKIDRELREADER', secretAccessKey: 'rel-reader-secret' };
export const SIGV4_CONFIG = {
  credentials: [
    { ...WRITER, accountId: '111111111111', permissions: 'read-write' },
    { ...READER, accountId: '111111111111', permissions: 'read' },
  ],
};

interface Attack {
  name: string;
  request: (indexId: string) => RawRequest;
  status: number;
  code: string;
  /** A part of the message that says why. */
  message?: string;
}

const MINUTE = 60_000;
const del = (indexId: string): RawRequest => ({ credentials: WRITER, target: target('DeleteIndex'), body: { Id: indexId } });
const editAuth = (edit: (a: string) => string) => (w: { headers: Record<string, string> }) => (w.headers.authorization = edit(w.headers.authorization!));

export const ATTACKS: Attack[] = [
  {
    name: 'DescribeIndex signature replayed on DeleteIndex (target signed)',
    request: (id) => ({ credentials: WRITER, target: target('DescribeIndex'), body: { Id: id }, contentSha256: false, forge: (w) => (w.headers['x-amz-target'] = target('DeleteIndex')) }),
    status: 403,
    code: 'InvalidSignatureException',
    message: 'does not match',
  },
  {
    name: 'X-Amz-Target left unsigned, replayed as DeleteIndex',
    request: (id) => ({ credentials: WRITER, target: target('DescribeIndex'), body: { Id: id }, unsigned: ['x-amz-target'], forge: (w) => (w.headers['x-amz-target'] = target('DeleteIndex')) }),
    status: 403,
    code: 'InvalidSignatureException',
    message: "'X-Amz-Target' must be a 'SignedHeader'",
  },
  {
    name: 'X-Amz-Target unsigned (chunked, node:http path)',
    request: (id) => ({ ...del(id), chunked: true, unsigned: ['x-amz-target'] }),
    status: 403,
    code: 'InvalidSignatureException',
    message: "'X-Amz-Target' must be a 'SignedHeader'",
  },
  {
    name: 'an x-amz-* header added after signing',
    request: (id) => ({ ...del(id), forge: (w) => (w.headers['x-amz-security-token'] = 'stolen') }),
    status: 403,
    code: 'InvalidSignatureException',
  },
  {
    name: 'a duplicate name in SignedHeaders',
    request: (id) => ({ ...del(id), forge: editAuth((a) => a.replace('SignedHeaders=', 'SignedHeaders=content-length;')) }),
    status: 403,
    code: 'IncompleteSignatureException',
    message: 'each header name once',
  },
  {
    name: 'SignedHeaders out of order',
    request: (id) => ({ ...del(id), forge: editAuth((a) => a.replace(/SignedHeaders=([^,]*)/, (_, h: string) => `SignedHeaders=${h.split(';').reverse().join(';')}`)) }),
    status: 403,
    code: 'IncompleteSignatureException',
  },
  {
    name: 'host left out of SignedHeaders',
    request: (id) => ({ ...del(id), forge: editAuth((a) => a.replace(/SignedHeaders=([^,]*)/, (_, h: string) => `SignedHeaders=${h.split(';').filter((x) => x !== 'host').join(';')}`)) }),
    status: 403,
    code: 'InvalidSignatureException',
  },
  {
    name: 'X-Amz-Date 20 minutes old (signed for that time)',
    request: (id) => ({ ...del(id), signingDate: new Date(Date.now() - 20 * MINUTE) }),
    status: 403,
    code: 'InvalidSignatureException',
    message: 'Signature expired',
  },
  {
    name: 'X-Amz-Date 20 minutes ahead (signed for that time)',
    request: (id) => ({ ...del(id), signingDate: new Date(Date.now() + 20 * MINUTE) }),
    status: 403,
    code: 'InvalidSignatureException',
    message: 'Signature expired',
  },
  {
    name: 'X-Amz-Date changed after signing',
    request: (id) => ({ ...del(id), forge: (w) => (w.headers['x-amz-date'] = w.headers['x-amz-date']!.replace(/\d\dZ$/, (s) => `${String((Number(s.slice(0, 2)) + 1) % 60).padStart(2, '0')}Z`)) }),
    status: 403,
    code: 'InvalidSignatureException',
  },
  {
    name: 'X-Amz-Date removed',
    request: (id) => ({ ...del(id), forge: (w) => delete w.headers['x-amz-date'] }),
    status: 403,
    code: 'IncompleteSignatureException',
  },
  {
    name: 'X-Amz-Date not a date',
    request: (id) => ({ ...del(id), forge: (w) => (w.headers['x-amz-date'] = 'yesterday') }),
    status: 403,
    code: 'IncompleteSignatureException',
  },
  {
    name: 'credential scope of another day',
    request: (id) => ({ ...del(id), forge: editAuth((a) => a.replace(/Credential=([^/]*)\/(\d{8})\//, (_, k: string) => `Credential=${k}/20200101/`)) }),
    status: 403,
    code: 'InvalidSignatureException',
  },
  {
    name: 'credential scope of another service',
    request: (id) => ({ ...del(id), forge: editAuth((a) => a.replace('/kendra/aws4_request', '/s3/aws4_request')) }),
    status: 403,
    code: 'InvalidSignatureException',
  },
  {
    name: 'body hash claimed for another body (x-amz-content-sha256)',
    request: (id) => ({ ...del(id), headers: { 'x-amz-content-sha256': createHash('sha256').update('{}').digest('hex') } }),
    status: 403,
    code: 'InvalidSignatureException',
    message: 'x-amz-content-sha256',
  },
  {
    name: 'UNSIGNED-PAYLOAD claimed',
    request: (id) => ({ ...del(id), headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }),
    status: 403,
    code: 'InvalidSignatureException',
    message: 'x-amz-content-sha256',
  },
  {
    name: 'body swapped after signing (same length)',
    request: (id) => ({ ...del(id), contentSha256: false, forge: (w) => (w.body = Buffer.from(JSON.stringify({ Id: id.replace(/.$/, (c) => (c === '0' ? '1' : '0')) }))) }),
    status: 403,
    code: 'InvalidSignatureException',
    message: 'does not match',
  },
  {
    name: 'Host header changed after signing',
    request: (id) => ({ ...del(id), forge: (w) => (w.headers.host = 'evil.example.com') }),
    status: 403,
    code: 'InvalidSignatureException',
  },
  {
    name: 'signature of the right length, wrong value',
    request: (id) => ({ ...del(id), forge: editAuth((a) => a.replace(/Signature=([0-9a-f])/, (_, c: string) => `Signature=${c === '0' ? '1' : '0'}`)) }),
    status: 403,
    code: 'InvalidSignatureException',
  },
  {
    name: 'signature in upper-case hex',
    request: (id) => ({ ...del(id), forge: editAuth((a) => a.replace(/Signature=([0-9a-f]+)$/, (_, s: string) => `Signature=${s.toUpperCase()}`)) }),
    status: 403,
    code: 'IncompleteSignatureException',
    message: '64 lowercase hexadecimal characters',
  },
  {
    name: 'algorithm AWS4-HMAC-SHA1',
    request: (id) => ({ ...del(id), forge: editAuth((a) => a.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1')) }),
    status: 403,
    code: 'IncompleteSignatureException',
  },
  {
    name: 'no Authorization header',
    request: (id) => ({ ...del(id), credentials: null }),
    status: 403,
    code: 'MissingAuthenticationTokenException',
  },
  {
    name: 'unknown access key',
    request: (id) => ({ ...del(id), credentials: { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' } }),
    status: 403,
    code: 'UnrecognizedClientException',
  },
  {
    name: 'known key, wrong secret',
    request: (id) => ({ ...del(id), credentials: { accessKeyId: WRITER.accessKeyId, secretAccessKey: 'guess' } }),
    status: 403,
    code: 'InvalidSignatureException',
    message: 'does not match',
  },
  {
    name: "the read key with the writer's secret",
    request: (id) => ({ ...del(id), credentials: { accessKeyId: READER.accessKeyId, secretAccessKey: WRITER.secretAccessKey } }),
    status: 403,
    code: 'InvalidSignatureException',
  },
  {
    name: 'the read key writing (DeleteIndex)',
    request: (id) => ({ ...del(id), credentials: READER }),
    status: 400,
    code: 'AccessDeniedException',
    message: 'kendra:DeleteIndex',
  },
];

/** Every attack against a server with credentials configured; then the index and the store are checked. */
export async function sigv4Attacks(o: { store: TestStore; backend: string }): Promise<AreaResult> {
  const tally = new Tally('SigV4 attack table', o.backend);
  const server = await TestServer.start(o.store, { config: SIGV4_CONFIG });
  try {
    const k = server.client(WRITER);
    const indexId = await activeIndex(k, 'sigv4-target');
    const before = JSON.stringify(await storeSnapshot(o.store));
    for (const a of ATTACKS) {
      await tally.attempt(a.name, async () => {
        const res = await rawRequest(server.url, a.request(indexId));
        const code = res.json?.__type;
        if (res.status !== a.status || code !== a.code || res.headers['x-amzn-errortype'] !== a.code) return `answered ${res.status} ${res.text.slice(0, 200)}`;
        if (a.message && !String(res.json.message).includes(a.message)) return `message does not say ${JSON.stringify(a.message)}: ${res.json.message}`;
        return undefined;
      });
    }
    // The read key refused every implemented write the same way, and nothing was written.
    await tally.attempt('the read key refused on every implemented write operation', async () => {
      for (const op of IMPLEMENTED_OPERATIONS) {
        const res = await rawRequest(server.url, { credentials: READER, target: target(op), body: { Id: indexId, IndexId: indexId } });
        if (!isReadOperation(op) && res.json?.__type !== 'AccessDeniedException') return `${op}: ${res.status} ${res.text.slice(0, 200)}`;
        if (res.status >= 500) return `${op}: ${res.status}`;
      }
      return undefined;
    });
    await tally.attempt('the index is there and the store unchanged after every attack', async () =>
      JSON.stringify(await storeSnapshot(o.store)) === before ? undefined : 'the store changed',
    );
  } finally {
    await server.stop();
  }
  return tally.result;
}
