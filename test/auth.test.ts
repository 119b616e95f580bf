// P-6 / P-8: SigV4 authentication and per-key authorization, against real signers only
// (@smithy/signature-v4 as @aws-sdk/client-kendra uses it, botocore, boto3, the AWS CLI).
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CreateIndexCommand, KendraClient, ListIndicesCommand } from '@aws-sdk/client-kendra';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  Authenticator,
  DEFAULT_ACCOUNT_ID,
  authorize,
  isReadOperation,
  type AuthConfig,
  type Caller,
  type CredentialConfig,
  rootCanonicalRequest,
  type SignedRequest,
} from '../src/http/auth.js';
import { constantTimeEqual, HmacKey } from '../src/http/hmacKey.js';
import { KendraError } from '../src/protocol/errors.js';

const RW: CredentialConfig = {
  accessKeyId: 'AKIDREADWRITE0000001',
  secretAccessKey: 'rw/secret+Key0000000000000000000000000000',
  accountId: '111122223333',
  permissions: 'read-write',
};
const RO: CredentialConfig = {
  accessKeyId: 'AKIDREADONLY00000001',
  secretAccessKey: 'ro-secret-key-000000000000000000000000000',
  accountId: '444455556666',
  permissions: 'read',
};
const CONFIG: AuthConfig = { credentials: [RW, RO], maxClockSkewSeconds: 900 };
const HOST = '127.0.0.1:4580';
const REGION = 'eu-west-1';
const BODY = JSON.stringify({ MaxResults: 5 });
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const BOTO_SIGN = fileURLToPath(new URL('../../test/support/botoSign.py', import.meta.url));
const hasBoto = spawnSync('python3', ['-c', 'import botocore.auth, boto3'], { stdio: 'ignore' }).status === 0;
const botoSkip = hasBoto ? false : 'skipped: boto3 not found';
const hasCli = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;
const cliSkip = hasCli ? false : 'skipped: aws CLI not found';

interface SmithyOptions {
  key?: CredentialConfig | { accessKeyId: string; secretAccessKey: string };
  region?: string;
  service?: string;
  date?: Date;
  body?: string;
  target?: string;
  /** The SDK sends x-amz-content-sha256; a bare SignatureV4 with applyChecksum false does not. */
  contentSha?: boolean;
  /** Headers sent but left out of the signature, as a forger would. */
  unsigned?: string[];
}

/** Signs the way @aws-sdk/client-kendra does: same headers, same signer, same hash. */
async function smithySign(opts: SmithyOptions = {}): Promise<SignedRequest> {
  const key = opts.key ?? RW;
  const body = opts.body ?? BODY;
  const signer = new SignatureV4({
    service: opts.service ?? 'kendra',
    region: opts.region ?? REGION,
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: opts.contentSha ?? true,
  });
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4580,
    path: '/',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSKendraFrontendService.${opts.target ?? 'ListIndices'}`,
      'content-length': String(Buffer.byteLength(body)),
      'x-amz-user-agent': 'aws-sdk-js/3.0.0',
      'user-agent': 'aws-sdk-js/3.0.0 ua/2.1 lang/js',
      host: HOST,
      'amz-sdk-invocation-id': randomUUID(),
      'amz-sdk-request': 'attempt=1; max=3',
    },
    body,
  });
  const signed = await signer.sign(request, { signingDate: opts.date ?? new Date(), unsignableHeaders: new Set(opts.unsigned ?? []) });
  return toSignedRequest('POST', '/', signed.headers, Buffer.from(body));
}

/** What node:http hands the server: lowercase header names. */
function toSignedRequest(method: string, path: string, headers: Record<string, string>, body: Buffer): SignedRequest {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return { method, path, headers: lower, body };
}

interface BotoInput {
  path?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  key?: { accessKeyId: string; secretAccessKey: string };
  region?: string;
}

function runPython(args: string[], input: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = execFile('python3', args, { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
    child.stdin!.end(JSON.stringify(input));
  });
}

/** Signs with botocore.auth.SigV4Auth (one python process for the whole batch). */
async function botoSign(inputs: BotoInput[]): Promise<SignedRequest[]> {
  const specs = inputs.map((i) => ({
    method: 'POST',
    url: `http://${HOST}${i.path ?? '/'}`,
    headers: i.headers ?? {
      'X-Amz-Target': 'AWSKendraFrontendService.ListIndices',
      'Content-Type': 'application/x-amz-json-1.1',
      'User-Agent': 'Boto3/1.0 md/Botocore#1.0',
    },
    body_b64: (i.body ?? Buffer.from('{"MaxResults": 5}')).toString('base64'),
    access_key: (i.key ?? RW).accessKeyId,
    secret_key: (i.key ?? RW).secretAccessKey,
    region: i.region ?? REGION,
    service: 'kendra',
  }));
  const signed = (await runPython([BOTO_SIGN], specs)) as Record<string, string>[];
  return signed.map((headers, n) => {
    const input = inputs[n]!;
    // botocore signs host from the URL; urllib3 then sends it as the Host header.
    return toSignedRequest('POST', input.path ?? '/', { ...headers, Host: HOST }, input.body ?? Buffer.from('{"MaxResults": 5}'));
  });
}

