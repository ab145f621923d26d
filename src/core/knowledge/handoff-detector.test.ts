import { describe, expect, it } from 'vitest';
import { detectConversationalIntent, detectHandoff } from './handoff-detector.ts';

describe('detectHandoff', () => {
  it.each([
    'agent',
    'Agent please!!',
    'human',
    'I want to talk to a human',
    'can I speak to a real person?',
    'talk to someone',
    'connect me to an agent',
    'transfer me to customer service please',
    'I need a live agent',
    'customer service',
    'get me a representative',
    "I don't want to talk to a bot",
    'موظف',
    'أريد التحدث مع موظف',
    'شخص حقيقي',
    'خدمة العملاء',
    'ابي اكلم موظف',
    'بدي احكي مع حدا من خدمة العملاء',
    'حولني لموظف لو سمحت',
  ])('asks for a person: %s', (text) => {
    expect(detectHandoff(text)).toBe(true);
    expect(detectConversationalIntent(text)).toBe('handoff');
  });

  it.each([
    'my agent id is wrong',
    'how do I become an agent for your company?',
    'the human verification captcha is broken',
    'is my personal data safe',
    'what does the support page say about refunds',
    'are you a human?',
    "I don't need to talk to a person, just tell me the fee",
    'رقم الموظف في الفاتورة خطأ',
    'كيف أحدث معلوماتي الشخصية',
    'متى تصل بطاقتي الجديدة',
  ])('does not fire on a question that merely mentions it: %s', (text) => {
    expect(detectHandoff(text)).toBe(false);
  });
});

describe('detectConversationalIntent', () => {
  it.each([
    ['thanks!', 'thanks'],
    ['thank you so much, that helped', 'thanks'],
    ['ok thanks', 'thanks'],
    ['شكرا جزيلا', 'thanks'],
    ['مشكور', 'thanks'],
    ['bye', 'goodbye'],
    ['مع السلامة', 'goodbye'],
    ['hello', 'greeting'],
    ['hi there', 'greeting'],
    ['السلام عليكم', 'greeting'],
    ['مرحبا', 'greeting'],
  ])('%s → %s', (text, intent) => {
    expect(detectConversationalIntent(text)).toBe(intent);
  });

  it.each([
    'thanks, but my card still has not arrived',
    'hi, where is my card?',
    'مرحبا، أين بطاقتي؟',
    'where is my card',
  ])('treats a question as a question: %s', (text) => {
    expect(detectConversationalIntent(text)).toBeNull();
  });
});
