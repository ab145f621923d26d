import { detectLanguage } from '../core/knowledge/language-detector.ts';

/**
 * How many indexed articles each language has, and from that the language a query is analysed in:
 * the caller's locale filter, else the detected language when the knowledge base has articles in it,
 * else the knowledge base's main language of the same script.
 */
export class KnowledgeLanguages {
  private readonly counts = new Map<string, number>();

  constructor(private readonly defaultLanguage: string) {}

  add(language: string): void {
    this.counts.set(language, (this.counts.get(language) ?? 0) + 1);
  }

  remove(language: string): void {
    const left = (this.counts.get(language) ?? 1) - 1;
    if (left <= 0) this.counts.delete(language);
    else this.counts.set(language, left);
  }

  clear(): void {
    this.counts.clear();
  }

  queryLanguage(query: string, localeFilter: string | undefined): string {
    if (localeFilter) return localeFilter;
    const detected = detectLanguage(query);
    if (detected && (this.counts.get(detected.language) ?? 0) > 0) {
      if (detected.confidence >= 0.5 || detected.language === 'ar') return detected.language;
    }
    // An unsure guess gives way to the knowledge base's main language of the same script.
    let majority = this.defaultLanguage;
    let most = 0;
    for (const [language, count] of this.counts) {
      if ((language === 'ar') !== (detected?.language === 'ar')) continue;
      if (count > most) [majority, most] = [language, count];
    }
    return most > 0 ? majority : (detected?.language ?? this.defaultLanguage);
  }
}
