/**
 * What counts as an agent's email address, everywhere (configuration, API, CLI, core): one `@` with text on
 * both sides. Deliberately loose, because a self-hosted install signs in with addresses such as
 * `admin@localhost` that stricter "internet email" rules refuse.
 */
export const emailAddressPattern = /^[^\s@]+@[^\s@]+$/;

export const emailAddressHint = 'must be an email address (name@host, e.g. admin@localhost)';

export function isEmailAddress(value: string): boolean {
  return emailAddressPattern.test(value.trim());
}
