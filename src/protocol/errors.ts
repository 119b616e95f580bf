/**
 * Kendra error values. Every error that leaves the server is a KendraError; the
 * http layer serializes it as `{"__type": code, "message": …}` (P-3).
 */
export type KendraErrorCode =
  | 'AccessDeniedException'
  | 'ConflictException'
  | 'InternalServerException'
  | 'InvalidRequestException'
  | 'ResourceAlreadyExistException'
  | 'ResourceInUseException'
  | 'ResourceNotFoundException'
  | 'ResourceUnavailableException'
  | 'ServiceQuotaExceededException'
  | 'ThrottlingException'
  | 'ValidationException'
  | 'FeaturedResultsConflictException'
  // Protocol and authentication errors that AWS's front end produces before an operation runs.
  | 'UnknownOperationException'
  | 'SerializationException'
  | 'RequestEntityTooLargeException'
  | 'MissingAuthenticationTokenException'
  | 'UnrecognizedClientException'
  | 'InvalidSignatureException'
  | 'IncompleteSignatureException'
  | 'NotImplementedException';

const HTTP_STATUS: Partial<Record<KendraErrorCode, number>> = {
  InternalServerException: 500,
  RequestEntityTooLargeException: 413,
  MissingAuthenticationTokenException: 403,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  IncompleteSignatureException: 403,
};

export class KendraError extends Error {
  readonly status: number;
  constructor(
    readonly code: KendraErrorCode,
    message: string,
    /** Only where AWS answers this code with another status than usual. */
    status?: number,
    /** Members of the error's shape besides the message (FeaturedResultsConflictException's ConflictingItems). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = code;
    this.status = status ?? HTTP_STATUS[code] ?? 400;
  }
}

export const validation = (message: string) => new KendraError('ValidationException', message);
export const notFound = (message: string) => new KendraError('ResourceNotFoundException', message);
export const conflict = (message: string) => new KendraError('ConflictException', message);