async function assertKendraError(promise: Promise<unknown>, code: string, status: number, message?: RegExp | string, where = '') {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof KendraError, `expected a KendraError, got ${String(err)} ${where}`);
    assert.equal(err.code, code, `${err.message} ${where}`);
    assert.equal(err.status, status);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  });
}

function withAuthorization(req: SignedRequest, authorization: string | undefined): SignedRequest {
  const headers = { ...req.headers };
  if (authorization === undefined) delete headers.authorization;
  else headers.authorization = authorization;
  return { ...req, headers };
}

describe('P-6 accepts real signers', () => {
  const auth = new Authenticator(CONFIG);

  test('@smithy/signature-v4 as the JS SDK signs (x-amz-content-sha256, amz-sdk-* signed)', async () => {
    const req = await smithySign();
    const signed = 'amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent';
    assert.ok(String(req.headers.authorization).includes(`SignedHeaders=${signed},`), String(req.headers.authorization));
    const caller = await auth.authenticate(req);
    assert.deepEqual(caller, { accountId: RW.accountId, region: REGION, accessKeyId: RW.accessKeyId, canWrite: true });
  });

  test('@smithy/signature-v4 without x-amz-content-sha256', async () => {
    const req = await smithySign({ contentSha: false });
    assert.equal(req.headers['x-amz-content-sha256'], undefined);
    await auth.authenticate(req);
  });

  test('P-8: region comes from the credential scope, account from the key', async () => {
    const caller = await auth.authenticate(await smithySign({ key: RO, region: 'ap-southeast-2' }));
    assert.deepEqual(caller, { accountId: RO.accountId, region: 'ap-southeast-2', accessKeyId: RO.accessKeyId, canWrite: false });
  });

  test('headers the client did not sign may change (user-agent, amz-sdk-request on retry)', async () => {
    const req = await smithySign();
    req.headers['user-agent'] = 'something else';
    req.headers['x-forwarded-for'] = '10.0.0.1';
    await auth.authenticate(req);
  });

  test('14 minutes of clock skew either way is accepted', async () => {
    const date = new Date('2024-01-01T00:10:00Z');
    const req = await smithySign({ date });
    await new Authenticator(CONFIG, () => date.getTime() + 14 * 60_000).authenticate(req);
    await new Authenticator(CONFIG, () => date.getTime() - 14 * 60_000).authenticate(req);
  });

  test('botocore SigV4Auth (json.dumps spacing, only 4 headers signed)', { skip: botoSkip }, async () => {
    const [req] = await botoSign([{}]);
    assert.match(String(req!.headers.authorization), /SignedHeaders=content-type;host;x-amz-date;x-amz-target,/);
    assert.equal(req!.body.toString(), '{"MaxResults": 5}');
    const caller = await auth.authenticate(req!);
    assert.equal(caller.accountId, RW.accountId);
    assert.equal(caller.region, REGION);
  });

  test('botocore: signed Date header, encoded path, repeated and encoded query parameters, binary body', { skip: botoSkip }, async () => {
    const body = Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 13]);
    const signed = await botoSign([
      {
        // A Date header the caller set makes botocore sign with Date alone, no X-Amz-Date
        // (smithy's signRequest would strip a signed date header).
        headers: { 'Content-Type': 'application/x-amz-json-1.1', Date: 'Mon, 01 Jan 2024 00:00:00 GMT', 'X-Custom': '  a   b  ' },
        path: '/some%20path/./x/../y?b=2&a=1&a=0&c=x%20y%2Fz&flag',
        body,
        key: RO,
        region: 'us-west-2',
      },
    ]);
    const req = signed[0]!;
    assert.match(String(req.headers.authorization), /SignedHeaders=content-type;date;host;x-custom,/);
    assert.equal(req.headers['x-amz-date'], undefined);
    req.headers['x-custom'] = 'a   b'; // node:http trims the value's outer whitespace
    const caller = await auth.authenticate(req);
    assert.equal(caller.region, 'us-west-2');
    assert.equal(caller.canWrite, false);
  });
});

