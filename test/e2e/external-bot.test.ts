import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createSwitchboard, type Switchboard } from '../../src/main.ts';
import { eventually } from '../support/eventually.ts';
import { WebchatVisitor } from '../support/webchat-client.ts';

/**
 * A brand's own bot (Rasa-style REST channel) configured with SWITCHBOARD_BOT_URL, in front of the knowledge base,
 * talking to members on the real web-chat channel.
 */
describe('an external bot as the virtual agent', () => {
  let bot: Server;
  let switchboard: Switchboard;
  let dataDir: string;
  let base = '';
  const visitors: WebchatVisitor[] = [];
  const member = async () => {
    const visitor = await WebchatVisitor.start(base);
    visitors.push(visitor);
    return visitor;
  };
  const received: { message: string; history: unknown[] }[] = [];

  beforeAll(async () => {
    bot = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        const request = JSON.parse(body) as { message: string; history: unknown[] };
        received.push(request);
        if (request.message.includes('crash')) {
          res.statusCode = 500;
          res.end('boom');
          return;
        }
        res.setHeader('content-type', 'application/json');
        if (request.message.includes('manager')) {
          res.end(JSON.stringify([{ text: 'Let me find you someone.', custom: { handoff: true } }]));
          return;
        }
        res.end(JSON.stringify([{ text: `Bot says hi to: ${request.message}` }]));
      });
    });
    await new Promise<void>((resolve) => bot.listen(0, '127.0.0.1', resolve));
    dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-bot-'));
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_ADMIN_PASSWORD: 'admin-password-42',
      SWITCHBOARD_BOT_URL: `http://127.0.0.1:${(bot.address() as AddressInfo).port}/webhooks/rest/webhook`,
      LOG_LEVEL: 'silent',
    });
    switchboard = await createSwitchboard(config, { announce: () => {} });
    base = await switchboard.start();
  });

  afterAll(async () => {
    for (const visitor of visitors) visitor.close();
    await switchboard.stop();
    await new Promise<void>((resolve) => bot.close(() => resolve()));
    await rm(dataDir, { recursive: true, force: true });
  });

  it("relays the bot's reply to the member", async () => {
    const m1 = await member();
    await m1.send('what are your opening hours?');
    const reply = await eventually('the bot reply', () => m1.texts()[0]);
    expect(reply).toBe('Bot says hi to: what are your opening hours?');
    expect(received.at(-1)?.message).toBe('what are your opening hours?');
  });

  it("honours the bot's hand-off signal: a case is opened and the member queued", async () => {
    const m2 = await member();
    await m2.send('I need your manager');
    const told = await eventually('the case number', () => m2.texts().find((t) => t.includes('case #')));
    expect(told).toMatch(/case #\d+/);
    const contact = await switchboard.center.store.contacts.findByIdentity('webchat', m2.visitorId);
    const [conversation] = await switchboard.center.store.conversations.list({ contactId: contact!.id });
    expect(conversation!.state).toBe('queued');
  });

  it('when the bot fails, the knowledge base answers instead', async () => {
    const m3 = await member();
    await m3.send('crash: I forgot my password');
    const answer = await eventually('the fallback answer', () => m3.received[0]);
    expect(answer.articles[0]?.title).toBe('Reset your password');
  });
});
