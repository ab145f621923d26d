import type { BotTextOverride } from '../ports/bot-text-repository.ts';

/**
 * Every catalog of bot texts the process has loaded (the core's, each connector's), and the admins'
 * edits of them. `sayFrom` registers its catalog here and reads the edits on every use, synchronously:
 * the edits are held in memory and replaced whole when they change (see `BotTextService`), so saying a
 * text costs no query.
 */
type Catalog = Readonly<Record<string, Readonly<Record<string, string>>>>;

const catalogs = new Map<string, Catalog>();
let edits = new Map<string, Readonly<Record<string, string>>>();

const slot = (catalog: string, key: string) => `${catalog}\u0000${key}`;

export function registerTextCatalog(name: string, texts: Catalog): void {
  catalogs.set(name, texts);
}

/** The registered catalogs by name, in registration order. */
export function textCatalogs(): ReadonlyMap<string, Catalog> {
  return catalogs;
}

/** The edited texts of one key, per language; undefined when none is edited. */
export function editedTexts(catalog: string, key: string): Readonly<Record<string, string>> | undefined {
  return edits.get(slot(catalog, key));
}

/** Replaces every edit at once (what the database holds now). */
export function replaceTextEdits(overrides: readonly BotTextOverride[]): void {
  const next = new Map<string, Record<string, string>>();
  for (const o of overrides) {
    const id = slot(o.catalog, o.key);
    const texts = next.get(id) ?? {};
    texts[o.language] = o.text;
    next.set(id, texts);
  }
  edits = next;
}
