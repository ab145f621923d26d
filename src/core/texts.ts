import { editedTexts, registerTextCatalog, serverEditedTexts } from './bot-texts/bot-text-registry.ts';

/**
 * What Switchboard itself says to contacts, per language. English is the fallback.
 * Placeholders are `{name}` style and filled by `say`.
 */
const catalog = {
  agentJoined: { en: '{agent} joined the conversation.', ar: 'انضم {agent} إلى المحادثة.' },
  caseOpened: {
    en: 'I have opened case #{case} for you and I am transferring you to a person. You are number {position} in the queue.',
    ar: 'فتحت لك الحالة رقم #{case} وسأحوّلك إلى موظف. ترتيبك في قائمة الانتظار: {position}.',
  },
  // Said when the hand-off goes to an outside contact center (Flex), which has no queue position to tell.
  caseOpenedOutside: {
    en: 'I have opened case #{case} for you and I am transferring you to a person.',
    ar: 'فتحت لك الحالة رقم #{case} وسأحوّلك إلى موظف.',
  },
  bridgeClosed: {
    en: 'This conversation with our team is now closed. Write here any time if you need anything else.',
    ar: 'أُغلقت هذه المحادثة مع فريقنا. اكتب هنا في أي وقت إن احتجت شيئاً آخر.',
  },
  transferredToQueue: {
    en: 'I am transferring you to another team. You are number {position} in the queue.',
    ar: 'سأحوّلك إلى فريق آخر. ترتيبك في قائمة الانتظار: {position}.',
  },
  transferredToAgent: { en: '{agent} is taking over the conversation.', ar: 'سيتابع {agent} المحادثة معك.' },
  closedRate: {
    en: 'This conversation is now closed. How would you rate the help you received? (1 = poor, 5 = excellent)',
    ar: 'أُغلقت هذه المحادثة. كيف تقيّم المساعدة التي تلقيتها؟ (1 = سيئة، 5 = ممتازة)',
  },
  thanksForRating: { en: 'Thank you for your feedback!', ar: 'شكراً لتقييمك!' },
  askComment: {
    en: 'Would you like to tell us more? Write a comment in your next message and it goes to our team with your rating.',
    ar: 'هل تود إخبارنا بالمزيد؟ اكتب تعليقك في رسالتك التالية وسيصل إلى فريقنا مع تقييمك.',
  },
  idleReminder: {
    en: 'Are you still there? Reply here to keep this conversation open.',
    ar: 'هل ما زلت هنا؟ ردّ هنا لتبقى هذه المحادثة مفتوحة.',
  },
  idleClosed: {
    en: 'We closed this conversation because we did not hear back from you. Write here any time if you still need help.',
    ar: 'أغلقنا هذه المحادثة لأننا لم نتلقَّ ردك. اكتب هنا في أي وقت إن كنت ما زلت بحاجة إلى مساعدة.',
  },
  thanksForComment: { en: 'Thank you, our team will read your comment.', ar: 'شكراً، سيقرأ فريقنا تعليقك.' },
  gladItHelped: {
    en: 'Glad that helped! Write here any time if you need anything else.',
    ar: 'يسعدني أن ذلك ساعدك! اكتب هنا في أي وقت إن احتجت شيئاً آخر.',
  },
  stillQueued: {
    en: 'You are number {position} in the queue; a person will be with you shortly.',
    ar: 'ترتيبك في قائمة الانتظار: {position}، سيكون معك موظف قريباً.',
  },
  rateLabel: { en: 'Rate {n}', ar: 'تقييم {n}' },
  outOfHours: {
    en: 'Our team is away right now. A person will be back on {back}. Your case is open and you keep your place in the queue.',
    ar: 'فريقنا غير متاح الآن. سيعود موظف يوم {back}. حالتك مفتوحة وستحتفظ بمكانك في قائمة الانتظار.',
  },
  transcriptOfCase: {
    en: 'Here is the transcript of your conversation about case #{case}.',
    ar: 'إليك نص محادثتك بشأن الحالة رقم #{case}.',
  },
  transcript: { en: 'Here is the transcript of your conversation.', ar: 'إليك نص محادثتك.' },
} as const;

export type TextKey = keyof typeof catalog;

/** Whether `key` names one of the core's texts (a flow's `send-message` may say one). */
export const isTextKey = (key: string): key is TextKey => Object.hasOwn(catalog, key);

/** A catalog of texts: per key, the text per language (`en` is the fallback). */
export type TextCatalog = Record<string, Readonly<Record<string, string>>>;

/**
 * What a `say` function is: a key, a language (`ar`, `ar-SA`, …), the values of its placeholders, and the
 * server the contact came through (`Conversation.server.id`), whose own edits come first.
 */
export type Say<K extends string> = (
  key: K,
  language: string | null | undefined,
  values?: Record<string, string | number>,
  server?: string | null,
) => string;

/**
 * The one helper for every catalog (the core's below, a connector's own): picks `language` or English
 * and fills `{placeholders}`. A named catalog is editable: an admin's edit of a key in a language
 * (see `src/core/bot-texts/`) replaces the default of that language, and a server's own edit replaces both
 * in that server.
 */
export function sayFrom<C extends TextCatalog>(texts: C, name?: string): Say<keyof C & string> {
  if (name === undefined)
    return (key, language, values = {}) => fill(pickLanguage(texts[key] ?? {}, language), values);
  registerTextCatalog(name, texts);
  return (key, language, values = {}, server = null) => {
    const defaults = texts[key] ?? {};
    const edited = editedTexts(name, key);
    // A server's own edit, else the global edit, else the default, language by language.
    const own = server ? serverEditedTexts(server, name, key) : undefined;
    const chosen = edited || own ? { ...defaults, ...edited, ...own } : defaults;
    return fill(pickLanguage(chosen, language), values);
  };
}

/** What Switchboard itself says to contacts. */
export const say: Say<TextKey> = sayFrom(catalog, 'core');

/** Fills `{name}` placeholders; unknown ones stay as they are. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : String(value);
  });
}

/** Picks the text of a per-language map (flow `send-message`), falling back to English, then to any. */
export function pickLanguage(texts: Record<string, string>, language: string | null | undefined): string {
  const base = (language ?? 'en').slice(0, 2).toLowerCase();
  return texts[base] ?? texts.en ?? Object.values(texts)[0] ?? '';
}
