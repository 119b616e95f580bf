/**
 * The console's session: a cookie carrying who signed in (access key id, account, region) and until
 * when, with an HMAC over it, so the server keeps no session state and any kendrite process on the
 * same store accepts it. HttpOnly, SameSite=Strict; every form carries a CSRF token derived from
 * the session's nonce, and POSTs must carry it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CredentialConfig } from '../http/auth.js';

export interface Session {
  /** Empty in open mode: nobody signed in. */
  accessKeyId: string;
  accountId: string;
  region: string;
  canWrite: boolean;
  /** Random per session: the CSRF token is bound to it. */
  nonce: string;
  expiresAt: number;
}

export const COOKIE = 'kendrite_console';
const LIFETIME_MS = 8 * 60 * 60 * 1000;

export class Sessions {
  constructor(
    private readonly key: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  issue(s: Omit<Session, 'nonce' | 'expiresAt'>): { session: Session; cookie: string } {
    const session: Session = { ...s, nonce: randomBytes(12).toString('base64url'), expiresAt: this.now() + LIFETIME_MS };
    const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
    const value = `${payload}.${this.mac('session', payload)}`;
    return { session, cookie: `${COOKIE}=${value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${LIFETIME_MS / 1000}` };
  }

  /** The session the cookie header carries, if it is genuine and current. */
  read(cookieHeader: string | undefined): Session | undefined {
    const value = cookieValue(cookieHeader, COOKIE);
    const dot = value?.indexOf('.') ?? -1;
    if (!value || dot <= 0) return undefined;
    const payload = value.slice(0, dot);
    if (!equal(value.slice(dot + 1), this.mac('session', payload))) return undefined;
    try {
      const s = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Session;
      return s.expiresAt > this.now() ? s : undefined;
    } catch {
      return undefined;
    }
  }

  csrfToken(s: Session): string {
    return this.mac('csrf', s.nonce);
  }

  checkCsrf(s: Session, token: string | undefined): boolean {
    return token !== undefined && equal(token, this.csrfToken(s));
  }

  private mac(purpose: string, data: string): string {
    return createHmac('sha256', this.key).update(purpose).update('\n').update(data).digest('base64url');
  }
}

export const clearedCookie = `${COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0`;

/** The configured credential with this key id and secret (compared in constant time), if any. */
export function matchCredential(credentials: CredentialConfig[], accessKeyId: string, secret: string): CredentialConfig | undefined {
  const c = credentials.find((x) => x.accessKeyId === accessKeyId);
  // A wrong id costs the same comparison as a wrong secret.
  return equal(secret, c?.secretAccessKey ?? randomBytes(16).toString('hex')) ? c : undefined;
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
