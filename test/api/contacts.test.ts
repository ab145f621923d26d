import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startApi } from './api-harness.ts';

describe('contacts', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.close());

  it('shows an agent who a conversation is with, and nobody signed out', async () => {
    const agent = await api.signIn('ana@example.com');
    await api.tc.connector.receive({
      from: 'm1',
      text: 'hello',
      contact: { externalId: 'm1', name: 'Layla', avatarUrl: 'https://cdn.example/a.png', locale: 'ar' },
    });
    const contact = (await api.tc.store.contacts.findByIdentity('test', 'm1'))!;
    const res = await agent.call('GET', `/api/v1/contacts/${contact.id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: contact.id,
      name: 'Layla',
      avatarUrl: 'https://cdn.example/a.png',
      locale: 'ar',
      identities: [{ channel: 'test', externalId: 'm1' }],
      createdAt: contact.createdAt,
    });
    expect((await api.call('GET', `/api/v1/contacts/${contact.id}`)).status).toBe(401);
    const missing = await agent.call('GET', '/api/v1/contacts/nobody');
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.message).toContain('contact nobody not found');
  });
});
