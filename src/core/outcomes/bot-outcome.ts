import { normaliseArabic } from '../knowledge/arabic-normaliser.ts';
import type { VirtualAgentIntent } from '../ports/virtual-agent.ts';

/**
 * What the bot solves. Every conversation the bot had ends with one outcome:
 *
 * - `resolved`: the member pressed "This solved it" (`confirmed`), or left after an answer, without asking
 *   for a person, and did not write again within 24 hours (`no_return`);
 * - `handed_off`: the conversation went to a person, with the reason (see `handoffReason`);
 * - `abandoned`: the member left (24 hours without a word) without a usable answer: the bot never
 *   answered a question (`never_answered`), its last reply was unsure (`unsure_reply`), or the member's
 *   last words said the answer did not help (`negative_feedback`).
 *
 * A later, stronger outcome replaces an earlier one: handed off > resolved > abandoned (a member who
 * pressed "This solved it" and then asked for a person was, in the end, not contained).
 */
export const botOutcomeKinds = ['resolved', 'handed_off', 'abandoned'] as const;
export type BotOutcomeKind = (typeof botOutcomeKinds)[number];

export const handoffReasons = [
  'asked_for_person',
  'low_confidence',
  'negative_feedback',
  'repeated_question',
  'model_unavailable',
] as const;
export type HandoffReason = (typeof handoffReasons)[number];

export const resolvedReasons = ['confirmed', 'no_return'] as const;
export type ResolvedReason = (typeof resolvedReasons)[number];

export const abandonedReasons = ['never_answered', 'unsure_reply', 'negative_feedback'] as const;
export type AbandonedReason = (typeof abandonedReasons)[number];

export type BotOutcomeReason = HandoffReason | ResolvedReason | AbandonedReason;

/** How strong an outcome is: a stored one is only ever replaced by a stronger one. */
export const outcomeRank: Record<BotOutcomeKind, number> = { abandoned: 1, resolved: 2, handed_off: 3 };

export interface BotOutcome {
  conversationId: string;
  channel: string;
  outcome: BotOutcomeKind;
  reason: BotOutcomeReason;
  /** The article that solved it (resolved), or the last one the bot offered. */
  articleId: string | null;
  /** When it happened: the press, the hand-off, or the member's last message (they left then). */
  occurredAt: string;
}

/** One reply of the virtual agent to one contact message (keyed by that message). */
export interface BotTurn {
  messageId: string;
  conversationId: string;
  /** The contact's words (at most 500 characters). */
  question: string;
  language: string;
  intent: VirtualAgentIntent;
  /** The answer's first article, when the bot answered. */
  articleId: string | null;
  confidence: number;
  /** The member asked (nearly) the same question earlier in the conversation. */
  repeated: boolean;
  /** The member's words said the previous answer did not help. */
  negative: boolean;
  /** The model was unavailable and the bot fell back to its article answer. */
  modelUnavailable: boolean;
  /** When the member pressed "This solved it" on this answer. */
  solvedAt: string | null;
  /** The draft article made from this unanswered question, if any. */
  draftArticleId: string | null;
  createdAt: string;
}

export const MAX_QUESTION = 500;

// --- Negative feedback ----------------------------------------------------------------------