describe('P-6 rejects', () => {
  const t0 = new Date('2024-01-01T00:10:00Z');
  const auth = new Authenticator(CONFIG, () => t0.getTime());

  test('no Authorization header → MissingAuthenticationTokenException', async () => {
    const req = withAuthorization(await smithySign({ date: t0 }), undefined);
    await assertKendraError(auth.authenticate(req), 'MissingAuthenticationTokenException', 403, 'Missing Authentication Token');
  });

  test('garbled Authorization headers → IncompleteSignatureException', async () => {
    const req = await smithySign({ date: t0 });
    const good = String(req.headers.authorization);
    const sig = good.slice(good.indexOf('Signature=') + 10);
    const cred = `${RW.accessKeyId}/20240101/${REGION}/kendra/aws4_request`;
    const forms: [string, RegExp][] = [
      ['Bearer eyJhbGciOiJIUzI1NiJ9.e30.x', /requires 'Credential' parameter.*Authorization=Bearer/],
      [`AWS ${RW.accessKeyId}:c2lnbmF0dXJl`, /AWS4-HMAC-SHA256/],
      ['AWS4-HMAC-SHA256', /requires 'Credential' parameter\. .*requires 'Signature' parameter\. .*requires 'SignedHeaders' parameter\./],
      [`AWS4-HMAC-SHA256 Credential=${cred}, Signature=${sig}`, /requires 'SignedHeaders' parameter\./],
      [`AWS4-HMAC-SHA256 Credential=${cred}, SignedHeaders=host;x-amz-date`, /requires 'Signature' parameter\./],
      [`AWS4-HMAC-SHA256 Credential=${RW.accessKeyId} /20240101/${REGION}/kendra/aws4_request, SignedHeaders=host, Signature=${sig}`, /not a valid key=value pair/],
      [`AWS4-HMAC-SHA256 Credential=${RW.accessKeyId}/20240101/kendra/aws4_request, SignedHeaders=host, Signature=${sig}`, /exactly 5 slash-delimited/],
      [`AWS4-HMAC-SHA256 Credential=${RW.accessKeyId}/2024-01-01/${REGION}/kendra/aws4_request, SignedHeaders=host, Signature=${sig}`, /valid date/],
      [`AWS4-HMAC-SHA256 Credential=${RW.accessKeyId}/20240101/${REGION}/kendra/aws4, SignedHeaders=host, Signature=${sig}`, /terminator/],
      [`AWS4-HMAC-SHA256 Credential=${cred}, SignedHeaders=Host;X-Amz-Date, Signature=${sig}`, /SignedHeaders/],
      [`AWS4-HMAC-SHA256 Credential=${cred}, SignedHeaders=host;host;x-amz-date;x-amz-target, Signature=${sig}`, /each header name once, in sorted order/],
      [`AWS4-HMAC-SHA256 Credential=${cred}, SignedHeaders=host;x-amz-target;x-amz-date, Signature=${sig}`, /each header name once, in sorted order/],
      [`AWS4-HMAC-SHA256 Credential=${cred}, SignedHeaders=host;;x-amz-date, Signature=${sig}`, /SignedHeaders must be a ';'-separated list/],
      [`AWS4-HMAC-SHA256 Credential=${cred}, SignedHeaders=host, Signature=${sig.slice(0, 40)}`, /Signature must be 64/],
      [`AWS4-HMAC-SHA256 Credential=${cred}, SignedHeaders=host, Signature=${sig.toUpperCase()}`, /Signature must be 64/],
    ];
    for (const [header, message] of forms) {
      await assertKendraError(auth.authenticate(withAuthorization(req, header)), 'IncompleteSignatureException', 403, message);
    }
  });

  test('no X-Amz-Date and no Date header → IncompleteSignatureException; garbled X-Amz-Date too', async () => {
    const req = await smithySign({ date: t0 });
    const { 'x-amz-date': _, ...headers } = req.headers;
    await assertKendraError(
      auth.authenticate({ ...req, headers }),
      'IncompleteSignatureException',
      403,
      /requires existence of either a 'X-Amz-Date' or a 'Date' header/,
    );
    for (const bad of ['2024-01-01T00:10:00Z', '20240231T001000Z', 'yesterday']) {
      await assertKendraError(auth.authenticate({ ...req, headers: { ...headers, 'x-amz-date': bad } }), 'IncompleteSignatureException', 403, /ISO-8601/);
    }
  });

  test('unknown access key → UnrecognizedClientException', async () => {
    const req = await smithySign({ date: t0, key: { accessKeyId: 'AKIDNOTCONFIGURED001', secretAccessKey: 'x' } });
    await assertKendraError(auth.authenticate(req), 'UnrecognizedClientException', 403, 'The security token included in the request is invalid.');
  });

  test('wrong secret (forged signature) → InvalidSignatureException', async () => {
    const req = await smithySign({ date: t0, key: { accessKeyId: RW.accessKeyId, secretAccessKey: 'guessed' } });
    await assertKendraError(auth.authenticate(req), 'InvalidSignatureException', 403, MISMATCH);
  });

  test('body altered after signing, no x-amz-content-sha256 → InvalidSignatureException', async () => {
    const req = await smithySign({ date: t0, contentSha: false });
    await assertKendraError(auth.authenticate({ ...req, body: Buffer.from('{"MaxResults":6}') }), 'InvalidSignatureException', 403, MISMATCH);
  });

  test('body altered after signing, x-amz-content-sha256 sent → InvalidSignatureException (checksum)', async () => {
    const req = await smithySign({ date: t0 });
    await assertKendraError(
      auth.authenticate({ ...req, body: Buffer.from('{"MaxResults":6}') }),
      'InvalidSignatureException',
      403,
      /x-amz-content-sha256 header does not match what was computed/,
    );
  });

  test('x-amz-content-sha256 not the body hash (e.g. UNSIGNED-PAYLOAD) → InvalidSignatureException', async () => {
    const req = await smithySign({ date: t0 });
    for (const value of ['UNSIGNED-PAYLOAD', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']) {
      await assertKendraError(
        auth.authenticate({ ...req, headers: { ...req.headers, 'x-amz-content-sha256': value } }),
        'InvalidSignatureException',
        403,
        /x-amz-content-sha256 header does not match what was computed/,
      );
    }
  });

  test('signed header altered after signing (target swapped) → InvalidSignatureException', async () => {
    const req = await smithySign({ date: t0 });
    req.headers['x-amz-target'] = 'AWSKendraFrontendService.DeleteIndex';
    await assertKendraError(auth.authenticate(req), 'InvalidSignatureException', 403, MISMATCH);
  });

  test('signed header removed after signing → InvalidSignatureException', async () => {
    const req = await smithySign({ date: t0 });
    delete req.headers['amz-sdk-invocation-id'];
    await assertKendraError(auth.authenticate(req), 'InvalidSignatureException', 403, MISMATCH);
  });

  test('a later request of the same client (cached header parse) is verified just the same', async () => {
    await auth.authenticate(await smithySign({ date: t0 }));
    const req = await smithySign({ date: t0 });
    const header = String(req.headers.authorization);
    const last = header.at(-1) === '0' ? '1' : '0';
    await assertKendraError(auth.authenticate(withAuthorization(req, header.slice(0, -1) + last)), 'InvalidSignatureException', 403, MISMATCH);
    const upper = withAuthorization(req, header.slice(0, -64) + header.slice(-64).toUpperCase());
    await assertKendraError(auth.authenticate(upper), 'IncompleteSignatureException', 403, /Signature must be 64/);
    const { 'x-amz-date': _, ...noDate } = req.headers;
    await assertKendraError(auth.authenticate({ ...req, headers: noDate }), 'IncompleteSignatureException', 403, /'X-Amz-Date' or a 'Date' header/);
    await auth.authenticate(req);
  });

  test('an access key configured twice is refused at start-up', () => {
    assert.throws(() => new Authenticator({ credentials: [RW, { ...RW, permissions: 'read' }], maxClockSkewSeconds: 900 }), /configured twice/);
  });

  test('16 minutes in the past → InvalidSignatureException "Signature expired"', async () => {
    const req = await smithySign({ date: new Date(t0.getTime() - 16 * 60_000) });
    await assertKendraError(
      auth.authenticate(req),
      'InvalidSignatureException',
      403,
      'Signature expired: 20231231T235400Z is now earlier than 20231231T235500Z (20240101T001000Z - 15 min.)',
    );
  });

  test('16 minutes in the future → InvalidSignatureException "not yet current"', async () => {
    const req = await smithySign({ date: new Date(t0.getTime() + 16 * 60_000) });
    await assertKendraError(
      auth.authenticate(req),
      'InvalidSignatureException',
      403,
      /^Signature not yet current: 20240101T002600Z is still later than 20240101T002500Z \(20240101T001000Z \+ 15 min\.\).*Signature expired/,
    );
  });

  test('maxClockSkewSeconds is honoured', async () => {
    const req = await smithySign({ date: new Date(t0.getTime() - 61_000) });
    const strict = new Authenticator({ ...CONFIG, maxClockSkewSeconds: 60 }, () => t0.getTime());
    await assertKendraError(strict.authenticate(req), 'InvalidSignatureException', 403, /Signature expired: .*- 1 min\.\)/);
  });

  test('credential scope for another service → InvalidSignatureException', async () => {
    const req = await smithySign({ date: t0, service: 's3' });
    await assertKendraError(auth.authenticate(req), 'InvalidSignatureException', 403, /scoped to correct service: 'kendra'/);
  });

  test('scope date not the X-Amz-Date day → InvalidSignatureException', async () => {
    const req = await smithySign({ date: t0 });
    req.headers['x-amz-date'] = '20240102T000000Z';
    await assertKendraError(auth.authenticate(req), 'InvalidSignatureException', 403, /Date in Credential scope does not match.*'20240101' != '20240102'/);
  });

  test('botocore with the wrong secret, and with the body altered', { skip: botoSkip }, async () => {
    const [forged, altered] = await botoSign([{ key: { accessKeyId: RO.accessKeyId, secretAccessKey: 'nope' } }, {}]);
    const live = new Authenticator(CONFIG);
    await assertKendraError(live.authenticate(forged!), 'InvalidSignatureException', 403, MISMATCH);
    await assertKendraError(live.authenticate({ ...altered!, body: Buffer.from('{"MaxResults": 6}') }), 'InvalidSignatureException', 403, MISMATCH);
  });
});

