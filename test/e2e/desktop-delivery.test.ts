import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/core/model.ts';
import { ConnectorError } from '../../src/core/ports/channel-connector.ts';
import { useDesktop } from '../support/browser.ts';

/** A message the channel refused is marked in the transcript, and a supervisor sends it again from there. */
describe('desktop: not delivered, resend', () => {
  const desktop = useDesktop();

  it('shows "Not delivered: <reason> · Resend", and Resend delivers the message', async () => {
    await desktop.server.agent('sam@example.com', { name: 'Sam', role: 'supervisor' });
    // The web-chat channel refuses the first message for good, as Discord does a DM to a member who closed them.
    const webchat = desktop.server.webchat;
    let refuse = true;
    desktop.server.sb.center.addConnector({
      channel: 'webchat',
      start: (onInbound) => webchat.start(onInbound),
      stop: () => webchat.stop(),
      health: () => webchat.health(),
      send: async (message: OutboundMessage) => {
        if (refuse) {
          refuse = false;
          throw new ConnectorError('<b>visitor</b> left the chat', false);
        }
        return webchat.send(message);
      },
    });
    await desktop.server.channel.receive({ from: 'v1', text: 'hello' });
    const [conversation] = await desktop.server.sb.center.store.conversations.list({});
    const failedItem = async () =>
      (await desktop.server.sb.center.store.outbox.listByConversation(conversation!.id)).find(
        (i) => i.status === 'failed',
      );
    await expect.poll(async () => (await failedItem())?.status, { timeout: 10_000 }).toBe('failed');
    const refusedText = (await failedItem())!.message.text;
    expect(desktop.server.channel.textsTo('v1')).not.toContain(refusedText);

    const { context, page, watch } = await desktop.signedIn('sam@example.com');
    await page.goto(`${desktop.server.url}/conversations/${conversation!.id}`);
    const marker = page.getByRole('status').filter({ hasText: 'Not delivered' });
    // The reason is outside text: shown as text, not markup.
    await expect
      .poll(() => marker.textContent())
      .toBe('Not delivered: <b>visitor</b> left the chat · Resend');
    await marker.getByRole('button', { name: 'Resend' }).click();
    await marker.waitFor({ state: 'detached' });
    await expect.poll(() => desktop.server.channel.textsTo('v1'), { timeout: 10_000 }).toContain(refusedText);
    expect(desktop.server.channel.textsTo('v1').filter((t) => t === refusedText)).toHaveLength(1);

    expect(watch.errors).toEqual([]);
    await context.close();
  }, 60_000);
});
