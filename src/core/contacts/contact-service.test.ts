import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';
import { ContactService } from './contact-service.ts';

let t: TestCenter;
beforeEach(async () => {
  t = await createTestCenter();
});
afterEach(() => t.close());

describe('ContactService', () => {
  it('creates a contact on first sight and finds the same one by channel identity', async () => {
    const contacts = new ContactService(t.store, t.clock);
    const first = await contacts.resolve('discord', { externalId: '42', name: 'Mina', locale: 'en-US' });
    const again = await contacts.resolve('discord', { externalId: '42', name: 'Mina A.' });
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({ name: 'Mina A.', locale: 'en-US' });
    expect(ContactService.identityOn(again, 'discord')).toBe('42');
    expect(ContactService.identityOn(again, 'sms')).toBeUndefined();
  });

  it('is the contact that receive() uses for the same identity', async () => {
    const contacts = new ContactService(t.store, t.clock);
    const created = await contacts.resolve('test', { externalId: 'contact-1', name: 'Member' });
    await t.connector.receive({ text: 'hello', from: 'contact-1' });
    const [conversation] = await t.center.conversations.list({ contactId: created.id });
    expect(conversation?.contactId).toBe(created.id);
  });
});
