import { describe, expect, it } from 'vitest';
import { newPage, signIn, useDesktop } from '../support/browser.ts';

/** Issue 14, search: the top bar's search finds an Arabic message however its letters are typed, by role. */
describe('desktop search', () => {
  const desktop = useDesktop();

  it('finds an Arabic message typed with other alef and hamza forms; an agent without access does not see it', async () => {
    await desktop.server.agent('sana@example.com', { name: 'Sana', role: 'supervisor' });
    await desktop.server.agent('kim@example.com', { name: 'Kim' });
    // Still with the bot: no agent holds it and it waits in no queue, so only supervisors may open it.
    await desktop.server.channel.receive({
      from: 'v1',
      text: 'أُريدُ إلغاءَ طلبي رقم ٤٥',
      contact: { name: 'Amira Haddad' },
    });
    await desktop.server.channel.receive({
      from: 'v2',
      text: 'my <b>parcel</b> is late <img src=x onerror="document.title=1">',
      contact: { name: 'Jonas Berg' },
    });

    const supervisor = await newPage(desktop.browser);
    const page = supervisor.page;
    await signIn(page, desktop.server.url, 'sana@example.com');
    const box = page.getByLabel('Search everything');
    // Typed with bare alefs, no diacritics, and the Arabic-Indic digits as ASCII.
    await box.fill('الغاء اريد 45');
    await box.press('Enter');
    const conversations = page.getByRole('region', { name: 'Conversations' });
    await conversations.getByRole('link', { name: 'Amira Haddad' }).waitFor();
    expect(await conversations.getByRole('listitem').count()).toBe(1);
    // The message is shown as it was written.
    await conversations.getByText('أُريدُ إلغاءَ طلبي رقم ٤٥').waitFor();
    // The words the query matched are marked, as written.
    expect(await conversations.locator('.search-excerpt mark').allTextContents()).toEqual([
      'أُريدُ',
      'إلغاءَ',
      '٤٥',
    ]);

    // Filters narrow the results; a state the conversation is not in leaves nothing.
    await page.getByLabel('State').selectOption('closed');
    await page.getByText('Nothing matches').waitFor();
    await page.getByLabel('State').selectOption('bot');
    await conversations.getByRole('link', { name: 'Amira Haddad' }).waitFor();
    await page.getByLabel('Channel').selectOption('sms');
    await page.getByText('Nothing matches').waitFor();
    await page.getByLabel('Channel').selectOption('');

    // The result opens the conversation.
    await conversations.getByRole('link', { name: 'Amira Haddad' }).click();
    await page.waitForURL(/\/conversations\/[^/]+$/);
    await page.getByText('أُريدُ إلغاءَ طلبي رقم ٤٥').first().waitFor();

    // A message holding HTML shows as text, its matched words marked.
    await box.fill('parcel late');
    await box.press('Enter');
    const excerpt = conversations.locator('.search-excerpt');
    await excerpt.getByText('<b>parcel</b>', { exact: false }).waitFor();
    expect(await excerpt.locator('mark').allTextContents()).toEqual(['parcel', 'late']);
    expect(await excerpt.locator('b, img').count()).toBe(0);

    const agent = await desktop.signedIn('kim@example.com');
    await agent.page.getByLabel('Search everything').fill('إلغاء');
    await agent.page.getByLabel('Search everything').press('Enter');
    await agent.page.getByText('Nothing matches').waitFor();
    expect(await agent.page.getByRole('region', { name: 'Conversations' }).count()).toBe(0);
    // The agent's search works: contacts are every agent's, so the member is found by name, the conversation still not.
    await agent.page.getByLabel('Search everything').fill('amira');
    await agent.page.getByLabel('Search everything').press('Enter');
    await agent.page
      .getByRole('region', { name: 'Contacts' })
      .getByRole('link', { name: 'Amira Haddad' })
      .waitFor();
    expect(await agent.page.getByRole('region', { name: 'Conversations' }).count()).toBe(0);

    expect(supervisor.watch.errors).toEqual([]);
    expect(agent.watch.errors).toEqual([]);
    await supervisor.context.close();
    await agent.context.close();
  }, 90_000);
});
