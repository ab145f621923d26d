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
 * The knowledge base as an admin runs it: `switchboard kb import` of a folder of Markdown files, members'
 * questions on the real web-chat channel, an edit through the API, a restart, and the loop that learns from use.
 */
describe('knowledge base', () => {
  let dataDir: string;
  let kbDir: string;
  let switchboard: Switchboard | null = null;
  let base = '';
  let cookie = '';
  const visitors: WebchatVisitor[] = [];

  const env = () => ({
    PORT: '0',
    HOST: '127.0.0.1',
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SWITCHBOARD_SAMPLE_KB: 'false',
    LOG_LEVEL: 'silent',
  });

  async function boot() {
    switchboard = await createSwitchboard(loadConfig(env()), { announce: () => {} });
    base = await switchboard.start();
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@localhost', password: ADMIN_PASSWORD }),
    });
    cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
  }

  async function call(method: string, url: string, body?: unknown) {
    const res = await fetch(base + url, {
      method,
      headers: {
        cookie,
        'x-switchboard-csrf': '1',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** A new member asks in web chat; resolves with the virtual agent's answer. */
  async function ask(text: string) {
    const visitor = await WebchatVisitor.start(base);
    visitors.push(visitor);
    await visitor.send(text);
    return eventually(`an answer to "${text}"`, () => visitor.received[0]);
  }
  const lastMember = () => visitors.at(-1)!;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-kb-'));
    kbDir = path.join(dataDir, 'help-center');
    await mkdir(path.join(kbDir, 'shipping'), { recursive: true });
    await writeFile(
      path.join(kbDir, 'shipping', 'lost-parcel.md'),
      '---\ntitle: My parcel is lost\ntags: [shipping]\nexamples:\n  - my parcel never arrived\n  - the courier lost my package\n---\nWe open an investigation with the carrier and send a new parcel within 5 days.\n',
    );
    await writeFile(
      path.join(kbDir, 'two-factor.md'),
      '# Turn on two-factor authentication\n\nOpen Settings, then Security, then **Two-factor**, and scan the code with an authenticator app.\n',
    );
    await writeFile(path.join(kbDir, 'broken.md'), '---\ntitle: [unclosed\n---\nbody\n');
    const imported = await run('node', ['bin/switchboard.mjs', 'kb', 'import', kbDir], {
      cwd: repo,
      env: { ...process.env, ...env() },
    }).then(
      ({ stdout }) => ({ stdout, code: 0 }),
      (error: { stdout: string; code: number }) => error,
    );
    // The broken file is reported; the two good ones are imported, and the command exits 1 because of the broken one.
    expect(imported.code).toBe(1);
    expect(imported.stdout).toContain('2 created, 0 updated, 1 failed');
    expect(imported.stdout).toContain('broken.md');
    await boot();
  }, 60_000);

  afterAll(async () => {
    for (const visitor of visitors) visitor.close();
    await switchboard?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers with the imported article, follows an edit at once, and is back after a restart', async () => {
    const first = await ask('The courier lost my package, what now?');
    expect(first.articles[0]).toMatchObject({ id: 'shipping-lost-parcel', title: 'My parcel is lost' });
    expect((await ask('how do I turn on two-factor authentication?')).articles[0]?.id).toBe('two-factor');

    const edited = await call('PATCH', '/api/v1/articles/shipping-lost-parcel', {
      title: 'Lost or stolen parcels',
      examples: ['someone stole my parcel from the doorstep'],
    });
    expect(edited.status).toBe(200);
    const after = await ask('someone stole my parcel from the doorstep');
    expect(after.articles[0]).toMatchObject({ id: 'shipping-lost-parcel', title: 'Lost or stolen parcels' });

    await switchboard!.stop();
    await boot();
    const restarted = await ask('someone stole my parcel from the doorstep');
    expect(restarted.articles[0]).toMatchObject({
      id: 'shipping-lost-parcel',
      title: 'Lost or stolen parcels',
    });
  });

  it('learns a new phrasing from an agent who answered with an article link, once an agent approves it', async () => {
    const question = 'the glowing widget on my dashboard keeps blinking red';
    const unsure = await ask(question);
    expect(unsure.articles).toEqual([]);
    const member = lastMember();
    const agent = await call('POST', '/api/v1/agents', {
      email: 'kim@example.com',
      name: 'Kim',
      password: 'kim-password-1',
    });
    const kimId = agent.body.id as string;
    await call('PUT', `/api/v1/agents/${kimId}/presence`, { presence: 'available' });
    await member.send('', { action: 'handoff' });
    const conversation = await eventually('the reservation', async () => {
      const reservation = (
        await switchboard!.center.store.reservations.list({ agentId: kimId, status: 'pending' })
      )[0];
      return reservation && (await switchboard!.center.router.accept(reservation.id, kimId));
    });
    await switchboard!.center.conversations.reply(kimId, conversation.id, {
      text: `That is two-factor asking you to confirm: ${base}/kb/two-factor`,
    });

    const pending = await call('GET', '/api/v1/articles/proposals');
    const proposals = pending.body.proposals as {
      id: string;
      question: string;
      source: string;
      articleId: string;
    }[];
    expect(proposals).toEqual([
      expect.objectContaining({ question, source: 'agent_link', articleId: 'two-factor' }),
    ]);
    expect((await call('POST', `/api/v1/articles/proposals/${proposals[0]!.id}/approve`)).status).toBe(200);
    expect((await call('GET', '/api/v1/articles/two-factor')).body.examples).toContain(question);
    expect((await call('GET', '/api/v1/articles/proposals')).body.proposals).toEqual([]);

    const learned = await ask(question);
    expect(learned.articles[0]?.id).toBe('two-factor');
  });

  it('proposes the question of a member who pressed "This solved it"; a rejected proposal teaches nothing', async () => {
    const answer = await ask('I think someone stole my parcel from the doorstep yesterday');
    expect(answer.articles[0]?.id).toBe('shipping-lost-parcel');
    const member = lastMember();
    await member.send('', { action: 'resolved' });
    await eventually('the thanks', () => member.texts().some((t) => t.startsWith('Glad that helped')));
    const pending = (await call('GET', '/api/v1/articles/proposals')).body.proposals as {
      id: string;
      question: string;
      source: string;
    }[];
    expect(pending).toEqual([
      expect.objectContaining({
        question: 'I think someone stole my parcel from the doorstep yesterday',
        source: 'resolved',
      }),
    ]);
    const rejected = await call('POST', `/api/v1/articles/proposals/${pending[0]!.id}/reject`);
    expect(rejected.body.status).toBe('rejected');
    expect((await call('GET', '/api/v1/articles/shipping-lost-parcel')).body.examples).not.toContain(
      'I think someone stole my parcel from the doorstep yesterday',
    );
    expect((await call('POST', `/api/v1/articles/proposals/${pending[0]!.id}/approve`)).status).toBe(409);
  });
});
