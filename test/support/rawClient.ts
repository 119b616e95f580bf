/**
 * Raw HTTP requests to a kendrite server: any body, any headers, signed with @smithy/signature-v4
 * exactly as @aws-sdk/client-kendra signs (service `kendra`), or deliberately unsigned, forged or
 * expired. The SDK clients cannot send a malformed body or a broken signature; this can.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export const TARGET_PREFIX = 'AWSKendraFrontendService';
export const target = (operation: string) => `${TARGET_PREFIX}.${operation}`;

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export const ANY_CREDENTIALS: Credentials = { accessKeyId: 'AKIDRAW', secretAccessKey: 'raw-secret' };

/** What a request may look like once signed; `forge` edits it before it is sent. */
export interface WireRequest {
  headers: Record<string, string>;
  body: Buffer;
}

export interface RawRequest {
  method?: string;
  path?: string;
  /** Full X-Amz-Target value; null sends none. */
  target?: string | null;
  /** Sent as is; an object is JSON-encoded. Absent: no body. */
  body?: string | Buffer | object;
  contentType?: string;
  /** Extra headers, signed along with the rest. */
  headers?: Record<string, string>;
  /** null: no Authorization header at all. */
  credentials?: Credentials | null;
  region?: string;
  /** The time the signature claims (X-Amz-Date); default now. */
  signingDate?: Date;
  /** Send x-amz-content-sha256, as the SDK does (default true). */
  contentSha256?: boolean;
  /** Headers sent but left out of the signature (lower case), as a forger would. */
  unsigned?: string[];
  /** Tampering after signing: edit headers or body. */
  forge?: (req: WireRequest) => void;
  /** Send the body in chunks with no Content-Length (Transfer-Encoding: chunked). */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

function bodyBytes(body: RawRequest['body']): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body);
  return Buffer.from(JSON.stringify(body));
}

/** Sends one request to `baseUrl` (http://host:port) and reads the whole response. */
export async function rawRequest(baseUrl: string, req: RawRequest = {}): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const wire = await signedRequest(baseUrl, req);
  return send(url, req.method ?? 'POST', req.path ?? '/', wire, req.chunked ?? false);
}

/** The headers and body `rawRequest` would send (signed, then forged). */
export async function signedRequest(baseUrl: string, req: RawRequest = {}): Promise<WireRequest> {
  const url = new URL(baseUrl);
  const method = req.method ?? 'POST';
  const path = req.path ?? '/';
  const body = bodyBytes(req.body);
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': req.contentType ?? 'application/x-amz-json-1.1',
    ...(req.chunked ? {} : { 'content-length': String(body.length) }),
    ...req.headers,
  };
  const t = req.target === undefined ? target('ListIndices') : req.target;
  if (t !== null) headers['x-amz-target'] = t;

  let wire: WireRequest = { headers, body };
  const credentials = req.credentials === undefined ? ANY_CREDENTIALS : req.credentials;
  if (credentials !== null) {
    const signer = new SignatureV4({
      service: 'kendra',
      region: req.region ?? 'us-east-1',
      credentials,
      sha256: Hash.bind(null, 'sha256'),
      applyChecksum: req.contentSha256 ?? true,
    });
    const signed = await signer.sign(
      new HttpRequest({ method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path, headers, body }),
      { signingDate: req.signingDate ?? new Date(), unsignableHeaders: new Set(req.unsigned ?? []) },
    );
    wire = { headers: { ...signed.headers }, body };
  }
  req.forge?.(wire);
  return wire;
}

/** `signedRequest` as HTTP/1.1 bytes (Content-Length framed), for tests that write to a socket themselves. */
export async function requestBytes(baseUrl: string, req: RawRequest = {}): Promise<Buffer> {
  const wire = await signedRequest(baseUrl, req);
  let head = `${req.method ?? 'POST'} ${req.path ?? '/'} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(wire.headers)) head += `${name}: ${value}\r\n`;
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), wire.body]);
}

function send(url: URL, method: string, path: string, wire: WireRequest, chunked: boolean): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: url.hostname, port: url.port, method, path, headers: wire.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode!, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    // The server may answer (413) and close before the whole body is written: the answer is what counts.
    r.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
    if (chunked) {
      for (let i = 0; i < wire.body.length; i += 1024) r.write(wire.body.subarray(i, i + 1024));
      r.end();
    } else {
      r.end(wire.body);
    }
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Asserts a request id (P-2) and returns it. */
export function assertRequestId(res: RawResponse): string {
  const id = res.headers['x-amzn-requestid'];
  assert.equal(typeof id, 'string', 'x-amzn-RequestId header missing');
  assert.match(id as string, UUID);
  return id as string;
}

/**
 * Asserts an error response as P-2/P-3 define it: the status, `__type` in the body and the same code
 * in `x-amzn-ErrorType`, a message, a request id. `message`: a substring, or a RegExp. Returns the message.
 */
export function assertError(res: RawResponse, status: number, code: string, message?: string | RegExp): string {
  const where = `${res.status} ${res.text}`;
  assert.equal(res.status, status, where);
  assert.ok(res.json && typeof res.json === 'object', `error body is not a JSON object: ${where}`);
  assert.equal(res.json.__type, code, where);
  assert.equal(res.headers['x-amzn-errortype'], code, where);
  assert.equal(typeof res.json.message, 'string', where);
  assert.ok(res.json.message.length > 0, where);
  assertRequestId(res);
  if (typeof message === 'string') assert.ok(res.json.message.includes(message), `expected message to contain ${JSON.stringify(message)}: ${where}`);
  else if (message) assert.match(res.json.message, message);
  return res.json.message as string;
}

/** Asserts a success response (P-2): 200, a JSON object, a request id, no error type. */
export function assertOk(res: RawResponse): any {
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers['x-amzn-errortype'], undefined);
  assertRequestId(res);
  assert.ok(res.json && typeof res.json === 'object' && !Array.isArray(res.json), res.text);
  return res.json;
}
