import { describe, expect, it } from 'vitest';
import { arabicTokens, normaliseArabic, stemArabic } from './arabic-normaliser.ts';

describe('normaliseArabic', () => {
  it('unifies alef forms, alef maqsura and ta marbuta', () => {
    expect(normaliseArabic('أحمد إلى آخر')).toBe('احمد الي اخر');
    expect(normaliseArabic('البطاقة')).toBe('البطاقه');
    expect(normaliseArabic('مستشفى')).toBe('مستشفي');
  });

  it('removes diacritics and tatweel', () => {
    expect(normaliseArabic('بِطَاقَتِي')).toBe('بطاقتي');
    expect(normaliseArabic('شكـــرا')).toBe('شكرا');
  });

  it('maps Arabic-Indic digits and punctuation', () => {
    expect(normaliseArabic('رقم ٤٢؟')).toBe('رقم 42?');
  });
});

describe('stemArabic', () => {
  it('brings a word with article, conjunction and possessive suffix to one form', () => {
    const forms = ['البطاقة', 'بطاقتي', 'والبطاقة', 'بالبطاقة', 'بطاقات', 'بطاقتك'].map((w) =>
      stemArabic(normaliseArabic(w)),
    );
    expect(new Set(forms).size).toBe(1);
  });

  it('keeps short words intact', () => {
    expect(stemArabic('بنك')).toBe('بنك');
    expect(stemArabic('من')).toBe('من');
  });
});

describe('arabicTokens', () => {
  it('lets differently written questions share their words', () => {
    const a = arabicTokens('أين بطاقتي الجديدة؟');
    const b = arabicTokens('اين البطاقه الجديده');
    expect(a).toEqual(b);
  });
});
