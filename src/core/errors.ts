/** The small set of failure kinds the whole product speaks; HTTP and Discord map them in one place each. */
export const domainErrorKinds = [
  'not_found',
  'invalid',
  'conflict',
  'forbidden',
  'unauthorized',
  // Too many requests from one caller (a visitor, an address): try again later.
  'rate_limited',
  // The part that would do the work is not running (a stopped channel).
  'unavailable',
] as const;
export type DomainErrorKind = (typeof domainErrorKinds)[number];

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    /** Machine-readable detail, e.g. the field that was invalid. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string | number) =>
  new DomainError('not_found', `${what} ${id} not found`);
export const invalid = (message: string, details?: Record<string, unknown>) =>
  new DomainError('invalid', message, details);
export const conflict = (message: string) => new DomainError('conflict', message);
export const forbidden = (message: string) => new DomainError('forbidden', message);
export const unauthorized = (message: string) => new DomainError('unauthorized', message);
export const rateLimited = (message: string, details?: Record<string, unknown>) =>
  new DomainError('rate_limited', message, details);
export const unavailable = (message: string) => new DomainError('unavailable', message);
