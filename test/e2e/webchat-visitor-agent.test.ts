import { describe, expect, it } from 'vitest';
import { eventually, newPage, screenshot, useDesktop } from '../support/browser.ts';

/** Issue 4, acceptance 2: a web-chat visitor and an agent, live, in two browser contexts. */
describe('web chat: visitor ↔ virtual agent ↔ agent', () => {
  const desktop = useDesktop();

  it('talks to the bot, asks for a person, gets the agent live, and resumes after a reload', async () => {
    await desktop.server.agent('ana@example.com', { name: 'Ana Agent' });
    const agent = await desktop.signedIn('ana@example.com');
    await agent.page.getByLabel('Presence').selectOption('available');
    await agent.page.locator('.live.on').waitFor();

    const visitor = await newPage(desktop.browser, { width: 420, height: 720 });
    const chat = visitor.page;
    await chat.goto(`${desktop.server.url}/chat`);
    const messages = chat.getByRole('list', { name: 'Messages' });
    await chat.getByLabel('Your message').fill('Where is my order?');
    await chat.getByLabel('Your message').press('Enter');
    // The virtual agent answers live.
    await messages.locator('[data-author="bot"]').first().waitFor();
    await chat.locator('.status.on').waitFor();
    // The bot's own action button (the header also has one).
    await messages.getByRole('button', { name: 'Talk to a person' }).click();
    await messages.getByText(/transferring you to a person/).waitFor();

    // The agent, in another browser context, gets the offer and answers.
    await agent.page.locator('.offer').getByRole('button', { name: 'Accept' }).click();
    await agent.page.waitForURL(/\/conversations\//);
    const transcript = agent.page.getByRole('list', { name: 'Transcript' });
    await transcript.locator('[data-author="contact"]').getByText('Where is my order?').waitFor();
    await agent.page.getByLabel('Reply').fill('Hello, this is Ana. Let me look up your order.');
    await agent.page.getByLabel('Reply').press('Enter');

    // The visitor sees it live, with the agent's name.
    const fromAgent = messages.locator('[data-author="agent"]');
    await fromAgent.getByText('Hello, this is Ana.', { exact: false }).waitFor();
    expect(await fromAgent.first().locator('.chat-author').textContent()).toBe('Ana Agent');

    // The visitor answers; the agent sees it live.
    await chat.getByLabel('Your message').fill('Thanks! Order 1234.');
    await chat.getByLabel('Your message').press('Enter');
    await transcript.getByText('Thanks! Order 1234.').waitFor();

    // A reload keeps the conversation (the visitor token is in localStorage).
    await chat.reload();
    await messages.locator('[data-author="contact"]').getByText('Where is my order?').waitFor();
    await messages.getByText('Hello, this is Ana.', { exact: false }).waitFor();
    await messages.getByText('Thanks! Order 1234.').waitFor();
    await chat.locator('.status.on').waitFor();
    // …and stays live after it.
    await agent.page.getByLabel('Reply').fill('Found it: it ships tomorrow.');
    await agent.page.getByLabel('Reply').press('Enter');
    await messages.getByText('Found it: it ships tomorrow.').waitFor();
    await screenshot(chat, 'webchat-visitor-narrow');

    // One contact, one web-chat conversation, every message stored once.
    const conversations = await desktop.server.sb.center.store.conversations.list({ channel: 'webchat' });
    expect(conversations).toHaveLength(1);
    const stored = await desktop.server.sb.center.store.messages.listByConversation(conversations[0]!.id);
    expect(stored.filter((m) => m.text === 'Thanks! Order 1234.')).toHaveLength(1);

    for (const { watch } of [agent, visitor]) {
      expect(watch.errors).toEqual([]);
      expect(watch.dialogs).toEqual([]);
    }
    await agent.context.close();
    await visitor.context.close();
  }, 120_000);

  it('keeps visitors to their own conversation and validates what they send', async () => {
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${desktop.server.url}/api/v1/webchat${path}`, init);
    const session = async () =>
      ((await (await api('/sessions', { method: 'POST' })).json()) as { token: string }).token;
    const a = await session();
    const b = await session();
    const post = (token: string, body: unknown) =>
      api('/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-webchat-token': token },
        body: JSON.stringify(body),
      });
    expect((await post(a, { text: 'secret of visitor A', clientMessageId: 'aaaaaaaa-1' })).status).toBe(202);
    // A retried POST with the same client id is stored once.
    expect((await post(a, { text: 'secret of visitor A', clientMessageId: 'aaaaaaaa-1' })).status).toBe(202);
    const history = async (token: string) =>
      (
        (await (await api('/messages', { headers: { 'x-webchat-token': token } })).json()) as {
          messages: { text: string }[];
        }
      ).messages;
    await eventually('bot answered A', async () => (await history(a)).length >= 2);
    expect((await history(a)).filter((m) => m.text === 'secret of visitor A')).toHaveLength(1);
    expect(await history(b)).toEqual([]);
    // No or a forged token: refused.
    expect((await api('/messages')).status).toBe(401);
    expect((await api('/messages', { headers: { 'x-webchat-token': 'wct_forged' } })).status).toBe(401);
    // Bad bodies: clear 400s.
    expect((await post(a, { text: '' })).status).toBe(400);
    expect((await post(a, { text: 'x'.repeat(4001) })).status).toBe(400);
    expect((await post(a, { text: 'hi', action: 'close-everything' })).status).toBe(400);
    expect((await post(a, { text: 'hi', extra: 1 })).status).toBe(400);
    // The widget loader can be embedded by other sites; the chat page can be framed by them.
    const widget = await fetch(`${desktop.server.url}/widget.js`);
    expect(widget.status).toBe(200);
    expect(widget.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const page = await fetch(`${desktop.server.url}/chat`);
    expect(page.headers.get('x-frame-options')).toBeNull();
    expect(page.headers.get('content-security-policy')).toContain('frame-ancestors *');
    // The desktop itself is not frameable.
    expect((await fetch(`${desktop.server.url}/inbox`)).headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });
});
