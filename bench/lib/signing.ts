import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { exchange } from './http1.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Kendra requests (AWS JSON 1.1) signed with SigV4 as the AWS SDKs sign them, rendered to the exact
 * bytes sent on the wire. A signature stays valid for 15 minutes (P-6), so a benchmark signs each
 * distinct request once and replays those bytes: the server verifies a real signature every time,
 * and the client spends nothing on signing while measuring.
 */
export class KendraWire {
  private readonly signer: SignatureV4;

  constructor(
    readonly host: string,
    readonly port: number,
    credentials: Credentials,
    region: string,
  ) {
    // Like the SDK for JSON services: no x-amz-content-sha256 header (the server hashes the body anyway).
    this.signer = new SignatureV4({ service: 'kendra', region, credentials, sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
  }

  async request(operation: string, input: unknown): Promise<Buffer> {
    const body = JSON.stringify(input);
    const signed = await this.signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: this.host,
        port: this.port,
        path: '/',
        headers: {
          host: `${this.host}:${this.port}`,
          'content-type': 'application/x-amz-json-1.1',
          'content-length': String(Buffer.byteLength(body)),
          'x-amz-target': `AWSKendraFrontendService.${operation}`,
        },
        body,
      }),
    );
    const head = Object.entries(signed.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    return Buffer.from(`POST / HTTP/1.1\r\n${head}\r\n${body}`);
  }

  /** Signs and sends one request; throws unless the answer is 200. */
  async call<T = Record<string, unknown>>(operation: string, input: unknown): Promise<T> {
    const r = await exchange(this.host, this.port, await this.request(operation, input));
    if (r.status !== 200) throw new Error(`${operation} answered ${r.status}: ${r.body.toString()}`);
    return JSON.parse(r.body.toString()) as T;
  }
}
