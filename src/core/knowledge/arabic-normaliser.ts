/**
 * Arabic text normalisation and light stemming for keyword search. Members write the same word
 * with different alef and yeh forms, with or without diacritics, and glue prefixes (و، ال، بال…)
 * and suffixes (ها، ات، ون…) to it; matching needs one surface form per word.
 */

// Harakat, Quranic marks and superscript alef: optional in everyday writing.
const diacritics = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E8\u06EA-\u06ED]/g;
const tatweel = /\u0640/g;

const charMap: Record<string, string> = {
  أ: 'ا',
  إ: 'ا',
  آ: 'ا',
  ٱ: 'ا',
  ى: 'ي',
  ئ: 'ي',
  ؤ: 'و',
  ة: 'ه',
  // Persian/Urdu letter forms that appear in Arabic text typed on other keyboards.
  ک: 'ك',
  ی: 'ي',
  '،': ',',
  '؛': ';',
  '؟': '?',
};
const mappedChars = new RegExp(`[${Object.keys(charMap).join('')}]`, 'g');
const arabicIndicDigits = /[\u0660-\u0669\u06F0-\u06F9]/g;

/** Unifies letter forms, removes diacritics and tatweel, and maps Arabic-Indic digits to ASCII. */
export function normaliseArabic(text: string): string {
  return text
    .replace(diacritics, '')
    .replace(tatweel, '')
    .replace(mappedChars, (c) => charMap[c] ?? c)
    .replace(arabicIndicDigits, (d) => String((d.charCodeAt(0) - (d >= '\u06F0' ? 0x06f0 : 0x0660)) % 10));
}

// Longest first so that "وال" is tried before "و". Applied to already-normalised words (ة → ه).
const articlePrefixes = ['وبال', 'وكال', 'وال', 'بال', 'كال', 'فال', 'لل', 'ال'];
const suffixes = ['هما', 'كما', 'كم', 'هم', 'هن', 'ها', 'ان', 'ات', 'ون', 'ين', 'يه', 'نا', 'ك', 'ه', 'ي'];

/**
 * Light stemming in the spirit of Larkey's light10: strips one conjunction/article prefix and
 * a few suffixes, keeping at least three letters so that short roots stay distinct.
 * Expects a normalised word (see `normaliseArabic`).
 */
export function stemArabic(word: string): string {
  let w = word;
  if (w.length >= 4 && w.startsWith('و')) w = w.slice(1);
  for (const p of articlePrefixes) {
    if (w.startsWith(p) && w.length - p.length >= 2) {
      w = w.slice(p.length);
      break;
    }
  }
  let stripped = false;
  for (let round = 0; round < 2; round++) {
    const s = suffixes.find((x) => w.endsWith(x) && w.length - x.length >= 3);
    if (!s) break;
    w = w.slice(0, w.length - s.length);
    stripped = true;
  }
  // A ta marbuta becomes ت before a suffix (بطاقه → بطاقتي): strip it so both meet at بطاق.
  if (stripped && w.length >= 4 && w.endsWith('ت')) w = w.slice(0, -1);
  return w;
}

const arabicWord = /[\u0621-\u064A\u0660-\u0669\u066E-\u06D3\u06D5\u06FA-\u06FFa-z0-9]+/g;

/** Normalised, stemmed Arabic word tokens of a text (Latin words and digits are kept, lower-cased). */
export function arabicTokens(text: string, stem = true): string[] {
  const words = normaliseArabic(text.toLowerCase()).match(arabicWord) ?? [];
  return stem ? words.map(stemArabic) : words;
}
