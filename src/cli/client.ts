import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** What the CLI prints as `kendrite: <message>` and exits 1 for, without a stack. */
export class CliError extends Error {}

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
  let res: Response;
  try {
    res = await fetch(new URL('/', url), { method: 'POST', headers: signed.headers, body: payload });
  } catch (e) {
    throw new CliError(`cannot reach kendrite at ${endpoint}: ${unreachableReason(e)}`);
  }
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new CliError(`${endpoint} answered HTTP ${res.status} with a body that is not JSON: is kendrite serving there?`);
  }
  if (!res.ok) throw new CliError(`${String(json.__type)}: ${String(json.message)}`);
  return json;
}

/** fetch() says only "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND…). */
function unreachableReason(e: unknown): string {
  const cause = (e as { cause?: { message?: string; code?: string; errors?: { message?: string }[] } }).cause;
  return cause?.message || cause?.errors?.[0]?.message || cause?.code || (e as Error).message;
}
