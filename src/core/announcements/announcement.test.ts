import { describe, expect, it } from 'vitest';
import { backoffMs } from './announcement.ts';

describe('backoffMs', () => {
  it('doubles per consecutive failure up to the cap', () => {
    expect([0, 1, 2, 3, 4].map((f) => backoffMs(f, 100, 500))).toEqual([0, 100, 200, 400, 500]);
    expect(backoffMs(1000, 100, 500)).toBe(500);
  });
});
