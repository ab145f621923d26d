import { createHash, randomBytes } from 'node:crypto';

const tokenPattern = /^wct_[A-Za-z0-9_-]{43}$/;

/** A new visitor token: 32 random bytes. The widget keeps it in localStorage; the server stores nothing. */
export const newVisitorToken = (): string => `wct_${randomBytes(32).toString('base64url')}`;

/**
 * The visitor id (the contact's web-chat identity) derived from the token. Only the token's holder can
 * produce it, and the id in the database does not reveal the token.
 */
export function visitorIdOf(token: unknown): string | null {
  if (typeof token !== 'string' || !tokenPattern.test(token)) return null;
  return `wv_${createHash('sha256').update(token).digest('hex').slice(0, 40)}`;
}
