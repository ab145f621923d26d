import type { TestCenter } from './test-center.ts';

/**
 * A member `from` asks for a person on the `test` channel and an available agent
 * (`<from>-agent@example.com`) accepts the offer: the opening most conversation tests share.
 */
export async function assignedConversation(
  t: TestCenter,
  from: string,
  options: { text?: string; agentName?: string } = {},
) {
  const agent = await t.agent(`${from}-agent@example.com`, {
    presence: 'available',
    ...(options.agentName ? { name: options.agentName } : {}),
  });
  await t.connector.receive({
    from,
    text: options.text ?? 'a person please',
    action: 'handoff',
    address: { thread: from },
  });
  const contact = await t.store.contacts.findByIdentity('test', from);
  const [conversation] = await t.store.conversations.list({ contactId: contact!.id });
  const [offer] = await t.store.reservations.list({ conversationId: conversation!.id, status: 'pending' });
  await t.center.router.accept(offer!.id, agent.id);
  return { agent, contact: contact!, conversation: conversation! };
}
