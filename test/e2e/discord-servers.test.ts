import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Case, Conversation } from '../../src/core/model.ts';
import type { ApiSession } from '../support/api-session.ts';
import { signIn as signInAt } from '../support/api-session.ts';
import { ensureWebBuild, launchBrowser, newPage, signIn as signInPage } from '../support/browser.ts';
import type { ApiUser } from '../support/discord-emulator/api-objects.ts';
import type { EmulatedGuild } from '../support/discord-emulator/discord-emulator.ts';
import { ADMIN_PASSWORD, eventually, useDiscordWorld } from './discord-harness.ts';

/**
 * Issue 15, many servers in one set of queues: one bot in Acme and Acme Brasil. A member of each runs
 * `/helpme` and asks for a person: both wait in the one queue with case numbers from one sequence, each
 * conversation and case carries its server, the API and the desktop show it and filter by it, and a text
 * edited for Acme Brasil is said there only.
 */
describe('Discord: two servers, one set of queues', () => {
  let admin: ApiSession;
  let acme: EmulatedGuild;
  let brasil: EmulatedGuild;
  let browser: Browser | null = null;
  const w = useDiscordWorld({ servers: ['Acme Brasil'] });
  beforeAll(async () => {
    [acme, brasil] = w.guilds as [EmulatedGuild, EmulatedGuild];
    admin = await signInAt(w.base, 'admin@localhost', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** `/helpme` in `guild`, then "a person" in the DM: resolves once the member is told their case number. */
  async function askForPerson(member: ApiUser, guild: EmulatedGuild, question: string) {
    const helpme = w.discord.invokeSlashCommand(member, guild, guild.channels.general!, 'helpme', {
      question,
    });
    await w.waitForDms(member, (d) => d.length >= 2, 'greeting and answer');
    w.discord.sendDm(member, 'I want to talk to a real person');
    const told = await w.waitForDms(member, (d) => d.find((m) => /case #\d+/.test(m.content)), 'case number');
    return { helpme, told: told.content };
  }

  const conversationOf = async (member: ApiUser): Promise<Conversation> => {
    const contact = await w.switchboard.center.store.contacts.findByIdentity('discord', member.id);
    const [conversation] = await w.switchboard.center.conversations.list({ contactId: contact!.id });
    return conversation!;
  };

  it('both members wait in one queue with shared case numbers; each conversation and case has its server', async () => {
    // Acme Brasil speaks its own words; Acme keeps the defaults.
    const sentDm = await admin.call('PUT', `/api/v1/bot-texts/discord/sentDm/en?server=${brasil.id}`, {
      text: 'Te enviei uma mensagem direta — Acme Brasil.',
    });
    expect(sentDm.status).toBe(200);
    expect(sentDm.body.serverOverrides).toMatchObject({
      [brasil.id]: { en: { text: 'Te enviei uma mensagem direta — Acme Brasil.' } },
    });
    const opened = await admin.call('PUT', `/api/v1/bot-texts/core/caseOpened/en?server=${brasil.id}`, {
      text: 'Acme Brasil: case #{case} is open, you are number {position}.',
    });
    expect(opened.status).toBe(200);
    // A server's edit is checked like any edit, and a server id is a Discord id.
    expect(
      (
        await admin.call('PUT', `/api/v1/bot-texts/core/caseOpened/en?server=${brasil.id}`, {
          text: 'Case #{number}',
        })
      ).status,
    ).toBe(400);
    expect(
      (await admin.call('PUT', '/api/v1/bot-texts/core/caseOpened/en?server=acme', { text: 'Case #{case}' }))
        .status,
    ).toBe(400);

    const ana = w.member({ username: 'ana', guild: acme });
    const bruno = w.member({ username: 'bruno', guild: brasil });
    const first = await askForPerson(ana, acme, 'My card was charged twice');
    const second = await askForPerson(bruno, brasil, 'Where is my order?');

    // The texts each member saw: the default in Acme, Acme Brasil's own there.
    const ephemeral = (handle: typeof first.helpme) =>
      w.discord.interactionResponses(handle).find((r) => r.content)?.content;
    await eventually('the ephemeral notes', () => ephemeral(first.helpme) && ephemeral(second.helpme));
    expect(ephemeral(first.helpme)).toBe("I've sent you a direct message.");
    expect(ephemeral(second.helpme)).toBe('Te enviei uma mensagem direta — Acme Brasil.');
    expect(first.told).toMatch(/^I have opened case #1001 for you/);
    expect(second.told).toBe('Acme Brasil: case #1002 is open, you are number 2.');

    const a = await conversationOf(ana);
    const b = await conversationOf(bruno);
    expect(a).toMatchObject({ state: 'queued', server: { id: acme.id, name: 'Acme' } });
    expect(b).toMatchObject({ state: 'queued', server: { id: brasil.id, name: 'Acme Brasil' } });
    expect(b.queueId).toBe(a.queueId);
    const caseA = (await admin.call('GET', `/api/v1/cases/${a.caseId}`)).body.case as Case;
    const caseB = (await admin.call('GET', `/api/v1/cases/${b.caseId}`)).body.case as Case;
    expect(caseA).toMatchObject({ number: 1001, server: { id: acme.id, name: 'Acme' } });
    expect(caseB).toMatchObject({ number: 1002, server: { id: brasil.id, name: 'Acme Brasil' } });

    // A bug reported in Acme Brasil is its case too, numbered in the same sequence.
    const reporter = w.member({ username: 'carla', guild: brasil });
    w.discord.invokeSlashCommand(reporter, brasil, brasil.channels.general!, 'bug');
    await w.discord.waitFor(() => w.discord.shownModal(reporter, 'sb:bug'), 10_000, 'the bug modal');
    w.discord.submitModal(reporter, 'sb:bug', {
      title: 'Checkout button missing',
      happened: 'No button',
      steps: 'Open the cart',
      expected: 'A button',
      platform: 'Web',
    });
    const [bug] = await eventually('the bug case', async () => {
      const list = await admin.call('GET', '/api/v1/cases?kind=bug');
      const cases = list.body.cases as Case[];
      return cases.length > 0 ? cases : null;
    });
    expect(bug).toMatchObject({ number: 1003, server: { id: brasil.id, name: 'Acme Brasil' } });

    // A DM from a member who never used a command in any server: no server.
    const stranger = w.member({ username: 'stranger' });
    w.discord.sendDm(stranger, 'hello?');
    await w.waitForDms(stranger, (d) => d.length >= 1, 'an answer');
    expect((await conversationOf(stranger)).server).toBeUndefined();
  });

  it('the API filters conversations, cases and stats by server and lists the servers', async () => {
    const ids = (list: { id: string }[]) => list.map((x) => x.id);
    const queued = async (server: string) =>
      (await admin.call('GET', `/api/v1/conversations?state=queued&server=${server}`)).body
        .conversations as Conversation[];
    const inAcme = await queued(acme.id);
    const inBrasil = await queued(brasil.id);
    expect(inAcme.map((c) => c.server?.name)).toEqual(['Acme']);
    expect(inBrasil.map((c) => c.server?.name)).toEqual(['Acme Brasil']);

    const cases = async (server: string) =>
      ((await admin.call('GET', `/api/v1/cases?server=${server}`)).body.cases as Case[]).map((c) => c.number);
    expect(await cases(acme.id)).toEqual([1001]);
    expect(await cases(brasil.id)).toEqual([1003, 1002]);
    expect((await admin.call('GET', '/api/v1/cases?server=not-a-server')).status).toBe(400);

    const stats = await admin.call('GET', '/api/v1/stats');
    // As many from each: by name.
    expect(stats.body.servers).toEqual([
      { id: acme.id, name: 'Acme', total: 1, handedOff: 1, closed: 0 },
      { id: brasil.id, name: 'Acme Brasil', total: 1, handedOff: 1, closed: 0 },
    ]);
    const brasilStats = await admin.call('GET', `/api/v1/stats?server=${brasil.id}`);
    expect(brasilStats.body).toMatchObject({
      server: brasil.id,
      conversations: { total: 1, handedOff: 1 },
      servers: [{ id: brasil.id, total: 1 }],
    });

    const servers = await admin.call('GET', '/api/v1/discord/servers');
    expect(servers.status).toBe(200);
    expect(servers.body.servers).toEqual([
      { id: acme.id, name: 'Acme', memberCount: expect.any(Number), setUp: false },
      { id: brasil.id, name: 'Acme Brasil', memberCount: expect.any(Number), setUp: false },
    ]);
    expect(ids(servers.body.servers)).toEqual([acme.id, brasil.id]);
    // Signed-out callers learn nothing.
    expect((await fetch(`${w.base}/api/v1/discord/servers`)).status).toBe(401);
  });

  it('the desktop shows the server of each waiting conversation and filters the queue by it', async () => {
    ensureWebBuild();
    browser = await launchBrowser();
    const { page, watch } = await newPage(browser);
    await signInPage(page, w.base, 'admin@localhost', ADMIN_PASSWORD);
    const queue = page.getByRole('list', { name: 'Queue' });
    await queue.getByText('Acme Brasil', { exact: true }).waitFor();
    await queue.getByText('Acme', { exact: true }).waitFor();

    await page.getByLabel('Server').selectOption({ label: 'Acme Brasil' });
    await eventually('only Acme Brasil in the queue', async () =>
      (await queue.locator('.server-badge').allTextContents()).join('|') === 'Acme Brasil' ? true : null,
    );
    await queue.getByRole('button').first().click();
    await page
      .getByRole('region', { name: 'Conversation' })
      .locator('.server-badge', { hasText: 'Acme Brasil' })
      .waitFor();

    await page.goto(`${w.base}/cases`);
    await page.getByLabel('Server').selectOption({ label: 'Acme' });
    await eventually('only #1001 listed', async () => {
      const numbers = await page.locator('table.cases tbody tr td:first-child').allTextContents();
      return numbers.join(',') === '#1001' ? true : null;
    });
    expect(watch.errors).toEqual([]);
  });

  it('/setup in one server: its forum posts carry that server, and the servers list shows it set up', async () => {
    const forumId = w.discord.createChannel(brasil, { name: 'ajuda', type: 15 }).id;
    const setup = w.discord.invokeSlashCommand(brasil.ownerId, brasil, brasil.channels.general!, 'setup', {
      forum: forumId,
    });
    await w.discord.waitFor(
      () =>
        w.discord
          .interactionResponses(setup)
          .some((r) => r.kind === 'original-edit' && r.content?.includes(`Forum <#${forumId}>: linked`)),
      30_000,
      '/setup saying the forum is linked',
    );
    const member = w.member({ username: 'dora', guild: brasil });
    const { thread } = w.discord.createForumPost(member, forumId, {
      title: 'How do I reset my password?',
      content: 'I forgot it.',
    });
    const conversation = await eventually('the post’s conversation', async () => {
      const found = await conversationOf(member).catch(() => null);
      return found?.thread === thread.id ? found : null;
    });
    expect(conversation.server).toEqual({ id: brasil.id, name: 'Acme Brasil' });

    const servers = (await admin.call('GET', '/api/v1/discord/servers')).body.servers as {
      name: string;
      setUp: boolean;
    }[];
    expect(servers.map((s) => [s.name, s.setUp])).toEqual([
      ['Acme', false],
      ['Acme Brasil', true],
    ]);
    const { page } = await newPage(browser!);
    await signInPage(page, w.base, 'admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${w.base}/admin/servers`);
    const row = page.getByRole('table', { name: 'Servers' }).locator(`tr[data-server="${brasil.id}"]`);
    await row.getByText('done').waitFor();
    expect(await row.locator('td').first().textContent()).toBe('Acme Brasil');

    // Admin → Bot texts edits a server's own text: Acme Brasil's note after /helpme, said there only.
    await page.goto(`${w.base}/admin/texts`);
    const field = page.getByLabel('sentDm (English)', { exact: true });
    await expect.poll(() => field.inputValue()).toBe("I've sent you a direct message.");
    await page.getByLabel('Server').selectOption({ label: 'Acme Brasil' });
    await expect.poll(() => field.inputValue()).toBe('Te enviei uma mensagem direta — Acme Brasil.');
    await field.fill('Mensagem enviada — Acme Brasil.');
    await page.getByRole('button', { name: 'Save sentDm (English)' }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
    const asker = w.member({ username: 'edu', guild: brasil });
    const helpme = w.discord.invokeSlashCommand(asker, brasil, brasil.channels.general!, 'helpme', {
      question: 'Hello',
    });
    await w.discord.waitFor(
      () =>
        w.discord.interactionResponses(helpme).find((r) => r.content === 'Mensagem enviada — Acme Brasil.'),
      10_000,
      "Acme Brasil's edited note",
    );
    const global = await admin.call('GET', '/api/v1/bot-texts');
    const sentDm = (global.body.texts as { key: string; overrides: object }[]).find(
      (t) => t.key === 'sentDm',
    );
    expect(sentDm?.overrides).toEqual({});
  });
});
