import { invalid, notFound } from '../errors.ts';
import type { BotTextOverride } from '../ports/bot-text-repository.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Store } from '../ports/repositories.ts';
import { checkBotText, limitOf, type TextVariable, variablesOf } from './bot-text-check.ts';
import { replaceTextEdits, textCatalogs } from './bot-text-registry.ts';

/** One key of a catalog as the editor shows it: the defaults, the edits, what it may use. */
export interface BotTextEntry {
  catalog: string;
  key: string;
  variables: TextVariable[];
  /** The longest it may be with its longest values (Discord's limit for where it is said). */
  limit: number;
  /** The code's text per language. */
  defaults: Record<string, string>;
  /** The stored edits per language. */
  overrides: Record<string, BotTextEdit>;
  /** The servers' own edits: per server id, per language (said there instead of `overrides`). */
  serverOverrides: Record<string, Record<string, BotTextEdit>>;
}

export interface BotTextEdit {
  text: string;
  updatedAt: string;
  updatedBy: string | null;
}

export interface BotTextOptions {
  /**
   * How often every instance reloads the edits besides on the change event, for an instance that missed
   * the event (Redis pub/sub is at most once).
   */
  reloadMs: number;
}

export const defaultBotTextOptions: BotTextOptions = { reloadMs: 60_000 };

/**
 * The bot's editable texts: every key of every registered catalog (`sayFrom(catalog, name)`), edited per
 * language by admins. Edits are stored, then every instance reloads them into memory on the change event.
 */
export class BotTextService {
  private timer: ReturnType<typeof setInterval> | null = null;
  private unsubscribe: (() => void) | null = null;
  private loading: Promise<void> | null = null;
  private reloadAgain = false;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly options: BotTextOptions = defaultBotTextOptions,
  ) {}

  async list(): Promise<BotTextEntry[]> {
    const overrides = await this.store.botTexts.list();
    const perServer = await this.store.botTexts.listForServers();
    const entries: BotTextEntry[] = [];
    const editOf = (o: BotTextOverride): BotTextEdit => ({
      text: o.text,
      updatedAt: o.updatedAt,
      updatedBy: o.updatedBy,
    });
    for (const [catalog, texts] of textCatalogs())
      for (const [key, defaults] of Object.entries(texts)) {
        const edited: BotTextEntry['overrides'] = {};
        for (const o of overrides) if (o.catalog === catalog && o.key === key) edited[o.language] = editOf(o);
        const servers: BotTextEntry['serverOverrides'] = {};
        for (const o of perServer)
          if (o.catalog === catalog && o.key === key && o.serverId !== undefined)
            servers[o.serverId] = { ...servers[o.serverId], [o.language]: editOf(o) };
        entries.push({
          catalog,
          key,
          variables: variablesOf(defaults),
          limit: limitOf(catalog, key),
          defaults: { ...defaults },
          overrides: edited,
          serverOverrides: servers,
        });
      }
    return entries;
  }

  /**
   * Stores an edit after checking it; the error names the unknown placeholder, the length or the marker.
   * With `serverId`, the edit is that server's own (the other servers keep the global edit or the default).
   */
  async set(
    catalog: string,
    key: string,
    language: string,
    text: string,
    by: string | null,
    serverId?: string,
  ): Promise<BotTextEntry> {
    const defaults = this.defaultsOf(catalog, key, language);
    const variables = variablesOf(defaults);
    const problem = checkBotText(text, variables, limitOf(catalog, key));
    if (problem) {
      const { message, ...details } = problem;
      throw invalid(`${catalog}.${key} (${language}): ${message}`, details);
    }
    const override: BotTextOverride = {
      catalog,
      key,
      language,
      text,
      updatedAt: this.clock.now().toISOString(),
      updatedBy: by,
      ...(serverId !== undefined ? { serverId } : {}),
    };
    await this.store.botTexts.set(override);
    await this.changed();
    return this.entry(catalog, key);
  }

  /** Removes an edit: the code's default (in a server: the global edit, else the default) applies again. */
  async reset(catalog: string, key: string, language: string, serverId?: string): Promise<BotTextEntry> {
    this.defaultsOf(catalog, key, language);
    if (await this.store.botTexts.remove(catalog, key, language, serverId)) await this.changed();
    return this.entry(catalog, key);
  }

  /** Loads the stored edits now; calls meanwhile share the load, and one more follows if asked during it. */
  reload(): Promise<void> {
    if (this.loading) {
      this.reloadAgain = true;
      return this.loading;
    }
    this.loading = (async () => {
      try {
        do {
          this.reloadAgain = false;
          const [global, perServer] = await Promise.all([
            this.store.botTexts.list(),
            this.store.botTexts.listForServers(),
          ]);
          replaceTextEdits([...global, ...perServer]);
        } while (this.reloadAgain);
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  /** Follows the edits: loads them now, again on every change event and every `reloadMs`. */
  start(onError: (error: unknown) => void): void {
    if (this.timer) return;
    const reload = () => this.reload().catch(onError);
    this.unsubscribe = this.bus.subscribe((event) => {
      if (event.type === 'bot_texts.changed') return reload();
    });
    this.timer = setInterval(reload, this.options.reloadMs);
    void reload();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private async changed(): Promise<void> {
    await this.reload();
    await this.bus.publish({ type: 'bot_texts.changed' });
  }

  private async entry(catalog: string, key: string): Promise<BotTextEntry> {
    const entry = (await this.list()).find((e) => e.catalog === catalog && e.key === key);
    if (!entry) throw notFound('bot text', `${catalog}.${key}`);
    return entry;
  }

  private defaultsOf(catalog: string, key: string, language: string): Readonly<Record<string, string>> {
    const texts = textCatalogs().get(catalog);
    const defaults = texts && Object.hasOwn(texts, key) ? texts[key] : undefined;
    if (!defaults) throw notFound('bot text', `${catalog}.${key}`);
    // The languages the bot speaks are those its texts have defaults in.
    if (!Object.hasOwn(defaults, language))
      throw invalid(
        `${catalog}.${key} has no language ${language}; it has: ${Object.keys(defaults).join(', ')}`,
        {
          language,
        },
      );
    return defaults;
  }
}
