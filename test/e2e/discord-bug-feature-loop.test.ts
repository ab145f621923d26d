import { beforeAll, describe, expect, it } from 'vitest';
import type { Case } from '../../src/core/model.ts';
import { type ApiSession, signIn } from '../support/api-session.ts';
import type { ApiMessage, ApiUser } from '../support/discord-emulator/api-objects.ts';
import { ADMIN_PASSWORD, buttonsOf, eventually, useDiscordWorld } from './discord-harness.ts';

/**
 * Issue 15, the bug-and-feature loop: duplicates merged (votes carried, the duplicate's post pointing to
 * the original), stages on the public post, "Me too" on bug posts, and a release note that closes its
 * linked cases and tells each member once.
 */
describe('Discord: the bug-and-feature loop', () => {
  let admin: ApiSession;
  const w = useDiscordWorld();
  beforeAll(async () => {
    admin = await signIn(w.base, 'admin@localhost', ADMIN_PASSWORD);
  });

  /** A member files a bug report or feature request; returns its case and its post. */
  async function file(
    member: ApiUser,
    kind: 'bug' | 'feature',
    title: string,
  ): Promise<{ kase: Case; post: ApiMessage }> {
    const [command, modal] = kind === 'bug' ? ['bug', 'sb:bug'] : ['new_feature', 'sb:feature'];
    w.discord.invokeSlashCommand(member, w.guild, w.guild.channels.general!, command);
    await w.discord.waitFor(() => w.discord.shownModal(member, modal), 10_000, `the ${command} modal`);
    const values =
      kind === 'bug'
        ? { title, happened: 'It fails.', steps: '1. Open it', expected: 'It works', platform: 'Web' }
        : { title, description: `${title}, please.` };
    const submit = w.discord.submitModal(member, modal, values);
    const reply = await w.discord.waitFor(
      () => w.discord.interactionResponses(submit).find((r) => /#\d+/.test(r.content ?? '')),
      10_000,
      'the case number',
    );
    const number = Number(/#(\d+)/.exec(reply.content ?? '')?.[1]);
    const channel = w.guild.channels[kind === 'bug' ? 'bug-report' : 'feature-request']!;
    const post = await w.discord.waitFor(
      () => w.discord.messagesIn(channel).find((m) => JSON.stringify(m.embeds).includes(`#${number} `)),
      10_000,
      `the post of #${number}`,
    );
    // The post's link is stored once it is out.
    const kase = await eventually(`#${number} posted`, async () => {
      const current = await w.switchboard.center.cases.getByNumber(number);
      return current.postUrl ? current : undefined;
    });
    return { kase, post };
  }

  /** Presses the post's Upvote / Me too button and waits for the count to show `count`. */
  async function vote(member: ApiUser, post: ApiMessage, kase: Case, label: string, count: number) {
    w.discord.clickButton(member, post.id, `sb:vote:${kase.id}`);
    await w.discord.waitFor(
      () => JSON.stringify(w.discord.message(post.id)?.components).includes(`${label} (${count})`),
      10_000,
      `${label} (${count}) on #${kase.number}`,
    );
  }

  const embedOf = (post: ApiMessage) => JSON.stringify(w.discord.message(post.id)?.embeds ?? []);

  it('merges a duplicate feature request: votes carried once each, its post points to the original', async () => {
    const [ana, dia, ben, cho] = ['ana', 'dia', 'ben', 'cho'].map((username) => w.member({ username }));
    const original = await file(ana!, 'feature', 'Dark mode for the app');
    const duplicate = await file(dia!, 'feature', 'Night theme');
    await vote(ben!, original.post, original.kase, 'Upvote', 1);
    // Cho wants both: counted once on the original after the merge.
    await vote(cho!, original.post, original.kase, 'Upvote', 2);
    await vote(cho!, duplicate.post, duplicate.kase, 'Upvote', 1);

    const supervisor = await w.switchboard.center.agents.create({
      email: 'lead@example.com',
      name: 'Lead',
      role: 'supervisor',
      password: 'lead-password-42',
    });
    const lead = await signIn(w.base, supervisor.email, 'lead-password-42');
    const merged = await lead.call('POST', `/api/v1/cases/${duplicate.kase.number}/merge`, {
      into: `#${original.kase.number}`,
    });
    expect(merged.status).toBe(200);
    // Dia (the duplicate's requester) is new; Cho already voted.
    expect(merged.body).toMatchObject({
      carried: 1,
      original: { votes: 3 },
      duplicate: { status: 'closed' },
    });

    // The duplicate's post says what it duplicates, with the original's link, and takes no more votes.
    await w.discord.waitFor(
      () => embedOf(duplicate.post).includes('Duplicate of'),
      10_000,
      'the duplicate post pointing to the original',
    );
    expect(embedOf(duplicate.post)).toContain(`[#${original.kase.number}](${original.kase.postUrl})`);
    expect(buttonsOf(w.discord.message(duplicate.post.id))).toEqual([]);
    // The original's button shows the votes carried over.
    await w.discord.waitFor(
      () => JSON.stringify(w.discord.message(original.post.id)?.components).includes('Upvote (3)'),
      10_000,
      'the original post with the carried votes',
    );

    // A stage shows on the original's post, and its requester and voters (Dia now among them) hear of it.
    await admin.call('PATCH', `/api/v1/cases/${original.kase.number}`, { stage: 'in_progress' });
    await w.discord.waitFor(() => embedOf(original.post).includes('in progress'), 10_000, 'the stage');
    for (const member of [ana!, dia!, ben!, cho!])
      await w.waitForDms(
        member,
        (d) =>
          d.find(
            (m) => m.content.includes(`#${original.kase.number}`) && m.content.includes('**in progress**'),
          ),
        `the stage DM to ${member.username}`,
      );
  });

  it('a release announcement closes its linked bugs and DMs each reporter and "me too" member once', async () => {
    const [rae, sol, tia, uma] = ['rae', 'sol', 'tia', 'uma'].map((username) => w.member({ username }));
    const first = await file(rae!, 'bug', 'Login fails on Safari');
    const second = await file(sol!, 'bug', 'Avatars do not load');
    const other = await file(uma!, 'bug', 'Typo on the pricing page');
    // Tia has both problems, and Rae the second one too: each is told once, of every case of theirs.
    await vote(tia!, first.post, first.kase, 'Me too', 1);
    await vote(tia!, second.post, second.kase, 'Me too', 1);
    await vote(rae!, second.post, second.kase, 'Me too', 2);
    // One "me too" per member.
    const again = w.discord.clickButton(tia!, first.post.id, `sb:vote:${first.kase.id}`);
    await w.discord.waitFor(
      () => w.discord.interactionResponses(again).find((r) => /already said "me too"/.test(r.content ?? '')),
      10_000,
      'the refusal of a second "me too"',
    );

    const composed = await admin.call('POST', '/api/v1/announcements/posts', {
      guildId: w.guild.id,
      channelId: w.guild.channels.general!.id,
      title: 'Version 2.4',
      url: 'https://acme.test/releases/2.4',
      summary: 'Safari sign-in and avatars fixed.',
      cases: [first.kase.number, second.kase.number],
    });
    expect(composed.status).toBe(201);
    await w.switchboard.announcements.publishDue();

    const releaseDms = (member: ApiUser) => w.botDms(member).filter((m) => m.content.includes('Version 2.4'));
    for (const member of [rae!, sol!, tia!])
      await w.waitForDms(member, () => releaseDms(member).length > 0, `the release DM to ${member.username}`);
    expect(releaseDms(tia!)[0]?.content).toBe(
      `Fixed in **Version 2.4**: your bug report #${first.kase.number} "Login fails on Safari", your bug report #${second.kase.number} "Avatars do not load".\nhttps://acme.test/releases/2.4`,
    );
    expect(releaseDms(rae!)[0]?.content).toContain(`#${first.kase.number}`);
    expect(releaseDms(rae!)[0]?.content).toContain(`#${second.kase.number}`);

    for (const { kase, post } of [first, second]) {
      expect((await w.switchboard.center.cases.get(kase.id)).status).toBe('solved');
      await w.discord.waitFor(
        () => embedOf(post).includes('Fixed in'),
        10_000,
        `"fixed in" on #${kase.number}`,
      );
      expect(embedOf(post)).toContain('[Version 2.4](https://acme.test/releases/2.4)');
    }
    expect((await w.switchboard.center.cases.get(other.kase.id)).status).toBe('new');

    // The release step again (a retry after a crash, another instance): nobody is told twice.
    const [note] = (await w.switchboard.announcements.list()).filter((a) => a.title === 'Version 2.4');
    expect(note).toMatchObject({ status: 'posted', cases: [first.kase.number, second.kase.number] });
    await w.switchboard.center.cases.release(note!, { id: note!.id, title: note!.title, url: note!.url });
    // A later notice to each member goes after anything queued before it: once it is there, a second
    // release DM would have been too.
    await admin.call('PATCH', `/api/v1/cases/${second.kase.number}`, { status: 'closed' });
    for (const member of [rae!, sol!, tia!]) {
      await w.waitForDms(member, (d) => d.some((m) => m.content.includes('**closed**')), 'the closed DM');
      expect(releaseDms(member)).toHaveLength(1);
    }
    expect(w.botDms(uma!).filter((m) => m.content.includes('Version 2.4'))).toEqual([]);
  });
});
