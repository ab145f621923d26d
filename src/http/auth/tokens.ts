import { createHash, randomBytes } from 'node:crypto';

/** Prefix of API tokens, so that leaked tokens are recognisable by secret scanners. */
export const apiTokenPrefix = 'sb_';

/** 32 random bytes, URL-safe. Only `hashToken(token)` is ever stored. */
export const newSessionToken = (): string => randomBytes(32).toString('base64url');
export const newApiToken = (): string => apiTokenPrefix + randomBytes(32).toString('base64url');

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
