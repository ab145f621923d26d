import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, eventually, useDesktop } from '../support/browser.ts';

/**
 * Issue 14, the supervisor monitor and macros: a supervisor watches a live conversation of an agent, leaves
 * a note the agent sees at once (and the web-chat member never gets), and reassigns it to a second agent;
 * an agent answers with a macro that sends its text, sets the case's priority and tags, and closes.
 */
describe('desktop: supervisor monitor and macros', () => {
  const desktop = useDesktop();

  const goAvailable = async (page: Page, email: string) => {
    await page.getByLabel('Presence').selectOption('available');
    await page.locator('.live.on').waitFor();
    await eventually(
      `${email} available`,
      async () => (await desktop.server.sb.center.store.agents.getByEmail(email))?.presence === 'available',
    );
  };

  /** The member writes on web chat and asks for a person; the agent's page accepts the offer. */
  const handOff = async (page: Page, member: string): Promise<string> => {
    await desktop.server.channel.receive({
      text: 'I was charged twice, a human please',
      from: member,
      action: 'handoff',
    });
    await page.locator('.offer').getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL(/\/conversations\//);
    return decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
  };

  it('a supervisor watches, leaves a note the agent sees, and reassigns to a second agent', async () => {
    const noteText = 'Offer the refund: they were charged twice (internal)';
    await desktop.server.agent('ana@example.com', { name: 'Ana Agent' });
    const bo = await desktop.server.agent('bo@example.com', { name: 'Bo Agent' });
    await desktop.server.agent('sue@example.com', { name: 'Sue Supervisor', role: 'supervisor' });
    const ana = await desktop.signedIn('ana@example.com');
    await goAvailable(ana.page, 'ana@example.com');
    const conversationId = await handOff(ana.page, 'member-21');

    const sue = await desktop.signedIn('sue@example.com');
    await sue.page.goto(`${desktop.server.url}/supervisor`);
    await sue.page
      .getByRole('navigation', { name: 'Supervisor views' })
      .getByRole('link', { name: 'Monitor' })
      .click();
    const row = sue.page
      .getByRole('table', { name: 'Live conversations' })
      .locator(`tr[data-conversation="${conversationId}"]`);
    await row.locator('.holder').getByText('Ana Agent').waitFor();
    await row.getByText('assigned').waitFor();
    await row.getByText('webchat').waitFor();
    // Ana's desktop shows the conversation: the monitor says so.
    const anaRow = sue.page
      .getByRole('table', { name: 'Agents online' })
      .locator('tr[data-agent="ana@example.com"]');
    await anaRow.locator('.viewing a').waitFor();

    // Opened read-only: the transcript, no composer; a note goes to the agents only.
    await row.getByRole('link').click();
    const panel = sue.page.getByRole('region', { name: 'Monitored conversation' });
    await panel.getByText('I was charged twice, a human please').waitFor();
    expect(await sue.page.getByLabel('Reply').count()).toBe(0);
    await panel.getByLabel('Internal note').fill(noteText);
    await panel.getByRole('button', { name: 'Add note' }).click();
    await panel.locator('li.note').getByText(noteText).waitFor();
    await ana.page.getByRole('list', { name: 'Internal notes' }).getByText(noteText).waitFor();
    // The agent writes a note back from the conversation view: the supervisor's panel shows it at once.
    const reply = 'Refund started; <b>second charge</b> is pending (internal)';
    await ana.page.getByLabel('Write an internal note').fill(reply);
    await ana.page
      .getByRole('form', { name: 'New internal note' })
      .getByRole('button', { name: 'Add note' })
      .click();
    await ana.page.getByRole('list', { name: 'Internal notes' }).getByText(reply).waitFor();
    await panel.locator('li.note').getByText(reply).waitFor();
    expect(await ana.page.getByLabel('Write an internal note').inputValue()).toBe('');

    // Bo comes online; Sue reassigns the conversation to Bo, who then holds it and reads the note.
    const boPage = await desktop.signedIn('bo@example.com');
    await goAvailable(boPage.page, 'bo@example.com');
    await panel.getByLabel('Reassign to').selectOption({ label: 'Bo Agent (available)' });
    await panel.getByRole('button', { name: 'Reassign' }).click();
    await row.locator('.holder').getByText('Bo Agent').waitFor();
    expect((await desktop.server.sb.center.store.conversations.get(conversationId))?.agentId).toBe(bo.id);
    await boPage.page.goto(`${desktop.server.url}/conversations/${encodeURIComponent(conversationId)}`);
    await boPage.page.getByLabel('Reply').waitFor();
    await boPage.page.getByRole('list', { name: 'Internal notes' }).getByText(noteText).waitFor();

    // The member heard of the hand-over (sent after the note), and never of the note.
    await eventually('the member hears Bo takes over', () =>
      desktop.server.channel.textsTo('member-21').find((t) => t.includes('Bo Agent is taking over')),
    );
    expect(
      desktop.server.channel
        .textsTo('member-21')
        .some((t) => t.includes('Offer the refund') || t.includes('Refund started')),
    ).toBe(false);
    expect([...ana.watch.errors, ...sue.watch.errors, ...boPage.watch.errors]).toEqual([]);
    await Promise.all([ana.context.close(), sue.context.close(), boPage.context.close()]);
  });

  it('an agent answers with a macro: the text is sent, the case gets priority and tags, the conversation closes', async () => {
    const macroText = 'Your refund is on its way; it reaches your card within 5 days.';
    const admin = await desktop.signedIn('admin@localhost', ADMIN_PASSWORD);
    await admin.page.goto(`${desktop.server.url}/admin/canned`);
    const form = admin.page.getByRole('form', { name: 'Canned response' });
    await form.getByLabel('Shortcut').fill('refund-close');
    await form.getByLabel('Title').fill('Refund and close');
    await form.getByLabel('Text').fill(macroText);
    await form.getByLabel('Priority').selectOption('high');
    await form.getByLabel('Tags').fill('refund, billing');
    await form.getByLabel('Close the conversation').check();
    await form.getByRole('button', { name: 'Add' }).click();
    await admin.page
      .getByRole('list', { name: 'Canned responses' })
      .locator('li[data-shortcut="refund-close"]')
      .getByText('macro: priority high · tags refund, billing · close')
      .waitFor();

    await desktop.server.agent('cy@example.com', { name: 'Cy Agent' });
    const cy = await desktop.signedIn('cy@example.com');
    await goAvailable(cy.page, 'cy@example.com');
    // Ana and Bo are still available from the first test: take them out of the way.
    for (const email of ['ana@example.com', 'bo@example.com']) {
      const other = await desktop.server.sb.center.store.agents.getByEmail(email);
      if (other) await desktop.server.sb.center.agents.setPresence(other.id, 'away');
    }
    const conversationId = await handOff(cy.page, 'member-22');
    await cy.page.getByRole('button', { name: 'Macros' }).click();
    await cy.page
      .getByRole('list', { name: 'Macros' })
      .getByRole('button', { name: /refund-close/ })
      .click();
    await cy.page.waitForURL(/\/inbox$/);

    await eventually('the macro text reaches the member', () =>
      desktop.server.channel.textsTo('member-22').find((t) => t === macroText),
    );
    const conversation = await desktop.server.sb.center.store.conversations.get(conversationId);
    expect(conversation?.state).toBe('closed');
    const kase = await desktop.server.sb.center.store.cases.get(conversation?.caseId ?? '');
    expect(kase?.priority).toBe('high');
    expect(kase?.tags).toEqual(expect.arrayContaining(['refund', 'billing']));
    expect(kase?.status).toBe('solved');
    expect([...admin.watch.errors, ...cy.watch.errors]).toEqual([]);
    await Promise.all([admin.context.close(), cy.context.close()]);
  });
});
