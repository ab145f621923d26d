import { afterAll, describe, expect, it } from 'vitest';
import { createTestCenter } from '../../test/support/test-center.ts';
import type { InboundMessage } from '../core/ports/channel-connector.ts';
import { sharedDatabases } from './test-support/shared-databases.ts';

/**
 * What one contact's message costs the database while an agent has the conversation (live chat): the
 * statements of one receive, a figure that does not move with the machine's load. A regression (a lookup
 * more per message) fails here before a benchmark would show it.
 */

const pgUrl = process.env.TEST_DATABASE_URL;
if (!pgUrl) console.log('Skipping the PostgreSQL inbound statement count: TEST_DATABASE_URL is not set');
const databases = sharedDatabases(pgUrl, 'switchboard-inbound-statements-');
afterAll(() => databases.drop());

/** A statement as "verb table" (`select contact_identities`), transaction control left out. */
function describeStatement(sql: string): string | null {
  const text = sql.trim().toLowerCase();
  if (/^(begin|commit|rollback|savepoint|release)\b/.test(text)) return null;
  const verb = text.split(/\s/)[0];
  const table = /\b(?:from|into|update)\s+"([a-z_]+)"/.exec(text)?.[1] ?? '?';
  return `${verb} ${table}`;
}

/** A member's conversation assigned to an agent (live chat), with the statements of what `run` does. */
async function liveChat(engine: 'sqlite' | 'postgres', member?: InboundMessage['member']) {
  let log: string[] | null = null;
  const t = await createTestCenter({
    url: await databases.url(engine),
    onStatement: (sql) => log?.push(sql),
  });
  const agent = await t.agent('agent@example.com', { presence: 'available' });
  const from = { from: 'member', ...(member ? { member } : {}) };
  await t.connector.receive({ ...from, text: 'I need a human please', action: 'handoff' });
  const [offer] = await t.store.reservations.list({ agentId: agent.id, status: 'pending' });
  const assigned = await t.center.router.accept(offer!.id, agent.id);
  await t.connector.receive({ ...from, text: 'hello?' });
  return {
    t,
    assigned,
    async statementsOf(run: () => Promise<unknown>): Promise<string[]> {
      log = [];
      try {
        await run();
        return log.map(describeStatement).filter((s) => s !== null);
      } finally {
        log = null;
      }
    },
  };
}

const member = (roles: { id: string; name: string }[]): NonNullable<InboundMessage['member']> => ({
  server: { id: 'guild-1', name: 'Brand HQ' },
  roles,
  joinedAt: '2024-01-01T00:00:00.000Z',
  boostingSince: null,
  accountCreatedAt: '2020-01-01T00:00:00.000Z',
  requestChannel: null,
});

describe.each([
  ['SQLite', 'sqlite'],
  ['PostgreSQL', 'postgres'],
] as const)('one live-chat message on %s', (_name, engine) => {
  it.skipIf(engine === 'postgres' && !pgUrl)(
    'reads the contact with their open conversation in one statement and writes the message',
    async () => {
      const { t, assigned, statementsOf } = await liveChat(engine);
      try {
        const statements = await statementsOf(() =>
          t.connector.receive({ from: 'member', text: 'are you still there?' }),
        );
        expect(statements).toEqual([
          'select contact_identities',
          'insert messages',
          'insert search_entries',
          'select webhook_subscriptions',
        ]);
        const messages = await t.store.messages.listRecent(assigned.id, 5);
        expect(messages.map((m) => m.text)).toContain('are you still there?');
      } finally {
        await t.close();
      }
    },
  );

  it.skipIf(engine === 'postgres' && !pgUrl)(
    'reads a Discord member’s stored context in the same statement, and writes it only when it changed',
    async () => {
      const vip = [{ id: 'role-1', name: 'VIP' }];
      const { t, statementsOf } = await liveChat(engine, member(vip));
      try {
        const unchanged = await statementsOf(() =>
          t.connector.receive({ from: 'member', text: 'are you still there?', member: member(vip) }),
        );
        const moderator = [...vip, { id: 'role-2', name: 'Moderator' }];
        const changed = await statementsOf(() =>
          t.connector.receive({ from: 'member', text: 'I am a moderator now', member: member(moderator) }),
        );
        expect(unchanged).toEqual([
          'select contact_identities',
          'insert messages',
          'insert search_entries',
          'select webhook_subscriptions',
        ]);
        expect(changed).toEqual([
          'select contact_identities',
          'insert settings',
          'insert messages',
          'insert search_entries',
          'select webhook_subscriptions',
        ]);
        const contact = await t.store.contacts.findByIdentity('test', 'member');
        const [stored] = await t.center.contacts.memberContexts(contact!.id);
        expect(stored?.roles.map((r) => r.name)).toEqual(['VIP', 'Moderator']);
      } finally {
        await t.close();
      }
    },
  );
});
