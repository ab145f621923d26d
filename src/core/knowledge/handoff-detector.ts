import { normaliseArabic } from './arabic-normaliser.ts';

/**
 * Recognises what a contact says *to the bot* rather than *about their problem*: asking for a
 * person, thanking, saying goodbye or hello. It must not fire on questions that merely contain
 * the words ("my agent id is wrong", "thanks to your update my card broke").
 */
export type ConversationalIntent = 'handoff' | 'thanks' | 'goodbye' | 'greeting';

function prepare(text: string): string {
  return normaliseArabic(text.toLowerCase())
    .replace(/[’‘`]/g, "'")
    .replace(/[^\p{L}\p{N}'\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

// --- English ---------------------------------------------------------------------------------

const person =
  '(?:(?:a|an|the|some|one|your|real|live|actual|human|proper)\\s+)*(?:human(?: being)?|person|people|agent|rep|representative|operator|someone|somebody|anyone|anybody|staff(?: member)?|employee|support(?: team| staff| agent)?|customer (?:service|support|care)(?: (?:agent|rep|representative|team))?|manager|supervisor|moderator|mod|admin|team member|member of (?:staff|the team)|advisor|adviser)';
const contactVerb = '(?:talk|speak|chat|get in touch|be connected|connect me|communicate)';

const englishHandoff: RegExp[] = [
  // "talk to a human", "speak with someone", "chat with an agent"
  new RegExp(`\\b${contactVerb}\\s+(?:to|with)\\s+${person}\\b`),
  // "connect me to an agent", "transfer me to a human", "put me through to someone"
  new RegExp(
    `\\b(?:connect|transfer|put|pass|forward|escalate|send|route|hand)\\s+(?:me|this|it)\\s+(?:through\\s+|over\\s+|on\\s+)?(?:to|with)\\s+${person}\\b`,
  ),
  // "I want a human", "I need a real person", "can I get an agent", "give me a representative"
  new RegExp(
    `\\b(?:want|need|like|get(?: me)?|have|give me|request|requesting|prefer|find(?: me)?)\\s+(?:to\\s+(?:talk|speak|chat)\\s+(?:to|with)\\s+)?${person.replace('(?:human(?: being)?|person|people|agent', '(?:human(?: being)?|person|people|live agent|real agent|human agent|agent')}\\s*(?:please|pls|plz|now|asap|instead)?$`,
  ),
  // "is there a human I can talk to", "is anyone there"
  /\b(?:is there|are there)\s+(?:a|an|any)\s+(?:real\s+|live\s+|actual\s+)?(?:human|person|people|agent|one)\b.*\b(?:talk|speak|chat|help)\b/,
  // "real person", "live agent", "human agent" anywhere: nobody asks about these except to reach one.
  /\b(?:real|live|actual)\s+(?:human|person|people|agent|support)\b/,
  /\bhuman\s+(?:agent|support|being|help|assistance|operator)\b/,
  // "not a bot", "stop the bot", "I don't want to talk to a bot"
  /\b(?:not|no more|stop|without|instead of|other than)\s+(?:a |the |this |your )?(?:bot|robot|machine|ai|automated)\b/,
  /\b(?:don't|do not|dont)\s+want\s+(?:to\s+(?:talk|speak|chat)\s+(?:to|with)\s+)?(?:a |the |this |your )?(?:bot|robot|machine|ai)\b/,
];

// The whole message is just the request: "agent", "human please", "representative!!", "customer service".
const englishBareRequest =
  /^(?:(?:hi|hello|hey|ok|okay|please|pls|plz|can i|could i|i want|i need)\s+)*(?:an?\s+|the\s+)?(?:human|person|agent|live agent|representative|rep|operator|customer service|customer support|customer care|support|staff|someone|somebody|real person|real human|manager|supervisor)(?:\s+(?:please|pls|plz|now|asap|thanks|thank you))*$/;

// A request preceded by a negation or framed as a question about the bot itself is not a request.
const englishNegated =
  /\b(?:don't|do not|dont|doesn't|no need to|not necessary to|never)\s+(?:want|need|have)?\s*(?:to\s+)?(?:talk|speak|chat)\s+(?:to|with)\s+(?:a |an |the )?(?:human|person|agent|someone)/;
const botIdentityQuestion =
  /^(?:are you|r u|is this|am i talking to|am i speaking (?:to|with))\s+(?:a |an )?(?:real |actual )?(?:human|person|bot|robot|ai)\b/;

// --- Arabic (after normaliseArabic: أ/إ/آ → ا, ة → ه, ى → ي) ------------------------------------

// Arabic has no \b: match whole space-separated words, allowing glued و/ب/ل/ال prefixes on nouns.
const arabicWordsRegex = (alternatives: string, prefixes = '') =>
  new RegExp(`(?:^| )${prefixes}(?:${alternatives})(?= |$)`);
const arabicPersonNouns = arabicWordsRegex(
  'موظف|موظفين|موظفه|ممثل|مندوب|شخص|انسان|بشري|احد|حد|مسوول|مدير|الدعم|دعم|خدمه العملاء|خدمه الزباين|خدمه العميل|الاداره|اداره|ادمن|مشرف',
  '(?:و|ب|ل|لل|ال|بال|وال|مع ال)?',
);
const arabicRequestVerbs = arabicWordsRegex(
  'اريد|ابي|ابغي|ابغا|ابا|بدي|عايز|عاوز|حابب|ممكن|اود|اكلم|اتكلم|اتحدث|احكي|اتواصل|التحدث|التكلم|التواصل|الحديث|كلمني|خليني|حولني|حول|وصلني|اوصلني|اوصل|تحويل|تحويلي|وصلوني|نبي|نبغي|ودي|تواصل|كلم|تكلم|محادثه|اتصل|ابغى',
  '(?:و|ف)?',
);
const arabicHandoffPhrases: RegExp[] = [
  /شخص حقيقي/,
  /انسان حقيقي/,
  /موظف حقيقي/,
  /(?:مو|مش|ليس|لست|ما ابي|لا اريد|ما بدي)\s*(?:مع\s+)?(?:بوت|روبوت|الي|آلي|الة)/,
];
const arabicNegation =
  /(?:لا اريد|ما ابي|ما ابغي|مش عايز|ما بدي|لا داعي|مو لازم)\s+(?:اكلم|اتكلم|اتحدث|التحدث)/;

const arabicWords = (t: string) => t.split(' ').filter(Boolean);

function isArabicHandoff(t: string): boolean {
  if (arabicNegation.test(t)) return false;
  if (arabicHandoffPhrases.some((p) => p.test(t))) return true;
  if (!arabicPersonNouns.test(t)) return false;
  // "رقم الموظف خطا" (the employee number is wrong) has the noun but no request; short bare
  // messages ("موظف", "خدمة العملاء لو سمحت") are requests.
  if (arabicRequestVerbs.test(t)) return true;
  const rest = arabicWords(t).filter(
    (w) => !/^(?:لو|سمحت|من|فضلك|رجاء|رجاءا|الرجاء|بليز|الان|هلا|يا|مع|مرحبا|السلام|عليكم|اهلا)$/.test(w),
  );
  return rest.length <= 2;
}

// --- thanks / goodbye / greeting ----------------------------------------------------------------

const thanksWords =
  /^(?:thanks?|thank you|thankyou|thx|tnx|ty|tysm|cheers|appreciated?|appreciate it|much appreciated|merci|gracias|danke|شكرا|شكر|مشكور|مشكوره|يعطيك العافيه|الله يعطيك العافيه|جزاك الله خير|جزاك الله خيرا|تسلم|تسلمي|يسلمو|ممنون|الف شكر|شكرا جزيلا)$/;
const goodbyeWords =
  /^(?:bye|goodbye|good bye|bye bye|see you|see ya|cya|later|have a (?:good|nice) (?:day|one|night)|au revoir|adios|adiós|tschüss|tschuss|مع السلامه|الي اللقاء|باي|سلام)$/;
const greetingWords =
  /^(?:hi|hello|hey|hiya|yo|howdy|good (?:morning|afternoon|evening)|greetings|hi there|hello there|hey there|bonjour|salut|hola|buenos dias|buenas|hallo|guten tag|servus|السلام عليكم|سلام عليكم|مرحبا|مرحبتين|اهلا|اهلين|هلا|صباح الخير|مساء الخير|هاي)$/;
// Words that may surround a thanks/goodbye without making it a new question.
const filler =
  /^(?:so|very|much|a|lot|lots|ok|okay|great|perfect|awesome|cool|nice|that|it|this|helped|helps|works|worked|solved|for|the|help|your|you|all|again|guys|team|bot|and|everyone|everybody|man|mate|bro|sir|madam|now|got|i|yes|yeah|yep|no|nope|good|kindly|كثير|جزيلا|جدا|على|المساعده|تمام|اوكي|طيب|خلاص|حبيبي|يا|اخي|الله|يعطيك|العافيه|وعليكم|ورحمه|وبركاته|you all|there)$/;

function matchesShortPhrase(t: string, phrase: RegExp, maxExtraWords: number): boolean {
  const words = arabicWords(t);
  if (words.length === 0 || words.length > 10) return false;
  // Find a span of 1..4 words equal to the phrase; everything else must be filler.
  for (let len = Math.min(4, words.length); len >= 1; len--) {
    for (let start = 0; start + len <= words.length; start++) {
      if (!phrase.test(words.slice(start, start + len).join(' '))) continue;
      const others = [...words.slice(0, start), ...words.slice(start + len)];
      const extra = others.filter((w) => !filler.test(w) && !phrase.test(w));
      if (extra.length <= maxExtraWords) return true;
    }
  }
  return false;
}

/** What a contact's message is, if it is conversation rather than a question; `null` for questions. */
export function detectConversationalIntent(text: string): ConversationalIntent | null {
  const t = prepare(text);
  if (!t) return null;
  if (isHandoffRequest(t, true)) return 'handoff';
  if (matchesShortPhrase(t, thanksWords, 0)) return 'thanks';
  if (matchesShortPhrase(t, goodbyeWords, 0)) return 'goodbye';
  if (matchesShortPhrase(t, greetingWords, 0)) return 'greeting';
  return null;
}

function isHandoffRequest(t: string, prepared: boolean): boolean {
  const s = prepared ? t : prepare(t);
  if (/[\u0621-\u064A]/.test(s) && isArabicHandoff(s)) return true;
  if (englishNegated.test(s) || botIdentityQuestion.test(s)) return false;
  return englishBareRequest.test(s) || englishHandoff.some((p) => p.test(s));
}

/** True when the contact asks for a person ("talk to a human", "agent please", "أريد التحدث مع موظف"). */
export function detectHandoff(text: string): boolean {
  return isHandoffRequest(text, false);
}
