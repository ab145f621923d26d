/**
 * Language detection for short customer questions ("where is my card?"). Statistical detectors
 * need more text than a chat message has, so this uses script first and then the function words
 * and letters that distinguish English, French, Spanish and German.
 */

export const detectableLanguages = ['en', 'ar', 'fr', 'es', 'de'] as const;
export type DetectableLanguage = (typeof detectableLanguages)[number];

export interface DetectedLanguage {
  language: DetectableLanguage;
  /** 0..1: how sure the detector is; short Latin-script text without function words is unsure. */
  confidence: number;
}

const latinLanguages = ['en', 'fr', 'es', 'de'] as const;
type LatinLanguage = (typeof latinLanguages)[number];

// Frequent function words and chat words; a word shared by two languages counts for both.
const functionWords: Record<LatinLanguage, string[]> = {
  en: 'the a an is are was were be been my your i you me we it this that what where when why how who which can could would should will do does did not no to of in on for with from at by and or but have has had get got there here please thanks thank hi hello hey account card money help need want why isnt dont cant wont didnt doesnt im ive its any some much many'.split(
    ' ',
  ),
  fr: 'le la les un une des du de et est sont je tu il elle nous vous ils mon ma mes ton ta votre vos pour pas ne que qui quoi comment pourquoi où quand avec dans sur au aux ce cette ces mais ou je suis ai avez bonjour merci salut svp carte compte peux puis faire veux besoin encore toujours aide'.split(
    ' ',
  ),
  es: 'el la los las un una unos unas de del y es son yo tu mi mis su sus que qué como cómo por para porque con en no se me te lo le hola gracias cuando cuándo donde dónde cuál cual está estoy esta tengo tiene puedo quiero necesito mi tarjeta cuenta ayuda todavía aún muy'.split(
    ' ',
  ),
  de: 'der die das ein eine einen dem den des und ist sind ich du er sie wir ihr mein meine meinen mich mir dich dir nicht kein keine wie wo warum wann was wer mit für auf zu im in ist hallo danke bitte karte konto kann können möchte will brauche noch immer hilfe habe hat schon'.split(
    ' ',
  ),
};

const wordSets = Object.fromEntries(latinLanguages.map((l) => [l, new Set(functionWords[l])])) as Record<
  LatinLanguage,
  Set<string>
>;

// Letters that (nearly) belong to one language among the four.
const letterHints: [RegExp, LatinLanguage, number][] = [
  [/[ñ¿¡]/, 'es', 3],
  [/[áíóú]/, 'es', 1],
  [/[ßäöü]/, 'de', 3],
  [/[çœàèêëîïûù]/, 'fr', 2],
  [/[é]/, 'fr', 0.5],
  [/\b(?:qu'|l'|d'|j'|n'|c'|m'|s')/, 'fr', 2],
  [/\b\w+(?:'s|n't|'m|'re|'ve|'ll)\b/, 'en', 2],
];

const arabicLetters = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]/g;
const latinLetters = /[a-zA-Z\u00C0-\u024F]/g;

/** The language of a short text, or `null` when there is too little evidence (then use the contact's locale). */
export function detectLanguage(text: string): DetectedLanguage | null {
  const arabic = text.match(arabicLetters)?.length ?? 0;
  const latin = text.match(latinLetters)?.length ?? 0;
  if (arabic === 0 && latin === 0) return null;
  if (arabic >= latin) return { language: 'ar', confidence: arabic >= 3 ? 1 : 0.6 };

  const lower = text.toLowerCase();
  const words = lower.match(/[a-z\u00C0-\u024F]+(?:'[a-z]+)?/g) ?? [];
  const scores: Record<LatinLanguage, number> = { en: 0, fr: 0, es: 0, de: 0 };
  for (const word of words) {
    const bare = word.replace(/'/g, '');
    for (const lang of latinLanguages)
      if (wordSets[lang].has(word) || wordSets[lang].has(bare)) scores[lang] += 1;
  }
  for (const [pattern, lang, weight] of letterHints) if (pattern.test(lower)) scores[lang] += weight;

  const ranked = [...latinLanguages].sort((a, b) => scores[b] - scores[a]);
  const best = ranked[0] ?? 'en';
  const top = scores[best];
  const second = scores[ranked[1] ?? 'en'];
  if (top === 0) return null;
  // Sure when the winner leads clearly; a tie goes to English, the usual language of Latin-script chat.
  if (top === second) return { language: scores.en === top ? 'en' : best, confidence: 0.3 };
  return { language: best, confidence: Math.min(1, (top - second) / 2 + 0.3) };
}

/** The base language of a locale tag: `en-US` → `en`, `ar_SA` → `ar`. */
export function baseLanguage(locale: string): string {
  return locale.toLowerCase().split(/[-_]/)[0] ?? locale.toLowerCase();
}
