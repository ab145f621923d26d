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
  /**
   * The server (a Discord guild id) the edit is for: said there instead of the global edit or the default.
   * Absent: the global edit, said everywhere without one of its own.
   */
  serverId?: string;
}

/** The stored overrides of bot texts, one per catalog + key + language. */
export interface BotTextRepository {
  /** Every global override (no `serverId`), by catalog, key and language. */
  list(): Promise<BotTextOverride[]>;
  /** Every per-server override (with `serverId`), by server, catalog, key and language. */
  listForServers(): Promise<BotTextOverride[]>;
  /** Inserts or replaces the override of its (server +) catalog + key + language. */
  set(override: BotTextOverride): Promise<void>;
  /**
   * Removes the override (the global edit, else the default, applies again); true when there was one. With
   * `serverId`, that server's override only.
   */
  remove(catalog: string, key: string, language: string, serverId?: string): Promise<boolean>;
}
