// Secrets named by ARN in data source configurations (a database's SecretArn; a web crawler's or a
// token key's secret): read from the operator's secrets file when it holds the ARN, else through the
// AWS Secrets Manager API at kendrite's configured endpoint. A secret's value never leaves this module
// in an error message: every failure names the ARN and the reason, never what was read.
import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Config } from '../config/config.js';
import { SourceError } from './contract.js';

export interface SecretContext {
  secrets: Config['secrets'];
  signal?: AbortSignal;
}

/** A secret ARN's region: where Secrets Manager holds it, unless the settings name one. */
const regionOf = (arn: string) => /^arn:[^:]+:secretsmanager:([^:]+):/.exec(arn)?.[1];

/** The secret's value as Secrets Manager holds it (SecretString; a binary secret as UTF-8). */
export async function readSecret(arn: string, ctx: SecretContext): Promise<string> {
  const fromFile = ctx.secrets.file ? await readSecretsFile(ctx.secrets.file, arn) : undefined;
  if (fromFile !== undefined) return fromFile;
  const client = new SecretsManagerClient({
    endpoint: ctx.secrets.endpoint,
    region: ctx.secrets.region ?? regionOf(arn) ?? process.env.AWS_REGION ?? 'us-east-1',
    credentials: ctx.secrets.accessKeyId && ctx.secrets.secretAccessKey ? { accessKeyId: ctx.secrets.accessKeyId, secretAccessKey: ctx.secrets.secretAccessKey } : undefined,
    maxAttempts: 2,
  });
  try {
    const r = await client.send(new GetSecretValueCommand({ SecretId: arn }), { abortSignal: ctx.signal });
    if (r.SecretString !== undefined) return r.SecretString;
    if (r.SecretBinary !== undefined) return Buffer.from(r.SecretBinary).toString('utf8');
    throw new SourceError(`The secret ${arn} has no value.`, 'ResourceNotFoundException');
  } catch (e) {
    if (e instanceof SourceError || ctx.signal?.aborted) throw e;
    const code = (e as { name?: string }).name;
    // The SDK's own messages name the secret's id, never its value, so they are safe to pass on.
    const why = code === 'ResourceNotFoundException' ? 'it does not exist in Secrets Manager' : `${code ?? 'Error'}: ${(e as Error).message}`;
    throw new SourceError(`kendrite cannot read the secret ${arn}: ${why}. Check the ARN, and kendrite's secrets settings (secrets.endpoint or secrets.file).`, code);
  } finally {
    client.destroy();
  }
}

/** A database secret, as Kendra expects it: JSON with `username` and `password`. */
export async function readDatabaseCredentials(arn: string, ctx: SecretContext): Promise<{ username: string; password: string }> {
  const value = await readSecret(arn, ctx);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // JSON.parse's message quotes the input: never pass it on.
    throw new SourceError(`The secret ${arn} is not JSON; a database secret is {"username": "…", "password": "…"}.`, 'InvalidSecret');
  }
  const { username, password } = (parsed ?? {}) as { username?: unknown; password?: unknown };
  if (typeof username !== 'string' || typeof password !== 'string')
    throw new SourceError(`The secret ${arn} needs the string members "username" and "password".`, 'InvalidSecret');
  return { username, password };
}

/** The operator's secrets file, read at each use so that an edit applies at the next sync. */
async function readSecretsFile(file: string, arn: string): Promise<string | undefined> {
  let map: unknown;
  try {
    map = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SourceError(code ? `kendrite cannot read its secrets file ${file} (${code}).` : `kendrite's secrets file ${file} is not valid JSON.`, code ?? 'InvalidSecretsFile', 'internal');
  }
  if (!map || typeof map !== 'object' || Array.isArray(map)) throw new SourceError(`kendrite's secrets file ${file} must be a JSON object mapping secret ARNs to values.`, 'InvalidSecretsFile', 'internal');
  const value = (map as Record<string, unknown>)[arn];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
