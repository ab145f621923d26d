/**
 * Bearer secrets for sessions and API tokens. Only their SHA-256 (hex) is ever stored. Web Crypto is a
 * global in every supported runtime, so the core needs no platform module for it.
 */

/** Prefix of API tokens, so that leaked tokens are recognisable by secret scanners. */
export const apiTokenPrefix = 'sb_';

const base64url = (bytes: Uint8Array): string => {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
};

/** 32 random bytes, URL-safe. */
const randomSecret = (): string => base64url(crypto.getRandomValues(new Uint8Array(32)));

export const newSessionToken = (): string => randomSecret();
export const newApiToken = (): string => apiTokenPrefix + randomSecret();

export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
