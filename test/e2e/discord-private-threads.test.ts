import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, useDiscordWorld } from './discord-harness.ts';

/** Issue 15: private-thread mode, a server setting: members are served in a private thread, not in DMs. */
describe('Discord: private-thread mode', () => {
  let roleId: string;
  const w = useDiscordWorld();
  beforeAll(async () => {
    roleId = w.discord.createRole(w.guild, { name: 'Support' }).id;
    const setup = w.discord.invokeSlashCommand(w.guild.ownerId, w.guild, w.guild.channels.general!, 'setup', {
      private_threads: true,
      agent_role: roleId,
    });
    await w.discord.waitFor(
      () =>
        w.discord
          .interactionResponses(setup)
          .some((r) => r.kind === 'original-edit' && r.content?.includes('Private-thread mode: on')),
      15_000,
      '/setup saying private-thread mode is on',
    );
  });

  it('serves a member whose DMs are open in a private thread; the agents’ role joins once an agent has it', async () => {
    const center = w.switchboard.center;
    const staff = w.discord.createUser({ username: 'staff-member' });
    w.discord.addMember(w.guild, staff, { roles: [roleId] });
    const member = w.member({ username: 'thread-person' });
    const support = w.guild.channels['customer-service']!;
    const interaction = w.discord.invokeSlashCommand(member, w.guild, w.guild.channels.general!, 'agent', {});
    const thread = await w.discord.waitFor(
      () => w.discord.threadsOf(support).find((t) => t.memberIds.includes(member.id)),
      10_000,
      'a private thread with the member',
    );
    expect(thread.type).toBe(12);
    const inThread = () =>
      w.discord.messagesIn(thread.id).filter((m) => m.author.id === w.discord.botUser.id);
    await w.discord.waitFor(
      () => inThread().find((m) => /case #\d+/.test(m.content)),
      10_000,
      'case in thread',
    );
    expect(inThread()[0]?.content).toMatch(/private threads/);
    // Nothing in DMs, though they are open, and no DM was refused.
    expect(w.botDms(member)).toEqual([]);
    expect(w.discord.requests({ status: 403 })).toEqual([]);
    await w.discord.waitFor(
      () =>
        w.discord
          .interactionResponses(interaction)
          .some((r) => r.kind === 'original-edit' && r.content?.includes(`private thread <#${thread.id}>`)),
      10_000,
      'the ephemeral pointing at the thread',
    );
    expect(w.discord.threadsOf(support)[0]?.memberIds).not.toContain(staff.id);

    const contact = await center.store.contacts.findByIdentity('discord', member.id);
    const [conversation] = await center.conversations.list({ contactId: contact!.id });
    const agent = await w.agent('Lina');
    const [offer] = await eventually('an offer', () =>
      center.store.reservations
        .list({ agentId: agent.id, status: 'pending', conversationId: conversation!.id })
        .then((r) => (r.length ? r : null)),
    );
    await center.router.accept(offer!.id, agent.id);
    await w.discord.waitFor(
      () => w.discord.threadsOf(support)[0]?.memberIds.includes(staff.id),
      10_000,
      "the agents' role added to the thread",
    );
    await center.conversations.reply(agent.id, conversation!.id, { text: 'Hello from the team.' });
    await w.discord.waitFor(
      () => inThread().find((m) => m.content === '**Lina**\nHello from the team.'),
      10_000,
      'the agent reply in the thread',
    );
    expect(inThread().filter((m) => m.content.includes(`<@&${roleId}>`))).toHaveLength(1);
    expect(w.discord.threadsOf(support)).toHaveLength(1);
  });
});
