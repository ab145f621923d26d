import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { WebchatConnector } from '../../src/channels/webchat/webchat-connector.ts';
import { loadConfig } from '../../src/config.ts';
import type { Agent, AgentRole } from '../../src/core/model.ts';
import { createSwitchboard, type Switchboard, type SwitchboardOverrides } from '../../src/main.ts';
import { useSuiteResource } from './suite-resource.ts';
import { WebchatContacts } from './webchat-client.ts';

const repo = path.resolve(import.meta.dirname, '../..');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const AGENT_PASSWORD = 'correct horse battery';
export const ADMIN_PASSWORD = 'admin password 1';
export const resultsDir = path.join(repo, 'test-results');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/** Builds the web app when `web/dist` is missing or older than its sources (as `npm run build` would). */
export function ensureWebBuild(): void {
  const index = path.join(repo, 'web/dist/index.html');
  let built = 0;
  try {
    built = statSync(index).mtimeMs;
  } catch {
    built = 0;
  }
  if (built > newest(path.join(repo, 'web'))) return;
  execFileSync(
    path.join(repo, 'node_modules/.bin/vite'),
    ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
    {
      cwd: repo,
      stdio: 'inherit',
    },
  );
}

export interface RunningSwitchboard {
  sb: Switchboard;
  url: string;
  /**
   * Contacts writing in on the real web-chat channel (over HTTP and the visitors' WebSockets):
   * `channel.receive({ text, from })` is "contact `from` writes", `channel.textsTo(from)` what they got.
   */
  channel: WebchatContacts;
  webchat: WebchatConnector;
  agent(
    email: string,
    options?: { role?: AgentRole; name?: string; capacity?: number; skills?: string[] },
  ): Promise<Agent>;
  stop(): Promise<void>;
}

/** A whole Switchboard in this process: temp data dir, port 0, the desktop build, and web-chat contacts. */
export async function startSwitchboard(
  env: Record<string, string> = {},
  overrides: SwitchboardOverrides = {},
): Promise<RunningSwitchboard> {
  ensureWebBuild();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-e2e-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: 'error',
    ...env,
  });
  const sb = await createSwitchboard(config, {
    logger: pino({ level: 'error' }),
    announce: () => {},
    ...overrides,
  });
  const webchat = sb.center.connectors.get('webchat');
  if (!(webchat instanceof WebchatConnector))
    throw new Error('the composition root no longer adds the web-chat connector');
  const url = await sb.start();
  const channel = new WebchatContacts(() => url);
  return {
    sb,
    url,
    channel,
    webchat,
    agent: (email, options = {}) =>
      sb.center.agents.create({
        email,
        name: options.name ?? email.split('@')[0]!,
        role: options.role ?? 'agent',
        capacity: options.capacity ?? 3,
        skills: options.skills ?? [],
        password: AGENT_PASSWORD,
      }),
    async stop() {
      await channel.close();
      await sb.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Chromium for the enclosing `describe` (the desktop built first), launched before its tests, closed after. */
export function useBrowser(): Browser {
  return useSuiteResource(
    'the browser',
    async () => {
      ensureWebBuild();
      return launchBrowser();
    },
    (browser) => browser.close(),
    120_000,
  );
}

/** What ran that should not have: dialogs (alert/confirm/prompt) and uncaught page errors. */
export interface Watch {
  dialogs: string[];
  errors: string[];
}

export async function newPage(
  browser: Browser,
  viewport = { width: 1366, height: 768 },
  /** The browser's language (`navigator.languages`), e.g. `ar`; Chromium's default otherwise. */
  options: { locale?: string } = {},
): Promise<{ context: BrowserContext; page: Page; watch: Watch }> {
  const context = await browser.newContext({
    viewport,
    ...(options.locale ? { locale: options.locale } : {}),
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const watch: Watch = { dialogs: [], errors: [] };
  page.on('dialog', (dialog) => {
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => {});
  });
  page.on('pageerror', (error) => watch.errors.push(error.message));
  return { context, page, watch };
}

export async function signIn(
  page: Page,
  url: string,
  email: string,
  password = AGENT_PASSWORD,
): Promise<void> {
  await page.goto(`${url}/inbox`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** A suite's Switchboard and Chromium, live between its `beforeAll` and `afterAll`. */
export interface Desktop {
  readonly server: RunningSwitchboard;
  readonly browser: Browser;
  /** A new browser context on the desktop, signed in as `email`. */
  signedIn(
    email: string,
    password?: string,
    viewport?: { width: number; height: number },
  ): Promise<{ context: BrowserContext; page: Page; watch: Watch }>;
}

/**
 * Starts a Switchboard and Chromium before the enclosing `describe`'s tests and stops both after them.
 * `env` may be a function, for settings known only once something else has started (a fake's URL).
 */
export function useDesktop(
  env: Record<string, string> | (() => Promise<Record<string, string>>) = {},
  overrides: SwitchboardOverrides = {},
): Desktop {
  const server = useSuiteResource(
    'the Switchboard',
    async () => startSwitchboard(typeof env === 'function' ? await env() : env, overrides),
    (started) => started.stop(),
    120_000,
  );
  const browser = useBrowser();
  return {
    server,
    browser,
    async signedIn(email, password = AGENT_PASSWORD, viewport?) {
      const opened = await newPage(browser, viewport);
      await signIn(opened.page, server.url, email, password);
      return opened;
    },
  };
}

export { eventually } from './eventually.ts';

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(resultsDir, `${name}.png`), fullPage: false });
}
