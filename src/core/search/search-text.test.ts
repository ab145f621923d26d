import { describe, expect, it } from 'vitest';
import { matchedRanges, phoneDigits, searchTerms, searchText } from './search-text.ts';

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

  it('finds the words a query matched in the text as written, by prefix and stem, never a short word', () => {
    const marks = (text: string, query: string) =>
      matchedRanges(text, searchTerms(query)).map((r) => text.slice(r.start, r.end));
    expect(marks('<b>Refunds</b> are re-issued, REFUNDED in 5 days', 'refunding')).toEqual([
      'Refunds',
      'REFUNDED',
    ]);
    expect(marks('re: the refund', 'refund')).toEqual(['refund']);
    expect(marks('أُريدُ إلغاءَ الفاتورة رقم ٤٥', 'الغاء 45')).toEqual(['إلغاءَ', '٤٥']);
    expect(marks('nothing here', 'refund')).toEqual([]);
  });
});
