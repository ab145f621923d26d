import { describe, expect, it } from 'vitest';
import { baseLanguage, detectLanguage } from './language-detector.ts';

const lang = (text: string) => detectLanguage(text)?.language;

describe('detectLanguage on short questions', () => {
  it.each([
    ['where is my card?', 'en'],
    ["I can't log in to my account", 'en'],
    ['how do I reset my password', 'en'],
    ['أين بطاقتي؟', 'ar'],
    ['لم تصل بطاقتي بعد', 'ar'],
    ['وين فلوسي', 'ar'],
    ['où est ma carte ?', 'fr'],
    ["je n'arrive pas à me connecter", 'fr'],
    ['¿dónde está mi tarjeta?', 'es'],
    ['no puedo entrar a mi cuenta', 'es'],
    ['wo ist meine Karte?', 'de'],
    ['ich kann mich nicht anmelden', 'de'],
  ])('%s → %s', (text, expected) => {
    expect(lang(text)).toBe(expected);
  });

  it('reads Arabic even with a Latin product name in it', () => {
    expect(lang('كيف أربط حساب Discord؟')).toBe('ar');
  });

  it('gives no answer when there is nothing to go on', () => {
    expect(detectLanguage('12345 !!')).toBeNull();
    expect(detectLanguage('')).toBeNull();
  });
});

describe('baseLanguage', () => {
  it('drops the region', () => {
    expect(baseLanguage('en-US')).toBe('en');
    expect(baseLanguage('ar_SA')).toBe('ar');
  });
});
