import { createHash, randomBytes } from 'node:crypto';

const tokenPattern = /^wct_[A-Za-z0-9_-]{43}$/;

/** A new visitor token: 32 random bytes. The widget keeps it in localStorage; the server keeps its hash. */
export const newVisitorToken = (): string => `wct_${randomBytes(32).toString('base64url')}`;

/** The sha-256 of a well-formed token (what the server stores), or null for anything else. */
export function visitorTokenHash(token: unknown): string | null {
  if (typeof token !== 'string' || !tokenPattern.test(token)) return null;
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The visitor id (the contact's web-chat identity) of a token hash. The id in the database does not
 * reveal the token, and stays the same for a token across restarts.
 */
export const visitorIdOfHash = (hash: string): string => `wv_${hash.slice(0, 40)}`;
