import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotTextOverride } from '../core/ports/bot-text-repository.ts';
import type { Store } from '../core/ports/repositories.ts';

const edit = (
  key: string,
  language: string,
  text: string,
  at = '2026-01-01T12:00:00.000Z',
): BotTextOverride => ({
  catalog: 'core',
  key,
  language,
  text,
  updatedAt: at,
  updatedBy: 'agent-1',
});

/** What every `BotTextRepository` must do, run against SQLite and PostgreSQL: one edit per key + language. */
export function describeBotTextRepositoryContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`bot text repository contract: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await makeStore();
    });
    afterAll(async () => store?.close());

    it('keeps one edit per catalog, key and language, replaced by the next one', async () => {
      expect(await store.botTexts.list()).toEqual([]);
      await store.botTexts.set(edit('agentJoined', 'en', '{agent} is here.'));
      await store.botTexts.set(edit('agentJoined', 'ar', 'معك {agent}.'));
      await store.botTexts.set({ ...edit('agentJoined', 'en', '{agent} is here.'), catalog: 'discord' });
      await store.botTexts.set({
        ...edit('agentJoined', 'en', '{agent} is with you.', '2026-01-01T13:00:00.000Z'),
        updatedBy: null,
      });
      expect(await store.botTexts.list()).toEqual([
        { ...edit('agentJoined', 'ar', 'معك {agent}.') },
        { ...edit('agentJoined', 'en', '{agent} is with you.', '2026-01-01T13:00:00.000Z'), updatedBy: null },
        { ...edit('agentJoined', 'en', '{agent} is here.'), catalog: 'discord' },
      ]);
    });

    it('removes one edit and says whether there was one', async () => {
      expect(await store.botTexts.remove('core', 'agentJoined', 'ar')).toBe(true);
      expect(await store.botTexts.remove('core', 'agentJoined', 'ar')).toBe(false);
      expect((await store.botTexts.list()).map((o) => `${o.catalog}.${o.key}.${o.language}`)).toEqual([
        'core.agentJoined.en',
        'discord.agentJoined.en',
      ]);
    });

    it("keeps a server's own edits apart from the global ones, one per server, catalog, key and language", async () => {
      const before = await store.botTexts.list();
      await store.botTexts.set({ ...edit('caseOpened', 'en', 'Case #{case} (ES)'), serverId: '222' });
      await store.botTexts.set({ ...edit('caseOpened', 'en', 'Case #{case} (BR)'), serverId: '111' });
      await store.botTexts.set({
        ...edit('caseOpened', 'en', 'Case #{case}, España', '2026-01-02T00:00:00.000Z'),
        serverId: '222',
      });
      // The global edits are untouched by the servers' ones.
      expect(await store.botTexts.list()).toEqual(before);
      expect(await store.botTexts.listForServers()).toEqual([
        { ...edit('caseOpened', 'en', 'Case #{case} (BR)'), serverId: '111' },
        { ...edit('caseOpened', 'en', 'Case #{case}, España', '2026-01-02T00:00:00.000Z'), serverId: '222' },
      ]);
      // Removing without a server removes no server's edit; with one, only that server's.
      expect(await store.botTexts.remove('core', 'caseOpened', 'en')).toBe(false);
      expect(await store.botTexts.remove('core', 'caseOpened', 'en', '111')).toBe(true);
      expect(await store.botTexts.remove('core', 'caseOpened', 'en', '111')).toBe(false);
      expect((await store.botTexts.listForServers()).map((o) => o.serverId)).toEqual(['222']);
      await store.botTexts.remove('core', 'caseOpened', 'en', '222');
    });

    it('rolls an edit back with its transaction', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.botTexts.set(edit('thanksForRating', 'en', 'Thanks!'));
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect((await store.botTexts.list()).some((o) => o.key === 'thanksForRating')).toBe(false);
    });
  });
}
