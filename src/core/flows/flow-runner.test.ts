import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';

let t: TestCenter;
beforeEach(async () => {
  t = await createTestCenter();
  await t.center.articles.create({
    id: 'reset-password',
    title: 'Reset your password',
    body: 'Open Settings, choose Account, then Reset password. A link arrives by email within a minute.',
    examples: ['I forgot my password', 'how do I change my password', 'cannot log in password'],
  });
});
afterEach(() => t.close());

async function conversationOf(from: string) {
  const contact = await t.store.contacts.findByIdentity('test', from);
  const [conversation] = await t.store.conversations.list({ contactId: contact!.id });
  return conversation!;
}

describe('the default flow', () => {
  it('lets the virtual agent answer from the knowledge base, with the article and two buttons', async () => {
    await t.connector.receive({ from: 'm1', text: 'I forgot my password, what do I do?' });
    await t.center.dispatcher.tick();
    const [answer] = t.connector.sent;
    expect(answer!.articles[0]).toMatchObject({ id: 'reset-password', title: 'Reset your password' });
    expect(answer!.actions.map((a) => a.id)).toEqual(['resolved', 'handoff']);
    expect((await conversationOf('m1')).state).toBe('bot');
  });

  it('hands off on request: opens a support case, tells its number and place, and queues', async () => {
    await t.connector.receive({ from: 'm1', text: 'My order never arrived' });
    await t.connector.receive({ from: 'm1', text: 'I want to talk to a real person' });
    await t.center.dispatcher.tick();
    const conversation = await conversationOf('m1');
    expect(conversation.state).toBe('queued');
    const kase = await t.store.cases.get(conversation.caseId!);
    expect(kase).toMatchObject({
      kind: 'support',
      number: 1001,
      subject: 'My order never arrived',
      status: 'new',
    });
    expect(t.connector.textsTo('m1').at(-1)).toBe(
      'I have opened case #1001 for you and I am transferring you to a person. You are number 1 in the queue.',
    );
  });

  it('hands off in Arabic and answers in Arabic', async () => {
    await t.connector.receive({ from: 'm2', text: 'أريد التحدث مع موظف' });
    await t.center.dispatcher.tick();
    expect((await conversationOf('m2')).state).toBe('queued');
    expect(t.connector.textsTo('m2').at(-1)).toContain('#1001');
    expect(t.connector.textsTo('m2').at(-1)).toContain('ترتيبك');
  });

  it('the Talk to a person button hands off too', async () => {
    await t.connector.receive({ from: 'm3', text: '', action: 'handoff' });
    expect((await conversationOf('m3')).state).toBe('queued');
  });

  it('a redelivered message is a no-op', async () => {
    await t.connector.receive({ from: 'm1', externalId: 'dup-1', text: 'I forgot my password' });
    await t.connector.receive({ from: 'm1', externalId: 'dup-1', text: 'I forgot my password' });
    const conversation = await conversationOf('m1');
    const messages = await t.store.messages.listByConversation(conversation.id);
    expect(messages.filter((m) => m.authorKind === 'contact')).toHaveLength(1);
    expect(messages.filter((m) => m.authorKind === 'bot')).toHaveLength(1);
  });
});

describe('a saved flow', () => {
  let server: Server;
  let url: string;
  beforeEach(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ tier: req.url === '/vip' ? 'gold' : 'basic' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('splits on the message, calls HTTP and uses the answer in a templated message', async () => {
    await t.center.flows.saveActive({
      name: 'VIP',
      definition: {
        initial: 'start',
        states: [
          { name: 'start', type: 'trigger', next: 'is-vip' },
          {
            name: 'is-vip',
            type: 'split',
            conditions: [{ subject: 'message.text', operator: 'contains', value: 'vip', next: 'lookup' }],
            otherwise: 'bot',
          },
          {
            name: 'lookup',
            type: 'http-request',
            method: 'GET',
            url: `${url}/vip`,
            next: 'greet',
            onFailure: 'bot',
          },
          {
            name: 'greet',
            type: 'send-message',
            text: 'Hello {{contact.name}}, your tier is {{http.body.tier}}.',
            next: 'case',
          },
          { name: 'case', type: 'create-case', kind: 'support', priority: 'high', next: 'queue' },
          { name: 'queue', type: 'send-to-queue', queue: 'support' },
          { name: 'bot', type: 'virtual-agent' },
        ],
      },
    });
    await t.connector.receive({
      from: 'm9',
      text: 'VIP help needed',
      contact: { externalId: 'm9', name: 'Noor' },
    });
    await t.center.dispatcher.tick();
    expect(t.connector.textsTo('m9')).toEqual(['Hello Noor, your tier is gold.']);
    const conversation = await conversationOf('m9');
    expect(conversation.state).toBe('queued');
    expect((await t.store.cases.get(conversation.caseId!))!.priority).toBe('high');
  });

  it('an invalid flow is refused with every problem, and the active flow stays', async () => {
    const before = await t.center.flows.getActive();
    const error = await t.center.flows
      .saveActive({ definition: { initial: 'x', states: [{ name: 'x', type: 'trigger', next: 'y' }] } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'invalid' });
    expect((error as { details: { problems: unknown[] } }).details.problems).toEqual([
      { path: 'states[0].next', message: 'refers to unknown state "y"' },
    ]);
    expect(await t.center.flows.getActive()).toEqual(before);
    await t.connector.receive({ from: 'm1', text: 'I forgot my password' });
    await t.center.dispatcher.tick();
    expect(t.connector.sent[0]!.articles[0]!.id).toBe('reset-password');
  });

  it('stops a flow that loops forever with a clear error', async () => {
    await t.center.flows.saveActive({
      definition: {
        initial: 'a',
        states: [
          { name: 'a', type: 'trigger', next: 'b' },
          {
            name: 'b',
            type: 'split',
            conditions: [{ subject: 'message.text', operator: 'contains', value: '', next: 'a' }],
          },
        ],
      },
    });
    await expect(t.connector.receive({ from: 'm1', text: 'hello' })).rejects.toThrow(/more than 50 steps/);
    // The message itself was stored before the flow ran.
    const conversation = await conversationOf('m1');
    expect(await t.store.messages.listByConversation(conversation.id)).toHaveLength(1);
  });
});
