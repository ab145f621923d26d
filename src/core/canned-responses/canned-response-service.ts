import { conflict, invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { type CannedResponse, type CannedResponseActions, casePriorities, caseStatuses } from '../model.ts';
import type { Clock } from '../ports/clock.ts';
import type { Store } from '../ports/repositories.ts';

export interface CannedResponseInput {
  shortcut: string;
  title: string;
  text: string;
  locale?: string | null;
  /** Makes it a macro; null or `{}` makes it a plain canned response again. */
  actions?: ActionsInput | null;
}

/** The actions as an API body gives them (a part may be there as `undefined`). */
export type ActionsInput = { [K in keyof CannedResponseActions]?: CannedResponseActions[K] | undefined };

/** What an agent types after `/` in the composer. */
export const shortcutPattern = /^[a-z0-9_-]{1,40}$/;
const localePattern = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/;
export const defaultCannedResponseLimit = 50;

/** Saved replies shared by every agent; supervisors keep them. */
export class CannedResponseService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** By shortcut; `query` matches shortcut, title or text, case-insensitively (a leading `/` is ignored). */
  list(query = '', limit = defaultCannedResponseLimit): Promise<CannedResponse[]> {
    const text = query.trim().replace(/^\//, '');
    return this.store.cannedResponses.list({ ...(text ? { text } : {}), limit });
  }

  async get(id: string): Promise<CannedResponse> {
    const found = await this.store.cannedResponses.get(id);
    if (!found) throw notFound('canned response', id);
    return found;
  }

  async create(input: CannedResponseInput): Promise<CannedResponse> {
    const fields = clean(input);
    await this.ensureFree(fields.shortcut);
    const now = this.clock.now().toISOString();
    const response: CannedResponse = { id: newId(), ...fields, createdAt: now, updatedAt: now };
    await this.store.cannedResponses.create(response);
    return response;
  }

  async update(id: string, patch: Partial<CannedResponseInput>): Promise<CannedResponse> {
    const current = await this.get(id);
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const fields = clean({ ...current, ...defined } as CannedResponseInput);
    if (fields.shortcut !== current.shortcut) await this.ensureFree(fields.shortcut, id);
    const { actions: _old, ...rest } = current;
    const response: CannedResponse = { ...rest, ...fields, updatedAt: this.clock.now().toISOString() };
    await this.store.cannedResponses.update(response);
    return response;
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.store.cannedResponses.delete(id);
  }

  // Checked here for a clear message; the unique index still guards two supervisors racing.
  private async ensureFree(shortcut: string, ownId?: string): Promise<void> {
    const holder = await this.store.cannedResponses.getByShortcut(shortcut);
    if (holder && holder.id !== ownId) throw conflict(`the shortcut /${shortcut} is already taken`);
  }
}

function clean(input: CannedResponseInput): Omit<CannedResponse, 'id' | 'createdAt' | 'updatedAt'> {
  // Agents type shortcuts in lower case; `/Refund` and `refund` are the same shortcut.
  const shortcut = input.shortcut.trim().replace(/^\//, '').toLowerCase();
  if (!shortcutPattern.test(shortcut))
    throw invalid('a shortcut has 1 to 40 characters: a-z, 0-9, - and _', { field: 'shortcut' });
  const title = input.title.trim();
  if (!title || title.length > 200)
    throw invalid('a canned response title has 1 to 200 characters', { field: 'title' });
  const text = input.text.trim();
  if (!text || text.length > 10_000)
    throw invalid('a canned response text has 1 to 10000 characters', { field: 'text' });
  const locale = input.locale?.trim() || null;
  if (locale !== null && !localePattern.test(locale))
    throw invalid(`"${locale}" is not a locale`, { field: 'locale' });
  const actions = cleanActions(input.actions ?? null);
  return { shortcut, title, text, locale, ...(actions ? { actions } : {}) };
}

/** At most this many tags a macro adds. */
const maxMacroTags = 20;

function cleanActions(input: ActionsInput | null): CannedResponseActions | null {
  if (!input) return null;
  const actions: CannedResponseActions = {};
  if (input.status !== undefined) {
    if (!caseStatuses.includes(input.status))
      throw invalid(`"${input.status}" is not a case status`, { field: 'actions.status' });
    if (input.close && !['solved', 'pending', 'open'].includes(input.status))
      throw invalid('a macro that closes leaves the case solved, pending or open', {
        field: 'actions.status',
      });
    actions.status = input.status;
  }
  if (input.priority !== undefined) {
    if (!casePriorities.includes(input.priority))
      throw invalid(`"${input.priority}" is not a priority`, { field: 'actions.priority' });
    actions.priority = input.priority;
  }
  const tags = [...new Set((input.tags ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean))];
  if (tags.length > maxMacroTags || tags.some((t) => t.length > 50))
    throw invalid(`a macro adds at most ${maxMacroTags} tags of 50 characters each`, {
      field: 'actions.tags',
    });
  if (tags.length > 0) actions.tags = tags;
  if (input.close) actions.close = true;
  return Object.keys(actions).length > 0 ? actions : null;
}