describe('P-6 what must be signed: host, the date and every x-amz-* header (with and without credentials)', () => {
  const t0 = new Date('2024-01-01T00:10:00Z');
  const modes: [string, Authenticator][] = [
    ['credentials', new Authenticator(CONFIG, () => t0.getTime())],
    ['open', new Authenticator({ credentials: [], maxClockSkewSeconds: 900 }, () => t0.getTime())],
  ];
  const notSigned = (name: string) => `'${name}' must be a 'SignedHeader' in the AWS Authorization.`;

  test('a DescribeIndex signature replayed as DeleteIndex, X-Amz-Target left out of SignedHeaders → InvalidSignatureException', async () => {
    const req = await smithySign({ date: t0, target: 'DescribeIndex', body: '{"Id":"x"}', unsigned: ['x-amz-target'] });
    assert.doesNotMatch(String(req.headers.authorization), /x-amz-target/);
    req.headers['x-amz-target'] = 'AWSKendraFrontendService.DeleteIndex';
    for (const [mode, auth] of modes) await assertKendraError(auth.authenticate(req), 'InvalidSignatureException', 403, notSigned('X-Amz-Target'), mode);
  });

  test('X-Amz-Date, X-Amz-Content-Sha256, X-Amz-Security-Token present but not signed → InvalidSignatureException', async () => {
    for (const [name, shown] of [['x-amz-date', 'X-Amz-Date'], ['x-amz-content-sha256', 'X-Amz-Content-Sha256'], ['x-amz-user-agent', 'X-Amz-User-Agent']]) {
      const req = await smithySign({ date: t0, unsigned: [name!] });
      for (const [mode, auth] of modes) await assertKendraError(auth.authenticate(req), 'InvalidSignatureException', 403, notSigned(shown!), mode);
    }
    const added = await smithySign({ date: t0 });
    added.headers['x-amz-security-token'] = 'a-token-added-by-a-relay';
    for (const [mode, auth] of modes) await assertKendraError(auth.authenticate(added), 'InvalidSignatureException', 403, notSigned('X-Amz-Security-Token'), mode);
  });

  test('Host not signed, and a Date header used as the request time but not signed → InvalidSignatureException', async () => {
    const req = await smithySign({ date: t0 });
    const good = String(req.headers.authorization);
    const sig = good.slice(-64);
    const cred = `${RW.accessKeyId}/20240101/${REGION}/kendra/aws4_request`;
    const noHost = withAuthorization(req, `AWS4-HMAC-SHA256 Credential=${cred}, SignedHeaders=content-type;x-amz-date;x-amz-target, Signature=${sig}`);
    const { 'x-amz-date': _, 'x-amz-content-sha256': _sha, 'x-amz-user-agent': _ua, ...rest } = req.headers;
    const byDate = withAuthorization(
      { ...req, headers: { ...rest, date: 'Mon, 01 Jan 2024 00:10:00 GMT' } },
      `AWS4-HMAC-SHA256 Credential=${cred}, SignedHeaders=content-type;host;x-amz-target, Signature=${sig}`,
    );
    for (const [mode, auth] of modes) {
      await assertKendraError(auth.authenticate(noHost), 'InvalidSignatureException', 403, notSigned('Host'), mode);
      await assertKendraError(auth.authenticate(byDate), 'InvalidSignatureException', 403, notSigned('Date'), mode);
    }
  });

  test('a repeated or unsorted SignedHeaders list → IncompleteSignatureException, even where the signature over the list once would match', async () => {
    const req = await smithySign({ date: t0 });
    const good = String(req.headers.authorization);
    const list = /SignedHeaders=([^,]+),/.exec(good)![1]!;
    const names = list.split(';');
    const forms = [
      list.replace('host', 'host;host'),
      [...names, 'x-amz-target'].sort().join(';'),
      [...names].reverse().join(';'),
    ];
    for (const form of forms) {
      for (const [mode, auth] of modes) {
        await assertKendraError(auth.authenticate(withAuthorization(req, good.replace(list, form))), 'IncompleteSignatureException', 403, /each header name once, in sorted order/, `${mode}: ${form}`);
      }
    }
    for (const [, auth] of modes) await auth.authenticate(req);
  });
});

