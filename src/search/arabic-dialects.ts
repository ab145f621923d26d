/**
 * Common dialect words (Gulf, Levantine, Egyptian, Maghrebi) mapped to the Modern Standard Arabic
 * word a help center is usually written in, so that "وش اسوي" meets "ماذا أفعل" and "كرتي" meets
 * "بطاقتي". Knowledge bases are written in MSA; members write as they speak. Keys and values are
 * already normalised (see `normaliseArabic`: alef forms → ا, ى → ي, ة → ه). Filler words that carry
 * no intent map to the empty string and are dropped.
 */
const dialectWords: Record<string, string> = {
  // want: Gulf ابي/ابغى/ودي, Levantine بدي, Egyptian عايز, Maghrebi بغيت
  ابي: 'اريد',
  ابغي: 'اريد',
  ابغا: 'اريد',
  ابا: 'اريد',
  ودي: 'اريد',
  بدي: 'اريد',
  عايز: 'اريد',
  عاوز: 'اريد',
  عايزه: 'اريد',
  بغيت: 'اريد',
  نبغي: 'نريد',
  نبي: 'نريد',
  بدنا: 'نريد',
  // what / why / where / how / when
  وش: 'ماذا',
  ايش: 'ماذا',
  شو: 'ماذا',
  شنو: 'ماذا',
  ايه: 'ماذا',
  اش: 'ماذا',
  واش: 'هل',
  ليش: 'لماذا',
  ليه: 'لماذا',
  علاش: 'لماذا',
  وين: 'اين',
  فين: 'اين',
  شلون: 'كيف',
  كيفاش: 'كيف',
  ازاي: 'كيف',
  ازاى: 'كيف',
  امتي: 'متي',
  ايمتي: 'متي',
  امتا: 'متي',
  // can / do
  اقدر: 'يمكنني',
  اقدرش: 'يمكنني',
  بقدر: 'يمكنني',
  نقدر: 'يمكننا',
  تقدر: 'يمكنك',
  يقدر: 'يمكن',
  اسوي: 'افعل',
  سويت: 'فعلت',
  نسوي: 'نفعل',
  يسوي: 'يفعل',
  تسوي: 'تفعل',
  // not / still / now / much / like / this
  مو: 'ليس',
  مب: 'ليس',
  موب: 'ليس',
  مش: 'ليس',
  للحين: 'زلت',
  لسه: 'زلت',
  لسا: 'زلت',
  لسع: 'زلت',
  لحد: 'حتي',
  الحين: 'الان',
  هلق: 'الان',
  دلوقتي: 'الان',
  دابا: 'الان',
  توا: 'الان',
  كتير: 'كثير',
  واجد: 'كثير',
  وايد: 'كثير',
  بزاف: 'كثير',
  برشا: 'كثير',
  زي: 'مثل',
  كذا: 'هكذا',
  هيك: 'هكذا',
  هذي: 'هذه',
  هاذي: 'هذه',
  هاي: 'هذه',
  ده: 'هذا',
  دا: 'هذا',
  هاد: 'هذا',
  اللي: 'الذي',
  عشان: 'لان',
  علشان: 'لان',
  بس: 'لكن',
  رح: 'سوف',
  // fillers: "I mean", possessive particles
  يعني: '',
  تبع: '',
  تبعي: '',
  بتاع: '',
  بتاعي: '',
  ديال: '',
  ديالي: '',
  // nouns a bank or shop hears in dialect
  كرت: 'بطاقه',
  كارت: 'بطاقه',
  فلوس: 'اموال',
  مصاري: 'اموال',
  بيزات: 'اموال',
  جوال: 'هاتف',
  موبايل: 'هاتف',
  تلفون: 'هاتف',
};

const prefixes = ['وال', 'بال', 'فال', 'لل', 'ال', 'و', 'ب', 'ف'];
const suffixes = ['كم', 'ها', 'نا', 'ي', 'ك', 'ه'];
/** Nouns that also take prefixes and suffixes ("الكرت", "كرتي", "فلوسي"). */
const nouns = new Set(['كرت', 'كارت', 'فلوس', 'مصاري', 'جوال', 'موبايل', 'تلفون']);

function mapWord(word: string): string | undefined {
  const direct = dialectWords[word];
  if (direct !== undefined) return direct;
  for (const p of ['', ...prefixes]) {
    if (!word.startsWith(p)) continue;
    const rest = word.slice(p.length);
    for (const s of ['', ...suffixes]) {
      if (!rest.endsWith(s)) continue;
      const core = rest.slice(0, rest.length - s.length);
      if (!nouns.has(core)) continue;
      // بطاقه + ي → بطاقتي: the ta marbuta is written ت before a suffix.
      const msa = dialectWords[core] ?? core;
      return p + (s && msa.endsWith('ه') ? `${msa.slice(0, -1)}ت` : msa) + s;
    }
  }
  return undefined;
}

/** Normalised Arabic words with dialect words replaced by their MSA equivalent (fillers dropped). */
export function normaliseArabicDialect(words: string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    const mapped = mapWord(w);
    if (mapped === undefined) out.push(w);
    else if (mapped) for (const m of mapped.split(' ')) out.push(m);
  }
  return out;
}
