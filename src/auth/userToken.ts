/**
 * User tokens (UserContext.Token) verified as the index's UserTokenConfigurations say, with jose:
 *
 * - JwtTokenTypeConfiguration: a signed JWT. Keys come from a JWKS URL (fetched, cached for ten
 *   minutes, fetched again when a token names a key id it does not hold, at most once a second:
 *   keys rotate without a restart) or from a secret (connectors/secrets.ts: the secrets file, else Secrets Manager) holding a JWK set or one JWK
 *   (cached for five minutes, read again on an unknown key id). Signature, `exp`/`nbf` and, when
 *   configured, `iss` are checked; an unsigned token (`alg: none`) never verifies. The user is the
 *   UserNameAttributeField claim (default `sub`), the groups the GroupAttributeField claim (default
 *   `groups`); with ClaimRegex, the user name must match it whole.
 * - JsonTokenTypeConfiguration: an unsigned JSON object, trusted as the caller's (as in Kendra).
 *
 * Any failure is AccessDeniedException, naming why.
 */
import { createRemoteJWKSet, errors, importJWK, jwtVerify, type JSONWebKeySet, type JWK, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Config } from '../config/config.js';
import { readSecret } from '../connectors/secrets.js';
import { accessDenied, invalid } from '../domain/errors.js';
import type { TokenIdentity, TokenVerifier } from '../domain/userContext.js';

interface JwtConfiguration {
  KeyLocation: 'URL' | 'SECRET_MANAGER';
  URL?: string;
  SecretManagerArn?: string;
  UserNameAttributeField?: string;
  GroupAttributeField?: string;
  Issuer?: string;
  ClaimRegex?: string;
}

interface JsonConfiguration {
  UserNameAttributeField: string;
  GroupAttributeField: string;
}

export interface UserTokenConfiguration {
  JwtTokenTypeConfiguration?: JwtConfiguration;
  JsonTokenTypeConfiguration?: JsonConfiguration;
}

const JWKS_MAX_AGE_MS = 10 * 60_000;
/** The shortest time between two fetches of one key set: a flood of unknown key ids cannot make kendrite hammer the issuer. */
const REFETCH_COOLDOWN_MS = 1000;
const SECRET_MAX_AGE_MS = 5 * 60_000;
const FETCH_TIMEOUT_MS = 5000;

export class UserTokenVerifier implements TokenVerifier {
  private readonly remote = new Map<string, JWTVerifyGetKey>();
  private readonly secrets = new Map<string, { keys: JWTVerifyGetKey; readAt: number }>();

  constructor(
    private readonly sm: Config['secrets'],
    private readonly now: () => number = Date.now,
  ) {}

  async verify(configuration: unknown, token: string): Promise<TokenIdentity> {
    const c = configuration as UserTokenConfiguration;
    if (c.JsonTokenTypeConfiguration) return jsonToken(c.JsonTokenTypeConfiguration, token);
    if (c.JwtTokenTypeConfiguration) return this.jwt(c.JwtTokenTypeConfiguration, token);
    throw invalid('The index token configuration has neither JwtTokenTypeConfiguration nor JsonTokenTypeConfiguration.');
  }

