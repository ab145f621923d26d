import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/core/model.ts';
import { eventually, screenshot, useDesktop } from '../support/browser.ts';
import { MessengerGraphFake } from '../support/messenger-graph-fake.ts';

const APP_SECRET = 'messenger-app-secret-0123456789';
const PAGE_TOKEN = 'EAAG-page-access-token-0123456789';
const hourMs = 3_600_000;

/** An agent works a Messenger conversation in the desktop like any other channel's. */
describe('desktop: a Messenger conversation', () => {
  let graph: MessengerGraphFake;
  let ana: Agent;

  // Registered first, so that it runs after the desktop has stopped.
  afterAll(() => graph?.close());
  const desktop = useDesktop(async () => {
    graph = await MessengerGraphFake.start({ appSecret: APP_SECRET, pageAccessToken: PAGE_TOKEN });
    return {
      MESSENGER_PAGE_ACCESS_TOKEN: PAGE_TOKEN,
      MESSENGER_APP_SECRET: APP_SECRET,
      MESSENGER_VERIFY_TOKEN: 'verify-me-please',
      MESSENGER_API_URL: graph.url,
    };
  });
  beforeAll(() => {
    graph.webhookUrl = `${desktop.server.url}/webhooks/messenger`;
  });

  it('shows the conversation with the Messenger icon, the member’s words as text, and sends the reply through the Send API', async () => {
    ana = await desktop.server.agent('ana@example.com', { name: 'Ana' });
    const { page, watch, context } = await desktop.signedIn('ana@example.com');
    await page.getByLabel('Presence').selectOption('available');
    await page.locator('.live.on').waitFor();

    const maria = graph.addUser('Maria', '<b>Lopez</b>');
    const markup = '<img src=x onerror=alert(1)> my order is late';
    expect(
      (
        await graph.sendMessage(maria.psid, markup, {
          attachments: [{ type: 'image', payload: { url: 'https://cdn.example/photos/parcel.jpg' } }],
        })
      ).status,
    ).toBe(200);
    expect((await graph.tapQuickReply(maria.psid, 'Talk to a person', 'handoff')).status).toBe(200);

    const offer = page.locator('.offer');
    await offer.getByRole('img', { name: 'Messenger', exact: true }).waitFor();
    await offer.getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL(/\/conversations\//);
    const conversation = page.getByRole('region', { name: 'Conversation' });
    await conversation
      .locator('.conversation-head')
      .getByRole('img', { name: 'Messenger', exact: true })
      .waitFor();
    await conversation.getByRole('link', { name: 'Maria <b>Lopez</b>' }).waitFor();
    const transcript = page.getByRole('list', { name: 'Transcript' });
    const fromMember = transcript.locator('[data-author="contact"]');
    await fromMember.getByText(markup).waitFor();
    await fromMember.getByRole('list', { name: 'Attachments' }).getByText('parcel.jpg').waitFor();

    await page.getByLabel('Reply').fill('Hello Maria, your parcel is on its way.');
    await page.getByLabel('Reply').press('Enter');
    await transcript.locator('[data-author="agent"]').getByText('your parcel is on its way').waitFor();
    const sent = await eventually('the reply on Messenger', () =>
      graph.sentTo(maria.psid).find((call) => call.message.text?.includes('your parcel is on its way')),
    );
    expect(sent.message.text).toBe('Ana: Hello Maria, your parcel is on its way.');
    await screenshot(page, 'messenger-conversation');

    expect(watch.dialogs).toEqual([]);
    expect(watch.errors).toEqual([]);
    await context.close();
  }, 120_000);

  it("tells the agent why a reply cannot go out when the member's last message is more than 24 hours old", async () => {
    // Ana has left: the offer goes to Ben.
    await desktop.server.sb.center.agents.setPresence(ana.id, 'offline');
    await desktop.server.agent('ben@example.com', { name: 'Ben' });
    const { page, watch, context } = await desktop.signedIn('ben@example.com');
    await page.getByLabel('Presence').selectOption('available');
    await page.locator('.live.on').waitFor();

    const late = graph.addUser('Leo', 'Late');
    const yesterday = Date.now() - 26 * hourMs;
    expect((await graph.sendMessage(late.psid, 'Is anyone there?', { timestamp: yesterday })).status).toBe(
      200,
    );
    expect((await graph.tapQuickReply(late.psid, 'Talk to a person', 'handoff', yesterday)).status).toBe(200);
    await page.locator('.offer').getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL(/\/conversations\//);
    await page.getByLabel('Reply').fill('Sorry for the wait.');
    await page.getByLabel('Reply').press('Enter');
    await page
      .getByRole('alert')
      .getByText(/only within 24 hours of the member's last message/)
      .waitFor();
    // Not stored: the reply stays in the box for the agent.
    expect(await page.getByLabel('Reply').inputValue()).toBe('Sorry for the wait.');
    expect(graph.textsTo(late.psid).some((text) => text.includes('Sorry for the wait'))).toBe(false);
    expect(watch.errors).toEqual([]);
    await context.close();
  }, 120_000);
});
