import { stemmer as stemEnglish } from '@orama/stemmers/english';
import { stemmer as stemFrench } from '@orama/stemmers/french';
import { stemmer as stemGerman } from '@orama/stemmers/german';
import { stemmer as stemSpanish } from '@orama/stemmers/spanish';
import { arabicTokens } from '../core/knowledge/arabic-normaliser.ts';

/**
 * Turns text into index terms for one language: lower-case, strip accents where the language
 * tolerates it, drop stop words, stem (Orama's Snowball stemmers; Arabic normalisation and light
 * stemming from core/knowledge). Index and queries use the same analysis, so they meet.
 */

const stemmers: Record<string, (word: string) => string> = {
  en: stemEnglish,
  fr: stemFrench,
  es: stemSpanish,
  de: stemGerman,
};

// Small lists on purpose: question words (how, where, why, when) carry intent and are kept.
const stopWords: Record<string, Set<string>> = {
  en: new Set(
    'a an the is are was were be been being am i me my mine myself you your yours we our us it its this that these those of to in on at for with from by and or as do does did so if then than there their them they he she his her im ive id please pls hi hello hey thanks thank just also would could should can will shall may might'.split(
      ' ',
    ),
  ),
  fr: new Set(
    'le la les l un une des du de d et est sont je j tu il elle nous vous ils elles mon ma mes ton ta tes votre vos notre nos son sa ses ce cet cette ces au aux a en y que qu qui ne n se s me m te t lui leur svp merci bonjour'.split(
      ' ',
    ),
  ),
  es: new Set(
    'el la los las un una unos unas de del y e o u es son yo tu él ella nosotros vosotros ellos mi mis tu tus su sus nuestro me te se le les lo al a en que por favor hola gracias'.split(
      ' ',
    ),
  ),
  de: new Set(
    'der die das den dem des ein eine einen einem einer eines und oder ist sind bin ich du er sie es wir ihr mein meine meinen meinem meiner dein deine unser euer sein zu im in am an auf mit von bitte hallo danke'.split(
      ' ',
    ),
  ),
  ar: new Set(
    // After normalisation and stemming: pronouns, particles and prepositions.
    'في من الي علي عن مع هل ما ماذا انا انت هو هي نحن هم هذا هذه ذلك تلك التي الذي و او ثم ان لقد قد كان يا لو كل اي بعد قبل عند لي له لها لك به بها منذ حتي'.split(
      ' ',
    ),
  ),
};

const latinWord = /[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu;

export interface AnalyzerOptions {
  /** Add adjacent-term pairs (`card|arriv`) so that phrases score above scattered words. */
  bigrams: boolean;
  /** When given, adjacent-term pairs are added for these languages only. */
  bigramLanguages?: string[];
  stopWords: boolean;
  stemming: boolean;
}

export const defaultAnalyzerOptions: AnalyzerOptions = { bigrams: false, stopWords: true, stemming: true };

/** Languages with dedicated analysis; anything else gets the Latin path without stemming. */
export const analyzedLanguages = ['en', 'fr', 'es', 'de', 'ar'] as const;

export function analyzeText(
  text: string,
  language: string,
  options: AnalyzerOptions = defaultAnalyzerOptions,
): string[] {
  const stops = options.stopWords ? stopWords[language] : undefined;
  let terms: string[];
  const arabic = language === 'ar' || /[\u0600-\u06FF]/.test(text);
  if (arabic) {
    // Arabic text, possibly mixed with Latin product names; Latin words get English stemming.
    terms = arabicTokens(text, options.stemming).map((t) =>
      options.stemming && /^[a-z]/.test(t) ? stemEnglish(t) : t,
    );
    const arStops = stopWords.ar;
    if (options.stopWords && arStops) terms = terms.filter((t) => !arStops.has(t));
  } else {
    const stem = options.stemming ? stemmers[language] : undefined;
    const words = text.toLowerCase().normalize('NFC').match(latinWord) ?? [];
    terms = [];
    for (const raw of words) {
      const word = raw.replace(/'s$/, '').replace(/'/g, '');
      if (stops?.has(word)) continue;
      terms.push(stem ? stem(word) : word);
    }
  }
  const pairs =
    options.bigrams &&
    (!options.bigramLanguages || options.bigramLanguages.includes(arabic ? 'ar' : language));
  if (pairs && terms.length > 1) {
    const pairs: string[] = [];
    for (let i = 0; i + 1 < terms.length; i++) pairs.push(`${terms[i]}|${terms[i + 1]}`);
    terms = terms.concat(pairs);
  }
  return terms;
}
