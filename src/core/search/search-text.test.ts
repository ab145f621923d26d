import { describe, expect, it } from 'vitest';
import { phoneDigits, searchTerms, searchText } from './search-text.ts';

describe('search text', () => {
  it('gives Arabic words one form whatever their alef, hamza, taa marbuta, diacritics or tatweel', () => {
    const stored = searchText('أُريدُ إلغاءَ الفاتـــورة');
    expect(
      searchTerms('اريد الغاء فاتورتي').every((t) => stored.split(' ').some((w) => w.startsWith(t))),
    ).toBe(true);
    expect(searchText('رقم ٤٥')).toBe(searchText('رقم 45'));
  });

  it('keeps letters and digits only, lower-cased, and leaves English stemming to the engines', () => {
    expect(searchText('Refunds: user@example.com, order #A-12', null, '')).toBe(
      'refunds user example com order a 12',
    );
    expect(searchTerms('How to get REFUNDS refunds')).toEqual(['get', 'refunds']);
    expect(searchTerms('the')).toEqual(['the']);
    expect(searchTerms('  ++ ')).toEqual([]);
  });

  it('reads phone numbers as digits, and nothing else as one', () => {
    expect(phoneDigits('+1 (555) 010-0199')).toBe('15550100199');
    expect(phoneDigits('visitor-123456')).toBeUndefined();
    expect(phoneDigits('123')).toBeUndefined();
  });
});
