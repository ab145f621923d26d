import { detectLanguage } from '../../../src/core/knowledge/language-detector.ts';

/** The web chat's own labels, in the languages the widget speaks. */
export const chatLanguages = ['en', 'ar'] as const;
export type ChatLanguage = (typeof chatLanguages)[number];

const texts = {
  en: {
    title: 'Chat with us',
    online: 'online',
    connecting: 'connecting…',
    talkToPerson: 'Talk to a person',
    greeting: 'Hi! Ask me anything. If I cannot help, a person from our team will.',
    messages: 'Messages',
    attachments: 'Attachments',
    articles: 'Articles',
    agent: 'Agent',
    yourMessage: 'Your message',
    placeholder: 'Type a message…',
    send: 'Send',
    notSent: 'Your message was not sent',
    tooMany: 'You are sending messages too quickly; please wait a moment and try again.',
    blocked: 'This chat has been closed by our team; you can no longer send messages here.',
  },
  ar: {
    title: 'تحدث معنا',
    online: 'متصل',
    connecting: 'جارٍ الاتصال…',
    talkToPerson: 'التحدث إلى موظف',
    greeting: 'مرحبًا! اسألني أي شيء. وإن لم أستطع المساعدة فسيساعدك أحد أفراد فريقنا.',
    messages: 'الرسائل',
    attachments: 'المرفقات',
    articles: 'المقالات',
    agent: 'موظف',
    yourMessage: 'رسالتك',
    placeholder: 'اكتب رسالة…',
    send: 'إرسال',
    notSent: 'لم تُرسل رسالتك',
    tooMany: 'أنت ترسل الرسائل بسرعة كبيرة؛ يرجى الانتظار قليلًا ثم المحاولة مجددًا.',
    blocked: 'أغلق فريقنا هذه المحادثة؛ لم يعد بإمكانك إرسال رسائل هنا.',
  },
} as const satisfies Record<ChatLanguage, Record<string, string>>;

export type ChatTexts = (typeof texts)[ChatLanguage];

export const chatTexts = (language: ChatLanguage): ChatTexts => texts[language];

/** Right-to-left languages among those the widget speaks. */
export const directionOf = (language: ChatLanguage): 'rtl' | 'ltr' => (language === 'ar' ? 'rtl' : 'ltr');

/** The first of the browser's languages that the widget speaks; English otherwise. */
export function browserLanguage(languages: readonly string[]): ChatLanguage {
  for (const tag of languages) {
    const base = tag.toLowerCase().split('-')[0];
    const known = chatLanguages.find((l) => l === base);
    if (known) return known;
  }
  return 'en';
}

/**
 * The language a visitor wrote in, when the widget speaks it and the text says so clearly (Arabic script
 * always does; a short Latin-script message often does not, and then the labels stay as they are).
 */
export function writtenLanguage(text: string): ChatLanguage | null {
  const detected = detectLanguage(text);
  if (!detected) return null;
  const known = chatLanguages.find((l) => l === detected.language);
  return known && detected.confidence >= 0.6 ? known : null;
}
