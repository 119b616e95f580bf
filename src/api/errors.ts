import { DomainError, type DomainErrorKind } from '../domain/errors.js';
import { KendraError, type KendraErrorCode } from '../protocol/errors.js';

/** The one place where domain errors become Kendra error codes. */
const CODE: Record<DomainErrorKind, KendraErrorCode> = {
  NotFound: 'ResourceNotFoundException',
  Conflict: 'ConflictException',
  InUse: 'ResourceInUseException',
  AlreadyExists: 'ResourceAlreadyExistException',
  Invalid: 'ValidationException',
  QuotaExceeded: 'ServiceQuotaExceededException',
  AccessDenied: 'AccessDeniedException',
};

export function toKendraError(e: unknown): unknown {
  return e instanceof DomainError ? new KendraError(CODE[e.kind], e.message) : e;
}
