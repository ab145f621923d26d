import { ApiError } from '../../shared/api.ts';

/** Comma-separated text (skills, tags) as a list. */
export const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** What a failed save says to the admin. */
export const message = (err: unknown) => (err instanceof ApiError ? err.message : 'failed');
