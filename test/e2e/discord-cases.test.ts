import { describe, expect, it } from 'vitest';
import { memberContextsOf } from '../../src/core/contacts/member-context.ts';
import type { ApiUser } from '../support/discord-emulator/api-objects.ts';
import type { InteractionHandle } from '../support/discord-emulator/discord-emulator.ts';
import { buttonsOf, eventually, useDiscordWorld } from './discord-harness.ts';

/** Journeys 5 and 6 of issue 3: /bug and /new_feature, status-change DMs, upvotes, similar requests. */
describe('Discord: bug reports and feature requests', () => {
  const w = useDiscordWorld();

  function openModal(user: ApiUser, command: string, customId: string) {
    const interaction = w.discord.invokeSlashCommand(user, w.guild, w.guild.channels.general!, command);
    return w.discord.waitFor(
      () => w.discord.shownModal(user, customId) && interaction,
      10_000,
      `the ${command} modal`,
    );
  }

  function ephemeralOf(interaction: InteractionHandle, pattern: RegExp) {
    return w.discord.waitFor(
      () => w.discord.interactionResponses(interaction).find((r) => pattern.test(r.content ?? '')),
      10_000,
      `a reply matching ${pattern}`,
    );
  }

  it('/bug: modal → bug case → ephemeral number → embed in #bug-report → DM when its status changes', async () => {
    const beta = w.discord.createRole(w.guild, { name: 'Beta tester' });
    const reporter = w.member({
      username: 'reporter',
      roles: [beta.id],
      joinedAt: '2024-01-02T03:04:05.000Z',
    });
    await openModal(reporter, 'bug', 'sb:bug');
    const modal = w.discord.shownModal(reporter, 'sb:bug')!;
    expect(JSON.stringify(modal.components)).toContain('Steps to reproduce');

    const submit = w.discord.submitModal(reporter, 'sb:bug', {
      title: 'App crashes on login',
      happened: 'The app closes right after I press Log in.',
      steps: '1. Open the app\n2. Press Log in',
      expected: 'To see my account',
      platform: 'iOS 18.2 / 3.4.1',
    });
    const reply = await ephemeralOf(submit, /#\d+/);
    expect(reply.ephemeral).toBe(true);
    const number = Number(/#(\d+)/.exec(reply.content ?? '')?.[1]);

    const kase = await w.switchboard.center.cases.getByNumber(number);
    expect(kase).toMatchObject({
      kind: 'bug',
      subject: 'App crashes on login',
      fields: {
        description: 'The app closes right after I press Log in.',
        steps: '1. Open the app\n2. Press Log in',
        expected: 'To see my account',
        platform: 'iOS 18.2',
        version: '3.4.1',
      },
    });
    const contact = await w.switchboard.center.store.contacts.get(kase.contactId!);
    expect(contact?.identities).toEqual([{ channel: 'discord', externalId: reporter.id }]);
    // Who filed it in the server (the member card and flows read this), as a message would have told.
    expect(await memberContextsOf(w.switchboard.center.store.settings, contact!.id)).toEqual([
      expect.objectContaining({
        channel: 'discord',
        server: { id: w.guild.id, name: 'Acme' },
        roles: [{ id: beta.id, name: 'Beta tester' }],
        joinedAt: '2024-01-02T03:04:05.000Z',
        requestChannel: { id: w.guild.channels.general!.id, name: 'general' },
      }),
    ]);

    const post = await w.discord.waitFor(
      () => w.discord.messagesIn(w.guild.channels['bug-report']!).find((m) => m.embeds.length > 0),
      10_000,
      'the embed in #bug-report',
    );
    expect((post.embeds[0] as { title: string }).title).toBe(`#${number} App crashes on login`);
    expect(JSON.stringify(post.embeds[0])).toContain('Press Log in');

    const agent = await w.agent('Sam');
    await w.switchboard.center.cases.update(kase.id, { status: 'open' }, { kind: 'agent', id: agent.id });
    const dm = await w.waitForDms(
      reporter,
      (d) => d.find((m) => m.content.includes(`#${number}`)),
      'status DM',
    );
    expect(dm.content).toBe(
      `Update on your bug report #${number} "App crashes on login": it is now **open**.`,
    );
    await w.switchboard.center.cases.update(kase.id, { status: 'solved' }, { kind: 'agent', id: agent.id });
    await w.waitForDms(reporter, (d) => d.find((m) => m.content.includes('**solved**')), 'second status DM');
  });

  it('/bug with a blank field gets a clear ephemeral reply and opens nothing', async () => {
    const reporter = w.member({ username: 'hasty' });
    await openModal(reporter, 'bug', 'sb:bug');
    const before = (await w.switchboard.center.cases.list({ kind: 'bug' })).length;
    const submit = w.discord.submitModal(reporter, 'sb:bug', {
      title: 'Broken',
      happened: 'It broke',
      steps: '   ',
      expected: 'Not broken',
      platform: 'Android',
    });
    const reply = await ephemeralOf(submit, /empty/);
    expect(reply.content).toBe('The field "Steps to reproduce" is empty.');
    expect(reply.ephemeral).toBe(true);
    expect((await w.switchboard.center.cases.list({ kind: 'bug' })).length).toBe(before);
  });

  it('/new_feature: case, embed with an Upvote button (one vote per member), similar requests listed', async () => {
    const first = w.member({ username: 'first' });
    await openModal(first, 'new_feature', 'sb:feature');
    const one = w.discord.submitModal(first, 'sb:feature', {
      title: 'Dark mode for the mobile app',
      description: 'The app is too bright at night.',
    });
    await ephemeralOf(one, /#\d+/);
    const requester = await w.switchboard.center.store.contacts.findByIdentity('discord', first.id);
    const [context] = await memberContextsOf(w.switchboard.center.store.settings, requester!.id);
    expect(context).toMatchObject({ server: { id: w.guild.id }, roles: [] });
    const other = w.member({ username: 'other' });
    await openModal(other, 'new_feature', 'sb:feature');
    await ephemeralOf(
      w.discord.submitModal(other, 'sb:feature', {
        title: 'Export orders as CSV',
        description: 'For my accounting.',
      }),
      /#\d+/,
    );

    const second = w.member({ username: 'second' });
    await openModal(second, 'new_feature', 'sb:feature');
    const submit = w.discord.submitModal(second, 'sb:feature', {
      title: 'Please add a dark mode',
      description: 'Too bright at night',
    });
    const reply = await ephemeralOf(submit, /#\d+/);
    expect(reply.content).toMatch(/Similar requests already exist/);
    expect(reply.content).toMatch(
      /#\d+ Dark mode for the mobile app \(▲ 0\) — https:\/\/discord\.com\/channels\//,
    );
    expect(reply.content).not.toMatch(/Export orders/);
    const number = Number(/#(\d+)/.exec(reply.content ?? '')?.[1]);
    const kase = await w.switchboard.center.cases.getByNumber(number);
    expect(kase).toMatchObject({ kind: 'feature', subject: 'Please add a dark mode' });

    const channel = w.guild.channels['feature-request']!;
    const post = await w.discord.waitFor(
      () => w.discord.messagesIn(channel).find((m) => JSON.stringify(m.embeds).includes(`#${number} `)),
      10_000,
      'the feature embed',
    );
    expect(JSON.stringify(post.embeds[0])).toContain('Dark mode for the mobile app');
    expect(buttonsOf(post)).toEqual([[`sb:vote:${kase.id}`]]);
    expect(JSON.stringify(post.components)).toContain('Upvote (0)');

    const voter = w.member({ username: 'voter' });
    w.discord.clickButton(voter, post.id, `sb:vote:${kase.id}`);
    await w.discord.waitFor(() =>
      JSON.stringify(w.discord.message(post.id)?.components).includes('Upvote (1)'),
    );
    const again = w.discord.clickButton(voter, post.id, `sb:vote:${kase.id}`);
    const refused = await ephemeralOf(again, /already voted/);
    expect(refused.ephemeral).toBe(true);
    // The requester cannot upvote their own request: told so, ephemerally, and nothing is counted.
    const own = w.discord.clickButton(second, post.id, `sb:vote:${kase.id}`);
    const ownRefused = await ephemeralOf(own, /your own request/);
    expect(ownRefused.ephemeral).toBe(true);
    expect((await w.switchboard.center.cases.get(kase.id)).votes).toBe(1);
    expect(JSON.stringify(w.discord.message(post.id)?.components)).toContain('Upvote (1)');
    w.discord.clickButton(first, post.id, `sb:vote:${kase.id}`);
    await w.discord.waitFor(() =>
      JSON.stringify(w.discord.message(post.id)?.components).includes('Upvote (2)'),
    );
    const stored = await eventually('two votes stored', async () => {
      const current = await w.switchboard.center.cases.get(kase.id);
      return current.votes === 2 ? current : undefined;
    });
    expect(stored.votes).toBe(2);
  });
});
