/** An admin's edit of one bot text in one language; the default stays in the code's catalog. */
export interface BotTextOverride {
  /** The catalog the key belongs to: `core`, `discord`, `messaging`. */
  catalog: string;
  key: string;
  /** Two-letter language: `en`, `ar`. */
  language: string;
  text: string;
  updatedAt: string;
  /** The admin who saved it; null when unknown (an API token of a removed agent). */
  updatedBy: string | null;
}

/** The stored overrides of bot texts, one per catalog + key + language. */
export interface BotTextRepository {
  /** Every override, by catalog, key and language. */
  list(): Promise<BotTextOverride[]>;
  /** Inserts or replaces the override of its catalog + key + language. */
  set(override: BotTextOverride): Promise<void>;
  /** Removes the override (the default applies again); true when there was one. */
  remove(catalog: string, key: string, language: string): Promise<boolean>;
}
