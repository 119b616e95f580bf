import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from './errors.js';

const MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Opaque NextTokens (S-LIST-5): the keyset cursor of the next page, signed by the server together
 * with what the token is bound to (operation, parent resources, filters). A token replayed with
 * another binding, altered, truncated or too old fails verification.
 */
export class PageTokens {
  constructor(
    private readonly secret: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  issue(binding: string, cursor: readonly (string | number)[]): string {
    const payload = Buffer.from(JSON.stringify([this.now(), ...cursor])).toString('base64url');
    return `${payload}.${this.mac(binding, payload)}`;
  }

  read(binding: string, token: string): (string | number)[] {
    const dot = token.indexOf('.');
    if (dot > 0) {
      const payload = token.slice(0, dot);
      const given = Buffer.from(token.slice(dot + 1), 'base64url');
      const expected = Buffer.from(this.mac(binding, payload), 'base64url');
      if (given.length === expected.length && timingSafeEqual(given, expected)) {
        const [issuedAt, ...cursor] = JSON.parse(Buffer.from(payload, 'base64url').toString()) as (string | number)[];
        if (typeof issuedAt === 'number' && this.now() - issuedAt <= MAX_AGE_MS) return cursor;
        throw invalidToken('it has expired; start again without NextToken');
      }
    }
    throw invalidToken('it was not issued for this request or was altered');
  }

  private mac(binding: string, payload: string): string {
    return createHmac('sha256', this.secret).update(binding).update('\n').update(payload).digest().subarray(0, 16).toString('base64url');
  }
}

function invalidToken(why: string): DomainError {
  return new DomainError('Invalid', `Invalid NextToken: ${why}.`);
}