describe('P-6 open mode (no credentials configured)', () => {
  const open = new Authenticator({ credentials: [], maxClockSkewSeconds: 900 }, () => Date.parse('2030-01-01T00:00:00Z'));

  test('accepts a well-formed request signed with any key, at any time', async () => {
    const req = await smithySign({
      key: { accessKeyId: 'whatever', secretAccessKey: 'anything' },
      region: 'us-east-2',
      date: new Date('2020-05-05T00:00:00Z'),
    });
    req.body = Buffer.from('changed after signing');
    const caller = await open.authenticate(req);
    assert.deepEqual(caller, { accountId: DEFAULT_ACCOUNT_ID, region: 'us-east-2', accessKeyId: 'whatever', canWrite: true });
    assert.equal(DEFAULT_ACCOUNT_ID, '000000000000');
  });

  test('still requires the header and its shape', async () => {
    const req = await smithySign();
    await assertKendraError(open.authenticate(withAuthorization(req, undefined)), 'MissingAuthenticationTokenException', 403);
    await assertKendraError(open.authenticate(withAuthorization(req, 'AWS4-HMAC-SHA256 Credential=x')), 'IncompleteSignatureException', 403);
  });

  test('botocore-signed request is accepted', { skip: botoSkip }, async () => {
    const [req] = await botoSign([{ key: { accessKeyId: 'test', secretAccessKey: 'test' }, region: 'ca-central-1' }]);
    assert.equal((await open.authenticate(req!)).region, 'ca-central-1');
  });
});

