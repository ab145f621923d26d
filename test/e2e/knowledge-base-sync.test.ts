import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createSwitchboard, type Switchboard } from '../../src/main.ts';
import { eventually } from '../support/eventually.ts';
import { WebchatVisitor } from '../support/webchat-client.ts';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const ADMIN_PASSWORD = 'admin-password-42';

/**
 * The knowledge base changed outside the running server: `switchboard kb import` run as its own process
 * against the server's data dir, and another instance on the same database. The running server's
 * search and virtual agent follow within seconds, without a restart.
 */
describe('knowledge base changed by other processes', () => {
  let dataDir: string;
  let kbDir: string;
  let server: Switchboard;
  let base = '';
  let cookie = '';
  const visitors: WebchatVisitor[] = [];

  const env = () => ({
    PORT: '0',
    HOST: '127.0.0.1',
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    // The sample articles around the imported ones, as on a real installation.
    SWITCHBOARD_SAMPLE_KB: 'true',
    LOG_LEVEL: 'silent',
  });

  /** `switchboard kb import <folder>` as an admin runs it, in its own process. */
  async function kbImport(folder: string): Promise<{ code: number; stdout: string }> {
    return run('node', ['bin/switchboard.mjs', 'kb', 'import', folder], {
      cwd: repo,
      env: { ...process.env, ...env() },
    }).then(
      ({ stdout }) => ({ stdout, code: 0 }),
      (error: { stdout: string; code: number }) => ({ stdout: error.stdout, code: error.code }),
    );
  }

  /**
   * What `GET /api/v1/articles/search` finds, as an agent linking an article would see it. The titles come
   * from the database; only the order (the top result) says what the index holds.
   */
  async function search(q: string, limit = 8): Promise<{ id: string; title: string }[]> {
    const res = await fetch(`${base}/api/v1/articles/search?q=${encodeURIComponent(q)}&limit=${limit}`, {
      headers: { cookie },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: { article: { id: string; title: string } }[] };
    return body.results.map((r) => ({ id: r.article.id, title: r.article.title }));
  }

  /** A new web-chat visitor asks; resolves with the articles the virtual agent answered with. */
  async function ask(text: string) {
    const visitor = await WebchatVisitor.start(base);
    visitors.push(visitor);
    await visitor.send(text);
    const answer = await eventually(`an answer to "${text}"`, () =>
      visitor.received.find((m) => m.authorKind === 'bot' && m.text.trim()),
    );
    return answer.articles.map((a) => a.id);
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-kb-sync-'));
    kbDir = path.join(dataDir, 'help-center');
    await mkdir(kbDir, { recursive: true });
    server = await createSwitchboard(loadConfig(env()), { announce: () => {} });
    base = await server.start();
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@localhost', password: ADMIN_PASSWORD }),
    });
    expect(login.status).toBe(200);
    cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
  }, 60_000);

  afterAll(async () => {
    for (const visitor of visitors) visitor.close();
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('finds an article imported by the CLI while it runs, and follows a re-import', async () => {
    const question = 'how do I file a warranty claim for my cracked screen?';
    expect((await search(question)).map((a) => a.id)).not.toContain('warranty');
    await writeFile(
      path.join(kbDir, 'warranty.md'),
      '---\ntitle: Warranty claims\nexamples:\n  - my screen cracked, is it covered by the warranty\n---\nFile a warranty claim from Orders, then **Claim warranty**, with a photo of the damage.\n',
    );
    const imported = await kbImport(kbDir);
    expect(imported.stdout).toContain('1 created, 0 updated, 0 failed');
    expect(imported.code).toBe(0);

    await eventually('the imported article in the search', async () =>
      (await search(question, 1)).some((a) => a.id === 'warranty'),
    );
    expect(await ask('my screen cracked, is it covered by the warranty?')).toContain('warranty');

    // A re-import changes the article in place: its new title and example are searched, not the old ones.
    await writeFile(
      path.join(kbDir, 'warranty.md'),
      '---\ntitle: Repairs under guarantee\nexamples:\n  - the hinge of my laptop snapped\n---\nAsk for a repair under guarantee from Orders, then **Repair**.\n',
    );
    const reimported = await kbImport(kbDir);
    expect(reimported.stdout).toContain('0 created, 1 updated, 0 failed');
    expect(reimported.code).toBe(0);
    await eventually('the re-imported article in the search', async () =>
      (await search('hinge laptop snapped', 1)).some(
        (a) => a.id === 'warranty' && a.title === 'Repairs under guarantee',
      ),
    );
    expect(await ask('the hinge of my laptop snapped')).toContain('warranty');
  }, 60_000);

  it("follows another instance's new, edited and deleted articles", async () => {
    const other = await createSwitchboard(loadConfig(env()), { announce: () => {} });
    try {
      const question = 'can I pay for my subscription with a gift voucher';
      await other.center.articles.create({
        id: 'gift-vouchers',
        title: 'Paying with a gift voucher',
        body: 'Enter the gift voucher code at checkout, under Payment.',
        examples: [question],
      });
      await eventually('the other instance’s article in the search', async () =>
        (await search(question, 1)).some((a) => a.id === 'gift-vouchers'),
      );

      await other.center.articles.update('gift-vouchers', {
        title: 'Gift cards and vouchers',
        examples: ['the cashier refused my plastic token'],
      });
      // Only the edited article has these words: the index, not just the stored article, has changed.
      await eventually('the other instance’s edit in the search', async () =>
        (await search('cashier refused plastic token', 1)).some(
          (a) => a.id === 'gift-vouchers' && a.title === 'Gift cards and vouchers',
        ),
      );
      expect(await ask('the cashier refused my plastic token')).toContain('gift-vouchers');

      await other.center.articles.delete('gift-vouchers');
      // While the index still holds the deleted article, it takes the one place asked for and the
      // search shows nothing; once the index forgot it, the next best article shows.
      await eventually('the deleted article gone from the index', async () => {
        const best = await search(question, 1);
        return best.length === 1 && best[0]!.id !== 'gift-vouchers';
      });
    } finally {
      await other.stop();
    }
  }, 60_000);
});
