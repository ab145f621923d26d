import { invalid } from '../errors.ts';

export const MIN_PASSWORD_LENGTH = 8;

/** The one rule every password meets, whoever sets it (sign-up, change, reset). */
export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw invalid(`password must have at least ${MIN_PASSWORD_LENGTH} characters`, { field: 'password' });
  }
}
