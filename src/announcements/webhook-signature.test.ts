import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureMatches, signWebhook } from './webhook-signature.ts';

describe('webhook signature', () => {
  it('is sha256= HMAC-SHA256 of "<timestamp>.<raw body>"', () => {
    const expected = createHmac('sha256', 'secret').update('1700000000.{"title":"x"}').digest('hex');
    expect(signWebhook('secret', 1700000000, '{"title":"x"}')).toBe(`sha256=${expected}`);
  });

  it('matches only the same secret, timestamp and body', () => {
    const sig = signWebhook('secret', '1700000000', 'body');
    expect(signatureMatches('secret', '1700000000', 'body', sig)).toBe(true);
    expect(signatureMatches('other', '1700000000', 'body', sig)).toBe(false);
    expect(signatureMatches('secret', '1700000001', 'body', sig)).toBe(false);
    expect(signatureMatches('secret', '1700000000', 'body ', sig)).toBe(false);
    expect(signatureMatches('secret', '1700000000', 'body', 'sha256=short')).toBe(false);
  });
});
