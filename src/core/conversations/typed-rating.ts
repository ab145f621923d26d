/**
 * A rating the contact types instead of pressing a button: a bare 1–5, in Western, Arabic-Indic (٥) or
 * Persian (۵) digits, optionally "out of 5" ("5/5", "5 من 5") or with stars ("5 stars", "٥ نجوم"),
 * and trailing punctuation. Anything else is an ordinary message.
 */
const digitZeros = [0x30, 0x660, 0x6f0];

const typedRatingPattern =
  /^([1-5])\s*(?:\/\s*5|out\s+of\s+5|من\s*5)?\s*(?:stars?|⭐️?|نجوم|نجمات|نجمة)?\s*[.!؟?]*$/iu;

export function parseTypedRating(text: string): number | null {
  const western = text.trim().replace(/[\u0660-\u0669\u06f0-\u06f9]/g, (d) => {
    const code = d.charCodeAt(0);
    const zero = digitZeros.find((z) => code >= z && code <= z + 9) ?? 0x30;
    return String(code - zero);
  });
  const match = typedRatingPattern.exec(western);
  return match ? Number(match[1]) : null;
}