  private async jwt(c: JwtConfiguration, token: string): Promise<TokenIdentity> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.keys(c), { issuer: c.Issuer, currentDate: new Date(this.now()) }));
    } catch (e) {
      if (e instanceof errors.JWKSNoMatchingKey && c.KeyLocation === 'SECRET_MANAGER' && c.SecretManagerArn) {
        // The secret may have been rotated since it was read: read it once more.
        this.secrets.delete(c.SecretManagerArn);
        try {
          ({ payload } = await jwtVerify(token, await this.keys(c), { issuer: c.Issuer, currentDate: new Date(this.now()) }));
          return identity(c, payload);
        } catch (again) {
          throw refused(again);
        }
      }
      throw refused(e);
    }
    return identity(c, payload);
  }

  private async keys(c: JwtConfiguration): Promise<JWTVerifyGetKey> {
    if (c.KeyLocation === 'URL') {
      if (!c.URL) throw invalid('The index JwtTokenTypeConfiguration has KeyLocation URL but no URL.');
      let keys = this.remote.get(c.URL);
      if (!keys) {
        keys = createRemoteJWKSet(new URL(c.URL), { cacheMaxAge: JWKS_MAX_AGE_MS, cooldownDuration: REFETCH_COOLDOWN_MS, timeoutDuration: FETCH_TIMEOUT_MS });
        this.remote.set(c.URL, keys);
      }
      return keys;
    }
    if (!c.SecretManagerArn) throw invalid('The index JwtTokenTypeConfiguration has KeyLocation SECRET_MANAGER but no SecretManagerArn.');
    const held = this.secrets.get(c.SecretManagerArn);
    if (held && this.now() - held.readAt < SECRET_MAX_AGE_MS) return held.keys;
    const keys = secretKeys(await this.readSecret(c.SecretManagerArn));
    this.secrets.set(c.SecretManagerArn, { keys, readAt: this.now() });
    return keys;
  }

  private async readSecret(arn: string): Promise<JSONWebKeySet> {
    let text: string;
    try {
      text = await readSecret(arn, { secrets: this.sm, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch (e) {
      throw accessDenied(`The token's keys cannot be read: ${(e as Error).message}`);
    }
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      // A JWK set, or a single JWK.
      if (Array.isArray(parsed.keys)) return parsed as unknown as JSONWebKeySet;
      if (typeof parsed.kty === 'string') return { keys: [parsed as never] };
    } catch {
      // reported below
    }
    throw accessDenied(`Secret ${arn} does not hold a JWK set ({"keys": [...]}) or a JWK.`);
  }
}

/**
 * A key resolver over the secret's keys. Unlike jose's local JWK sets it takes shared (oct, HS*) keys
 * too, which is what a shared-secret configuration holds. A key is used only with the algorithm it
 * states (if it states one) and of its own type: importJWK refuses an RSA key for HS256.
 */
function secretKeys(set: JSONWebKeySet): JWTVerifyGetKey {
  return async (header) => {
    const candidates = (set.keys as JWK[]).filter((k) => (header.kid === undefined || k.kid === header.kid) && (k.alg === undefined || k.alg === header.alg));
    if (candidates.length !== 1) throw new errors.JWKSNoMatchingKey();
    return importJWK(candidates[0]!, header.alg);
  };
}

function jsonToken(c: JsonConfiguration, token: string): TokenIdentity {
  let claims: unknown;
  try {
    claims = JSON.parse(token);
  } catch {
    throw accessDenied('The token is not a JSON object, as the index JsonTokenTypeConfiguration expects.');
  }
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) throw accessDenied('The token is not a JSON object, as the index JsonTokenTypeConfiguration expects.');
  return claimsOf(claims as Record<string, unknown>, c.UserNameAttributeField, c.GroupAttributeField);
}

function identity(c: JwtConfiguration, payload: JWTPayload): TokenIdentity {
  const id = claimsOf(payload, c.UserNameAttributeField ?? 'sub', c.GroupAttributeField ?? 'groups');
  if (c.ClaimRegex && id.userId !== undefined && !new RegExp(`^(?:${c.ClaimRegex})$`).test(id.userId))
    throw accessDenied(`The token's user name does not match the index ClaimRegex.`);
  return id;
}

function claimsOf(claims: Record<string, unknown>, userField: string, groupField: string): TokenIdentity {
  const user = claims[userField];
  if (user !== undefined && typeof user !== 'string') throw accessDenied(`The token's ${userField} claim is not a string.`);
  const g = claims[groupField];
  const groups = g === undefined ? [] : typeof g === 'string' ? [g] : Array.isArray(g) && g.every((x) => typeof x === 'string') ? (g as string[]) : undefined;
  if (!groups) throw accessDenied(`The token's ${groupField} claim is not a string or a list of strings.`);
  return { userId: user, groups };
}

function refused(e: unknown): Error {
  if (e instanceof errors.JWTExpired) return accessDenied('The token has expired.');
  if (e instanceof errors.JWTClaimValidationFailed) return accessDenied(`The token is not valid: ${e.message} (claim ${e.claim}).`);
  if (e instanceof errors.JWSSignatureVerificationFailed) return accessDenied('The token signature does not verify.');
  if (e instanceof errors.JOSEError) return accessDenied(`The token is not valid: ${e.message}`);
  if (e instanceof Error && 'kind' in e) return e;
  return accessDenied(`The token cannot be verified: ${(e as Error)?.message ?? String(e)}`);
}