const englishNegative: RegExp[] = [
  // "that didn't help", "this does not help", "it wasn't helpful", "the article didn't answer my question"
  /\b(?:that|this|it|these|those|the (?:article|answer|link|reply)s?|your (?:answer|reply|article)s?)\s+(?:did ?n[o']?t|does ?n[o']?t|do ?n[o']?t|was ?n[o']?t|were ?n[o']?t|is ?n[o']?t|are ?n[o']?t|did not|does not|do not|was not|is not|are not)\s+(?:really\s+|at all\s+)?(?:help|helpful|useful|answer|solve|fix|work|it|right|what)\b/,
  // "didn't help", "not helpful", "no help", "useless", "unhelpful" standing alone
  /^(?:no\s*,?\s*)?(?:(?:it|that|this)\s+)?(?:did ?n[o']?t|did not|does ?n[o']?t|does not)\s+help\b/,
  /\b(?:not|wasn'?t|isn'?t)\s+(?:very\s+|really\s+|at all\s+)?(?:helpful|useful)\b/,
  /\b(?:no help|useless|unhelpful|wrong answer|not what i (?:asked|meant|need|needed|wanted|was looking for))\b/,
  /\b(?:that'?s|that is|this is|it'?s)\s+(?:wrong|not it|not right|not my question|not the answer)\b/,
  /\bstill (?:not working|does ?n[o']?t work|broken|have the (?:same )?problem|the same)\b/,
];

// Arabic after normaliseArabic (ة → ه, ى → ي, hamza forms → ا).
const arabicNegative: RegExp[] = [
  /(?:لم|ما|مو|مش|ماا?|ليس|لا)\s*(?:ي|ت)?(?:ساعد|فيد|فد|فاد|نفع|ينفع|مفيد|مفيده|حل)/,
  /غير\s+مفيد/,
  /(?:جواب|اجابه|رد)\s+(?:خاطي|خطا|غلط)/,
  /(?:مو|مش|ليس|ماهو|مب)\s+(?:هذا|هذي|هاد|هيدا)\s+(?:سوالي|اللي|الي|ما)/,
  /(?:ما|لم)\s+(?:زالت|زال|تزال|يزال)\s+(?:المشكله|مشكلتي)/,
];

const prepare = (text: string) =>
  normaliseArabic(text.toLowerCase())
    .replace(/[’‘`]/g, "'")
    .replace(/[^\p{L}\p{N}'\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * Whether the member says the bot's answer did not help ("that didn't help", "not helpful", "wrong
 * answer", "لم يساعدني", "غير مفيد", 👎). Phrases about the bot's reply only: "my card does not work"
 * describes a problem and is not feedback.
 */
export function isNegativeFeedback(text: string): boolean {
  if (/👎/u.test(text)) return true;
  const words = prepare(text);
  if (!words) return false;
  return englishNegative.some((r) => r.test(words)) || arabicNegative.some((r) => r.test(words));
}

// --- Similar questions ------------------------------------------------------------------------

// Function words say little about what a question is about; without them "can I pay with bitcoin" and
// "do you accept bitcoin payments" share what matters. A text of function words only keeps them.
const functionWords = new Set(
  (
    'a an the i me my we our you your it its is are am was were be been do does did can could would should ' +
    'will shall may might to of in on at for with by from about how what when where why who which there ' +
    'this that these those and or but not no yes please hi hello hey any some get got have has had ' +
    'في من على الى عن مع هل كيف ما ماذا متى اين لماذا هذا هذه ذلك انا انت هو هي نحن و او لا نعم ممكن'
  ).split(' '),
);

/** Character 3-grams of the normalised text's content words (each padded with a space), counted. */
export function trigrams(text: string): Map<string, number> {
  const grams = new Map<string, number>();
  const all = prepare(text).split(' ').filter(Boolean);
  const content = all.filter((w) => !functionWords.has(w));
  for (const word of content.length > 0 ? content : all) {
    const padded = ` ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) {
      const gram = padded.slice(i, i + 3);
      grams.set(gram, (grams.get(gram) ?? 0) + 1);
    }
  }
  return grams;
}

/** Cosine similarity of two texts' character 3-gram counts: 1 for the same words, 0 for nothing shared. */
export function similarity(a: Map<string, number> | string, b: Map<string, number> | string): number {
  const x = typeof a === 'string' ? trigrams(a) : a;
  const y = typeof b === 'string' ? trigrams(b) : b;
  let dot = 0;
  let nx = 0;
  let ny = 0;
  for (const [gram, count] of x) {
    nx += count * count;
    dot += count * (y.get(gram) ?? 0);
  }
  for (const count of y.values()) ny += count * count;
  return nx === 0 || ny === 0 ? 0 : dot / Math.sqrt(nx * ny);
}

/** Two questions this similar are the member asking the same thing again (rephrased a little). */
export const REPEAT_SIMILARITY = 0.6;
/** Unanswered questions this similar (to any question of a group) join that group. */
export const GROUP_SIMILARITY = 0.45;

/**
 * Whether `question` repeats an earlier question of the conversation that the bot already replied to
 * (answered or unsure): the member did not get what they needed the first time.
 */
export function isRepeatedQuestion(
  question: string,
  earlier: Pick<BotTurn, 'question' | 'intent'>[],
): boolean {
  const grams = trigrams(question);
  if (grams.size === 0) return false;
  return earlier.some(
    (t) =>
      (t.intent === 'answer' || t.intent === 'unsure') && similarity(grams, t.question) >= REPEAT_SIMILARITY,
  );
}

export interface QuestionGroup<T> {
  items: T[];
}

/**
 * Groups similar questions together (single link: a question joins the first group holding a question
 * at least `threshold` similar to it), biggest group first, then the one asked most recently.
 */
export function groupQuestions<T extends { question: string; createdAt: string }>(
  items: T[],
  threshold = GROUP_SIMILARITY,
): QuestionGroup<T>[] {
  const groups: { items: T[]; grams: Map<string, number>[] }[] = [];
  for (const item of [...items].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
    const grams = trigrams(item.question);
    if (grams.size === 0) continue;
    const home = groups.find((g) => g.grams.some((other) => similarity(grams, other) >= threshold));
    if (home) {
      home.items.push(item);
      home.grams.push(grams);
    } else groups.push({ items: [item], grams: [grams] });
  }
  const latest = (g: { items: T[] }) => g.items.at(-1)?.createdAt ?? '';
  return groups
    .sort((a, b) => b.items.length - a.items.length || latest(b).localeCompare(latest(a)))
    .map((g) => ({ items: g.items }));
}

// --- Deciding outcomes ------------------------------------------------------------------------

/** What the hand-off saw: the message that caused it, and the bot's reply to it if the bot replied. */
export interface HandoffSituation {
  /** The text of the message that led to the hand-off (empty for a bare button press). */
  text: string;
  /** The virtual agent's reply in this same run (a flow that hands off on an unsure reply). */
  reply?: Pick<BotTurn, 'intent' | 'modelUnavailable' | 'negative' | 'repeated'>;
  /** The bot's last recorded reply in the conversation, before this message. */
  lastTurn?: Pick<BotTurn, 'intent' | 'modelUnavailable' | 'negative' | 'repeated'>;
}

/**
 * Why a conversation went to a person, from the bot's most recent reply (this run's, else the last one
 * recorded): the model was unavailable; the member said the answer did not help (in the hand-off message
 * or in the question before); they asked the same question again; the bot was unsure (low confidence);
 * otherwise the member simply asked for a person (a button, "human please", a first message asking).
 */
export function handoffReason(situation: HandoffSituation): HandoffReason {
  const turn = situation.reply ?? situation.lastTurn;
  if (turn?.modelUnavailable) return 'model_unavailable';
  if ((situation.text.trim() && isNegativeFeedback(situation.text)) || turn?.negative)
    return 'negative_feedback';
  if (turn?.repeated) return 'repeated_question';
  if (turn?.intent === 'unsure') return 'low_confidence';
  return 'asked_for_person';
}

/**
 * The outcome of a conversation the member left (24 hours without a word, no hand-off, no "This solved
 * it"), from the bot's replies to their questions: resolved when the last one was an answer, abandoned
 * when the bot never answered, was unsure last, or the member's last question said it did not help.
 */
export function idleOutcome(turns: Pick<BotTurn, 'intent' | 'negative' | 'articleId'>[]): {
  outcome: 'resolved' | 'abandoned';
  reason: ResolvedReason | AbandonedReason;
  articleId: string | null;
} {
  const last = turns.findLast((t) => t.intent === 'answer' || t.intent === 'unsure');
  if (!last) return { outcome: 'abandoned', reason: 'never_answered', articleId: null };
  if (last.negative) return { outcome: 'abandoned', reason: 'negative_feedback', articleId: last.articleId };
  if (last.intent === 'unsure') return { outcome: 'abandoned', reason: 'unsure_reply', articleId: null };
  return { outcome: 'resolved', reason: 'no_return', articleId: last.articleId };
}
