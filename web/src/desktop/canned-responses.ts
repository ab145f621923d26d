import { get, query } from '../shared/api.ts';
import type { CannedResponse } from '../shared/types.ts';

/**
 * Canned responses for the composer. They are shared on the server (GET /api/v1/canned-responses); the
 * composer keeps the ones it has seen so that `/shortcut` matches as the agent types, without a
 * round trip per key, and asks the server for more when a term matches nothing it knows.
 */
export class CannedResponseCache {
  private readonly byId = new Map<string, CannedResponse>();
  private readonly asked = new Set<string>();

  constructor(private readonly onChange: () => void) {}

  /** The first page, by shortcut; enough for most teams. */
  async load(): Promise<void> {
    this.add(
      (await get<{ cannedResponses: CannedResponse[] }>(`/canned-responses${query({ limit: 200 })}`))
        .cannedResponses,
    );
  }

  /** Asks the server once per term, for teams with more responses than the first page. */
  async search(term: string): Promise<void> {
    if (this.asked.has(term)) return;
    this.asked.add(term);
    this.add(
      (await get<{ cannedResponses: CannedResponse[] }>(`/canned-responses${query({ q: term, limit: 20 })}`))
        .cannedResponses,
    );
  }

  /** Shortcuts that start with `term` first, then those whose shortcut, title or text contains it. */
  match(term: string, limit = 6): CannedResponse[] {
    const lower = term.toLowerCase();
    const all = [...this.byId.values()].sort((a, b) => (a.shortcut < b.shortcut ? -1 : 1));
    const prefix = all.filter((r) => r.shortcut.startsWith(lower));
    const inside = lower
      ? all.filter(
          (r) =>
            !r.shortcut.startsWith(lower) &&
            `${r.shortcut}\n${r.title}\n${r.text}`.toLowerCase().includes(lower),
        )
      : [];
    return [...prefix, ...inside].slice(0, limit);
  }

  private add(responses: CannedResponse[]): void {
    for (const r of responses) this.byId.set(r.id, r);
    this.onChange();
  }
}
