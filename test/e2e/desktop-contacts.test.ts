import { describe, expect, it } from 'vitest';
import { useDesktop } from '../support/browser.ts';

/** Issue 9, item 11: the desktop lists contacts and finds one by name. */
describe('desktop contacts page', () => {
  const desktop = useDesktop();

  it('lists web-chat contacts newest first and finds one by part of the name, in any case', async () => {
    await desktop.server.agent('kim@example.com', { name: 'Kim' });
    await desktop.server.channel.receive({ from: 'v1', text: 'hello', contact: { name: 'Amira Haddad' } });
    await desktop.server.channel.receive({ from: 'v2', text: 'hi there', contact: { name: 'Jonas Berg' } });
    // Outside text is shown as text.
    await desktop.server.channel.receive({ from: 'v3', text: 'hey', contact: { name: '<b>Zoe</b>' } });

    const { context, page, watch } = await desktop.signedIn('kim@example.com');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click();
    const table = page.getByRole('table', { name: 'Contacts' });
    const names = () => table.getByRole('link').allTextContents();
    await expect.poll(names).toEqual(['<b>Zoe</b>', 'Jonas Berg', 'Amira Haddad']);
    expect(await table.getByRole('img', { name: 'Web chat' }).count()).toBe(3);

    await page.getByLabel('Search contacts').fill('hADD');
    await expect.poll(names).toEqual(['Amira Haddad']);
    await page.getByLabel('Search contacts').fill('nobody like this');
    await table.getByText('No contact matches').waitFor();
    await page.getByLabel('Search contacts').fill('amira');
    await expect.poll(names).toEqual(['Amira Haddad']);

    // Each row opens the contact's own page.
    await table.getByRole('link', { name: 'Amira Haddad' }).click();
    await page.getByRole('heading', { name: 'Amira Haddad' }).waitFor();
    expect(page.url()).toMatch(/\/contacts\/[^/]+$/);

    // The API refuses a query it cannot take, with a clear 400.
    const cookie = (await context.cookies(desktop.server.url)).map((c) => `${c.name}=${c.value}`).join('; ');
    const bad = await fetch(`${desktop.server.url}/api/v1/contacts?limit=0`, { headers: { cookie } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/limit/);

    expect(watch.errors).toEqual([]);
    await context.close();
  }, 60_000);
});
