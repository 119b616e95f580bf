/**
 * What can go wrong in the domain, independent of the wire. The api layer maps each kind to its
 * Kendra error code in one place (api/errors.ts).
 */
export type DomainErrorKind = 'NotFound' | 'Conflict' | 'InUse' | 'AlreadyExists' | 'Invalid' | 'QuotaExceeded' | 'AccessDenied';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (message: string) => new DomainError('NotFound', message);
export const conflict = (message: string) => new DomainError('Conflict', message);
export const invalid = (message: string) => new DomainError('Invalid', message);
export const accessDenied = (message: string) => new DomainError('AccessDenied', message);
