import { createHash, randomUUID } from 'node:crypto';
import { conflict } from './errors.js';
import type { ClientTokenStore } from '../store/clientTokens.js';
import type { Scope } from './arn.js';

const TOKEN_LIFETIME_MS = 8 * 60 * 60 * 1000;

/**
 * I-2: a Create* call carrying a ClientToken seen within 8 hours returns the first call's resource;
 * the same token with a different input is a ConflictException. The token is recorded before the
 * resource is created, so two concurrent calls with one token create one resource.
 */
export async function idempotent(
  tokens: ClientTokenStore,
  scope: Scope,
  operation: string,
  input: { ClientToken?: string },
  now: number,
  create: (id: string) => Promise<void>,
): Promise<{ id: string; created: boolean }> {
  const token = input.ClientToken;
  const id = randomUUID();
  if (!token) {
    await create(id);
    return { id, created: true };
  }
  const hash = requestHash(input);
  if (await tokens.record(scope, operation, token, hash, id, now)) {
    try {
      await create(id);
    } catch (e) {
      // A request that failed created nothing, so its token must not stand for a resource.
      await tokens.forget(scope, operation, token);
      throw e;
    }
    return { id, created: true };
  }
  const seen = await tokens.find(scope, operation, token, now - TOKEN_LIFETIME_MS);
  if (!seen) {
    // The old record has expired: the token is free to be used again.
    await tokens.expire(now - TOKEN_LIFETIME_MS);
    return idempotent(tokens, scope, operation, input, now, create);
  }
  if (seen.request_hash !== hash)
    throw conflict(`ClientToken '${token}' was already used with a different ${operation} request.`);
  return { id: seen.resource_id, created: false };
}

function requestHash(input: object): string {
  const { ClientToken: _ignored, ...rest } = input as Record<string, unknown>;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

function canonicalJson(v: unknown): string {
  if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString('base64'));
  if (v instanceof Date) return String(v.getTime());
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}