describe('authorization per key', () => {
  const ro: Caller = { accountId: RO.accountId, region: REGION, accessKeyId: RO.accessKeyId, canWrite: false };
  const rw: Caller = { accountId: RW.accountId, region: REGION, accessKeyId: RW.accessKeyId, canWrite: true };

  test('read-only key calling CreateIndex → AccessDeniedException (400)', () => {
    assert.throws(
      () => authorize(ro, 'CreateIndex'),
      (err: unknown) =>
        err instanceof KendraError &&
        err.code === 'AccessDeniedException' &&
        err.status === 400 &&
        err.message.startsWith(`User: arn:aws:iam::${RO.accountId}:user/${RO.accessKeyId} is not authorized to perform: kendra:CreateIndex`),
    );
  });

  test('read-only key may ListDataSourceSyncJobs; read-write key may CreateIndex', () => {
    authorize(ro, 'ListDataSourceSyncJobs');
    authorize(rw, 'CreateIndex');
  });

  test('isReadOperation', () => {
    for (const op of ['DescribeIndex', 'ListIndices', 'GetQuerySuggestions', 'Query', 'Retrieve', 'BatchGetDocumentStatus']) {
      assert.equal(isReadOperation(op), true, op);
    }
    const writes = ['CreateIndex', 'UpdateIndex', 'DeleteDataSource', 'BatchPutDocument', 'BatchDeleteDocument'];
    for (const op of [...writes, 'StartDataSourceSyncJob', 'SubmitFeedback', 'TagResource', 'Lister', 'Get']) {
      assert.equal(isReadOperation(op), false, op);
    }
  });
});

