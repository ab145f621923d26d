import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hashToken } from '../../src/core/agents/credential-tokens.ts';
import { sessionCookieName } from '../../src/http/http-config.ts';
import { AGENT_PASSWORD, newPage, signIn, useDesktop } from '../support/browser.ts';

/** Issue 9, items 11 and 21: an agent's own password and API tokens, from the desktop. */
describe('desktop account page', () => {
  const desktop = useDesktop();

  const login = (email: string, password: string) =>
    fetch(`${desktop.server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
  const openAccount = async (page: Page) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Account' }).waitFor();
  };
  const signInPage = (page: Page) => page.getByRole('button', { name: 'Sign in' });

  it('changes the password: this desktop stays signed in, the other one is signed out, only the new password works', async () => {
    await desktop.server.agent('pia@example.com', { name: 'Pia' });
    const first = await newPage(desktop.browser);
    const second = await newPage(desktop.browser);
    await signIn(first.page, desktop.server.url, 'pia@example.com');
    await signIn(second.page, desktop.server.url, 'pia@example.com');
    const { page } = first;
    await openAccount(page);

    // Clear errors: a confirmation that differs, then a wrong current password.
    const newPassword = 'a brand new passphrase';
    await page.getByLabel('Current password').fill(AGENT_PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Confirm new password').fill('something else entirely');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('new password and its confirmation are not the same');
    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('Confirm new password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('current password is not right');
    expect((await login('pia@example.com', AGENT_PASSWORD)).status).toBe(200);

    await page.getByLabel('Current password').fill(AGENT_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password changed' }).waitFor();

    // The other desktop of the same agent lands on the sign-in page at once.
    await signInPage(second.page).waitFor();
    // This one stays signed in, live on its new session, and still after a reload.
    await page.locator('.live.on').waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
    await page.getByRole('heading', { name: 'Cases' }).waitFor();
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(await signInPage(page).count()).toBe(0);

    // Only the new password signs in.
    expect((await login('pia@example.com', AGENT_PASSWORD)).status).toBe(401);
    expect((await login('pia@example.com', newPassword)).status).toBe(200);
    await second.page.getByLabel('Email').fill('pia@example.com');
    await second.page.getByLabel('Password').fill(AGENT_PASSWORD);
    await signInPage(second.page).click();
    await second.page.getByRole('alert').filter({ hasText: 'wrong email or password' }).waitFor();
    await second.page.getByLabel('Password').fill(newPassword);
    await signInPage(second.page).click();
    await second.page.getByRole('navigation', { name: 'Main' }).waitFor();

    expect([...first.watch.errors, ...second.watch.errors]).toEqual([]);
    expect([...first.watch.dialogs, ...second.watch.dialogs]).toEqual([]);
    await first.context.close();
    await second.context.close();
  }, 90_000);

  /** Makes the browser's session look signed in `minutes` ago, as if the desktop had stayed open that long. */
  const ageSession = async (context: BrowserContext, minutes: number) => {
    const cookie = (await context.cookies(desktop.server.url)).find((c) => c.name === sessionCookieName);
    if (!cookie) throw new Error('no session cookie');
    const { store } = desktop.server.sb.center;
    const session = await store.sessions.findByTokenHash(await hashToken(cookie.value));
    if (!session) throw new Error('no session for the cookie');
    await store.sessions.delete(session.id);
    await store.sessions.create({
      ...session,
      createdAt: new Date(Date.now() - minutes * 60_000).toISOString(),
    });
  };

  it('creates a token shown once that works as a bearer, asks for the password again when the sign-in is old, and revokes it', async () => {
    await desktop.server.agent('theo@example.com', { name: 'Theo' });
    const { context, page, watch } = await desktop.signedIn('theo@example.com');
    await openAccount(page);
    const tokens = page.getByRole('table', { name: 'API tokens' });
    await tokens.getByText('No API tokens.').waitFor();

    await page.getByLabel('Token name').fill('CRM sync');
    await page.getByLabel('Expires').selectOption({ label: '30 days' });
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = page.getByLabel('New API token');
    const token = await secret.inputValue();
    expect(token).toMatch(/^sb_/);
    const row = tokens.getByRole('row').filter({ hasText: 'CRM sync' });
    await row.waitFor();
    expect(await row.textContent()).not.toContain('Never');

    const me = () =>
      fetch(`${desktop.server.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    const answer = await me();
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { agent: { email: string } }).agent.email).toBe('theo@example.com');

    // Shown once: after a reload the list names the token but its secret is nowhere on the page.
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(token);

    // A sign-in older than the API allows for minting: the desktop asks for the password and retries.
    await ageSession(context, 11);
    await page.getByLabel('Token name').fill('Nightly export');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByLabel('Your password').fill('not my password');
    await page.getByRole('button', { name: 'Confirm and create' }).click();
    await page.getByRole('alert').filter({ hasText: 'That password is not right' }).waitFor();
    await page.getByLabel('Your password').fill(AGENT_PASSWORD);
    await page.getByRole('button', { name: 'Confirm and create' }).click();
    await page.getByRole('status').filter({ hasText: 'Nightly export' }).waitFor();
    expect(await page.getByLabel('New API token').inputValue()).toMatch(/^sb_/);
    await tokens.getByRole('row').filter({ hasText: 'Nightly export' }).waitFor();
    // Signing in again renewed this desktop's session; it is still signed in and live.
    await page.locator('.live.on').waitFor();
    expect(await signInPage(page).count()).toBe(0);

    await page.getByRole('button', { name: 'Revoke CRM sync' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await me()).status).toBe(401);

    expect(watch.errors).toEqual([]);
    expect(watch.dialogs).toEqual([]);
    await context.close();
  }, 90_000);
});
