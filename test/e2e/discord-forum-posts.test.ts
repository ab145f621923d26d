import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordWorld, eventually, startDiscordWorld } from './discord-harness.ts';

/** Issue 15: a forum (#help) linked as a support entrance; each post is a public conversation of its own. */
describe('Discord: forum posts as support conversations', () => {
  let w: DiscordWorld;
  let forumId: string;
  beforeAll(async () => {
    w = await startDiscordWorld();
    forumId = w.discord.createChannel(w.guild, { name: 'help', type: 15 }).id;
    const setup = w.discord.invokeSlashCommand(w.guild.ownerId, w.guild, w.guild.channels.general!, 'setup', {
      forum: forumId,
    });
    await w.discord.waitFor(
      () =>
        w.discord
          .interactionResponses(setup)
          .some((r) => r.kind === 'original-edit' && r.content?.includes(`Forum <#${forumId}>: linked`)),
      15_000,
      '/setup saying the forum is linked',
    );
  });
  afterAll(() => w?.close());

  it('post → bot answer in the post → hand-off → agent reply in the post → solved: tagged and archived', async () => {
    const center = w.switchboard.center;
    // /setup created the forum's tags.
    expect(w.discord.forumTags(forumId).map((t) => t.name)).toEqual([
      'Answered by bot',
      'With an agent',
      'Solved',
    ]);
    const member = w.member({ username: 'forum-asker' });
    const { thread } = w.discord.createForumPost(member, forumId, {
      title: 'How do I reset my password?',
      content: 'I forgot it and cannot sign in.',
    });
    const fromBot = () => w.discord.messagesIn(thread.id).filter((m) => m.author.id === w.discord.botUser.id);
    const answer = await w.discord.waitFor(
      () => fromBot().find((m) => m.embeds.length > 0),
      10_000,
      'the virtual agent answering in the post with articles',
    );
    expect(answer.channel_id).toBe(thread.id);
    await w.discord.waitFor(
      () => w.discord.postTags(thread.id).includes('Answered by bot'),
      10_000,
      'bot tag',
    );
    // Nothing went to the member's DMs: the post is the conversation.
    expect(w.botDms(member)).toEqual([]);

    // Its own conversation, in the post's thread, beside any DM conversation of the member.
    const contact = await center.store.contacts.findByIdentity('discord', member.id);
    const [conversation] = await center.conversations.list({ contactId: contact!.id });
    expect(conversation?.thread).toBe(thread.id);
    // What the bot answered feeds learn-from-use, as a DM does.
    const turns = await center.store.botOutcomes.listTurns(conversation!.id);
    expect(turns[0]?.question).toContain('reset my password');

    // Someone else pressing the post's buttons does not choose for the author.
    const bystander = w.member({ username: 'bystander' });
    const handoffButton = (answer.components as Array<{ components: Array<{ custom_id: string }> }>)
      .flatMap((row) => row.components)
      .find((b) => b.custom_id.includes('handoff'));
    expect(handoffButton).toBeDefined();
    const press = w.discord.clickButton(bystander, answer, handoffButton!.custom_id);
    await w.discord.waitFor(
      () =>
        w.discord
          .interactionResponses(press)
          .some((r) => r.ephemeral && /member who opened/.test(r.content ?? '')),
      10_000,
      'the bystander told the buttons are not theirs',
    );
    expect((await center.store.conversations.get(conversation!.id))?.state).toBe('bot');

    // "Talk to a person" by the author hands the post to the queue.
    w.discord.clickButton(member, answer, handoffButton!.custom_id);
    await w.discord.waitFor(() => fromBot().find((m) => /case #\d+/.test(m.content)), 10_000, 'case in post');
    await w.discord.waitFor(
      () => w.discord.postTags(thread.id).includes('With an agent'),
      10_000,
      'agent tag',
    );
    expect(w.discord.postTags(thread.id)).not.toContain('Answered by bot');

    const agent = await w.agent('Noor');
    const [offer] = await eventually('an offer', () =>
      center.store.reservations
        .list({ agentId: agent.id, status: 'pending', conversationId: conversation!.id })
        .then((r) => (r.length ? r : null)),
    );
    await center.router.accept(offer!.id, agent.id);
    await center.conversations.reply(agent.id, conversation!.id, {
      text: 'Use "Forgot password" on the sign-in page.',
    });
    await w.discord.waitFor(
      () => fromBot().find((m) => m.content === '**Noor**\nUse "Forgot password" on the sign-in page.'),
      10_000,
      "the agent's reply in the post",
    );
    // The author answers in the post: the same conversation hears it.
    const written = w.discord.sendGuildMessage(member, thread.id, 'Thanks, that worked');
    await eventually(
      'the reply in the transcript',
      async () =>
        (await center.conversations.transcript(conversation!.id)).some((m) => m.externalId === written.id) ||
        null,
    );

    await center.conversations.close(agent.id, conversation!.id);
    await w.discord.waitFor(
      () => w.discord.channel(thread.id)?.thread_metadata?.archived === true,
      10_000,
      'archived',
    );
    expect(w.discord.postTags(thread.id)).toEqual(['Solved']);
    const closed = await center.store.conversations.get(conversation!.id);
    expect(closed?.state).toBe('closed');
    const solved = await center.cases.get(closed!.caseId!);
    expect(solved.status).toBe('solved');
  });

  /** A member's post, once the virtual agent answered it in the post with articles. */
  async function answeredPost(username: string) {
    const member = w.member({ username });
    const { thread } = w.discord.createForumPost(member, forumId, {
      title: 'Cannot get into my account',
      content: 'How do I reset my password?',
    });
    const answer = await w.discord.waitFor(
      () =>
        w.discord
          .messagesIn(thread.id)
          .find((m) => m.author.id === w.discord.botUser.id && m.embeds.length > 0),
      10_000,
      'the virtual agent answering in the post',
    );
    const contact = await w.switchboard.center.store.contacts.findByIdentity('discord', member.id);
    const [conversation] = await w.switchboard.center.conversations.list({ contactId: contact!.id });
    const button = (id: string) =>
      (answer.components as Array<{ components: Array<{ custom_id: string }> }>)
        .flatMap((row) => row.components)
        .find((b) => b.custom_id.includes(id))!.custom_id;
    return { member, thread, answer, conversation: conversation!, button };
  }

  const archived = (threadId: string) =>
    w.discord.waitFor(
      () => w.discord.channel(threadId)?.thread_metadata?.archived === true,
      10_000,
      'the post archived',
    );

  it('solved by the bot: the question is proposed to the knowledge base, the post tagged Solved and archived', async () => {
    const center = w.switchboard.center;
    const { member, thread, answer, conversation, button } = await answeredPost('solved-by-bot');
    const article = answer.embeds[0] as { url?: string };
    w.discord.clickButton(member, answer, button('resolved'));
    await archived(thread.id);
    expect(w.discord.postTags(thread.id)).toEqual(['Solved']);
    expect((await center.store.conversations.get(conversation.id))?.state).toBe('closed');
    // As from a DM: the member's own words are proposed as an example of the article that solved it.
    const proposals = await center.learning.pending();
    const proposal = proposals.find((p) => p.conversationId === conversation.id);
    expect(proposal).toMatchObject({
      source: 'resolved',
      question: expect.stringContaining('reset my password'),
    });
    expect(article.url).toContain(`/kb/${proposal!.articleId}`);
  });

  it('an agent linking an article in a post teaches it too; a post closed from the desktop unanswered is archived', async () => {
    const center = w.switchboard.center;
    const linked = await answeredPost('linked-by-agent');
    const waiting = await answeredPost('closed-unanswered');
    w.discord.clickButton(linked.member, linked.answer, linked.button('handoff'));
    const [offer] = await eventually('an offer', () =>
      center.store.reservations
        .list({ status: 'pending', conversationId: linked.conversation.id })
        .then((r) => (r.length ? r : null)),
    );
    const agentId = offer!.agentId;
    await center.router.accept(offer!.id, agentId);
    // Another article than the bot's (the same question may already be proposed for that one).
    const suggested = (linked.answer.embeds[0] as { url?: string }).url ?? '';
    const article = (await center.store.articles.list({})).find((a) => !suggested.includes(`/kb/${a.id}`));
    await center.conversations.reply(agentId, linked.conversation.id, {
      text: `This explains it: ${w.base}/kb/${article!.id}`,
    });
    await eventually(
      "a proposal from the agent's link",
      async () =>
        (await center.learning.pending(article!.id)).find(
          (p) => p.conversationId === linked.conversation.id && p.source === 'agent_link',
        ) ?? null,
    );

    // The other post waits for a person; a supervisor closes it from the desktop before anyone answers.
    w.discord.clickButton(waiting.member, waiting.answer, waiting.button('handoff'));
    await eventually(
      'the post queued',
      async () => (await center.store.conversations.get(waiting.conversation.id))?.state === 'queued' || null,
    );
    const supervisor = await center.agents.create({
      email: 'lead@example.com',
      name: 'Lead',
      role: 'supervisor',
      capacity: 1,
      skills: [],
      password: 'agent-password-42',
    });
    await center.conversations.close(supervisor.id, waiting.conversation.id);
    await archived(waiting.thread.id);
    expect(w.discord.postTags(waiting.thread.id)).toEqual(['Solved']);
  });
});
