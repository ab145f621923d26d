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
/** Per server (a Discord guild id): that server's own edits, by the same slots. */
let serverEdits = new Map<string, Map<string, Readonly<Record<string, string>>>>();

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

/** One server's edited texts of one key, per language; undefined when it has none of its own. */
export function serverEditedTexts(
  server: string,
  catalog: string,
  key: string,
): Readonly<Record<string, string>> | undefined {
  return serverEdits.get(server)?.get(slot(catalog, key));
}

/**
 * Replaces every edit at once (what the database holds now): the global ones, and those of each server
 * (overrides with `serverId`).
 */
export function replaceTextEdits(overrides: readonly BotTextOverride[]): void {
  const next = new Map<string, Record<string, string>>();
  const nextByServer = new Map<string, Map<string, Record<string, string>>>();
  for (const o of overrides) {
    let slots = next;
    if (o.serverId !== undefined) {
      slots = nextByServer.get(o.serverId) ?? new Map();
      nextByServer.set(o.serverId, slots);
    }
    const id = slot(o.catalog, o.key);
    const texts = slots.get(id) ?? {};
    texts[o.language] = o.text;
    slots.set(id, texts);
  }
  edits = next;
  serverEdits = nextByServer;
}
