/** The small set of failure kinds the whole product speaks; HTTP and Discord map them in one place each. */
export const domainErrorKinds = ['not_found', 'invalid', 'conflict', 'forbidden', 'unauthorized'] as const;
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
