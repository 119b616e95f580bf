import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** A minimal signed JSON 1.1 client for the CLI's read commands (any SigV4 client would do). */
export async function call(endpoint: string, target: string, body: unknown): Promise<Record<string, unknown>> {
  const url = new URL(endpoint);
  const payload = JSON.stringify(body);
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const signer = new SignatureV4({
    service: 'kendra',
    region,
    sha256: Hash.bind(null, 'sha256'),
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'kendrite',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'kendrite',
      sessionToken: process.env.AWS_SESSION_TOKEN,
    },
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: '/',
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
      body: payload,
    }),
  );
  const res = await fetch(new URL('/', url), { method: 'POST', headers: signed.headers, body: payload });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${String(json.__type)}: ${String(json.message)}`);
  return json;
}