describe('real clients over HTTP', () => {
  let server: http.Server;
  let endpoint: string;

  before(async () => {
    const auth = new Authenticator(CONFIG);
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        try {
          const caller = await auth.authenticate({ method: req.method!, path: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
          const operation = String(req.headers['x-amz-target']).split('.')[1]!;
          authorize(caller, operation);
          res.end(operation === 'ListIndices' ? '{"IndexConfigurationSummaryItems":[]}' : '{"Id":"00000000-0000-0000-0000-000000000000"}');
        } catch (err) {
          const e = err as KendraError;
          res.statusCode = e.status;
          res.setHeader('x-amzn-ErrorType', e.code);
          res.end(JSON.stringify({ __type: e.code, message: e.message }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const sdk = (key: { accessKeyId: string; secretAccessKey: string }) =>
    new KendraClient({ region: REGION, endpoint, credentials: key, maxAttempts: 1 });

  test('@aws-sdk/client-kendra: accepted, forged, read-only write', async () => {
    const ok = await sdk(RW).send(new ListIndicesCommand({ MaxResults: 5 }));
    assert.deepEqual(ok.IndexConfigurationSummaryItems, []);
    type SdkError = Error & { $metadata: { httpStatusCode: number } };
    await assert.rejects(sdk({ ...RW, secretAccessKey: 'wrong' }).send(new ListIndicesCommand({})), (err: SdkError) => {
      assert.equal(err.name, 'InvalidSignatureException');
      assert.equal(err.$metadata.httpStatusCode, 403);
      return true;
    });
    await sdk(RO).send(new ListIndicesCommand({}));
    const create = new CreateIndexCommand({ Name: 'x', RoleArn: 'arn:aws:iam::444455556666:role/x' });
    await assert.rejects(sdk(RO).send(create), (err: SdkError) => {
      assert.equal(err.name, 'AccessDeniedException');
      assert.equal(err.$metadata.httpStatusCode, 400);
      return true;
    });
  });

  test('boto3 client: accepted and forged', { skip: botoSkip }, async () => {
    const spec = { endpoint, region: REGION, access_key: RW.accessKeyId };
    assert.deepEqual(await runPython([BOTO_SIGN, 'client'], { ...spec, secret_key: RW.secretAccessKey }), { ok: true });
    const forged = (await runPython([BOTO_SIGN, 'client'], { ...spec, secret_key: 'wrong' })) as { code: string };
    assert.equal(forged.code, 'InvalidSignatureException');
  });

  test('AWS CLI: kendra list-indices', { skip: cliSkip }, async () => {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        'aws',
        ['kendra', 'list-indices', '--max-results', '5', '--region', REGION, '--endpoint-url', endpoint, '--output', 'json'],
        {
          env: {
            // The host's AWS_* settings (profile, endpoint, session token) must not leak in.
            ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_'))),
            AWS_ACCESS_KEY_ID: RO.accessKeyId,
            AWS_SECRET_ACCESS_KEY: RO.secretAccessKey,
            AWS_CONFIG_FILE: '/nonexistent',
            AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
            AWS_MAX_ATTEMPTS: '1',
          },
        },
        (err, out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out)),
      );
    });
    assert.deepEqual(JSON.parse(stdout), { IndexConfigurationSummaryItems: [] });
  });
});

describe('the verification fast paths agree with the general ones', () => {
  class Canonical extends SignatureV4 {
    constructor() {
      super({ service: 'kendra', region: REGION, credentials: RW, sha256: Hash.bind(null, 'sha256') });
    }
    of(headers: Record<string, string>, payloadHash: string) {
      return this.createCanonicalRequest(new HttpRequest({ method: 'POST', path: '/', query: {}, headers: {} }), headers, payloadHash);
    }
  }

  test("rootCanonicalRequest is smithy's canonical request, for every mix of signed headers", () => {
    const smithy = new Canonical();
    const values: Record<string, string> = {
      host: HOST, 'x-amz-date': '20261129T021505Z', 'x-amz-target': 'AWSKendraFrontendService.Query', 'content-type': 'application/x-amz-json-1.1',
      'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'amz-sdk-request': 'attempt=1; max=3',
      'user-agent': 'aws-cli/2.15 md/a#b', 'content-length': '17', 'x-amz-user-agent': 'aws-sdk-js/3',
    };
    const names = Object.keys(values);
    const hash = 'a'.repeat(64);
    let compared = 0;
    for (let mask = 1; mask < 1 << names.length; mask++) {
      const signed = names.filter((_, i) => mask & (1 << i));
      if (!signed.includes('host')) continue;
      const headers = Object.fromEntries(signed.map((n) => [n, values[n]!]));
      const sortedHeaders = [...signed].sort();
      const fast = rootCanonicalRequest({ method: 'POST', path: '/', headers, body: Buffer.alloc(0) }, { sortedHeaders, sortedHeaderList: sortedHeaders.join(';') }, hash);
      assert.equal(fast, smithy.of(headers, hash), signed.join(';'));
      compared++;
    }
    assert.equal(compared, 256);
    // Values that need folding, and repeated headers as node:http joins them.
    const odd = { host: HOST, 'x-amz-meta': '  a \t b  ', 'x-list': ['1', '2'] as unknown as string };
    const sortedHeaders = ['host', 'x-amz-meta', 'x-list'];
    const fast = rootCanonicalRequest({ method: 'POST', path: '/', headers: odd, body: Buffer.alloc(0) }, { sortedHeaders, sortedHeaderList: sortedHeaders.join(';') }, hash);
    assert.equal(fast, smithy.of({ host: HOST, 'x-amz-meta': 'a b', 'x-list': '1, 2' }, hash));
    // Not its case: another path, a query, another method, a signed header that did not arrive.
    const scope = { sortedHeaders: ['host'], sortedHeaderList: 'host' };
    for (const [method, path, headers] of [['POST', '/x', { host: HOST }], ['POST', '/?a=1', { host: HOST }], ['GET', '/', { host: HOST }], ['POST', '/', {}]] as const)
      assert.equal(rootCanonicalRequest({ method, path, headers, body: Buffer.alloc(0) }, scope, hash), undefined, `${method} ${path}`);
  });

  test('HmacKey is HMAC-SHA256, for short, long, empty and non-ASCII messages', () => {
    for (const key of [randomBytes(32), randomBytes(1), Buffer.alloc(64, 7)]) {
      const hmac = new HmacKey(key);
      for (const message of ['', 'AWS4-HMAC-SHA256\n20261129T021505Z\nscope\n' + 'f'.repeat(64), 'x'.repeat(4096), 'y'.repeat(5000), 'naïve ✓ \u0000']) {
        for (let again = 0; again < 2; again++)
          assert.equal(hmac.hex(message), createHmac('sha256', key).update(message).digest('hex'), `${key.length}-byte key, ${message.length} chars`);
      }
    }
    assert.equal(constantTimeEqual('ab', 'ab'), true);
    assert.equal(constantTimeEqual('ab', 'ac'), false);
    assert.equal(constantTimeEqual('ab', 'abc'), false);
    assert.throws(() => new HmacKey(Buffer.alloc(65)), /longer than a block/);
  });
});
