import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';
import { DomainError } from '../errors.ts';

let t: TestCenter;
beforeEach(async () => {
  t = await createTestCenter();
});
afterEach(() => t.close());

const kindOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (e: unknown) => (e instanceof DomainError ? e.kind : String(e)),
  );

describe('canned responses', () => {
  it('creates with a normalised shortcut and finds by shortcut, title or text', async () => {
    const refund = await t.center.cannedResponses.create({
      shortcut: ' /Refund ',
      title: 'Refund policy',
      text: '  Refunds take 5 to 7 days.  ',
    });
    expect(refund).toMatchObject({
      shortcut: 'refund',
      title: 'Refund policy',
      text: 'Refunds take 5 to 7 days.',
      locale: null,
      createdAt: '2026-03-01T09:00:00.000Z',
    });
    await t.center.cannedResponses.create({
      shortcut: 'shukran',
      title: 'شكر',
      text: 'شكراً لتواصلك معنا',
      locale: 'ar',
    });
    const shortcuts = async (q: string) => (await t.center.cannedResponses.list(q)).map((r) => r.shortcut);
    expect(await shortcuts('')).toEqual(['refund', 'shukran']);
    expect(await shortcuts('/ref')).toEqual(['refund']);
    expect(await shortcuts('POLICY')).toEqual(['refund']);
    expect(await shortcuts('7 days')).toEqual(['refund']);
    expect(await shortcuts('شكراً')).toEqual(['shukran']);
    expect(await shortcuts('nothing like it')).toEqual([]);
    expect(await t.center.cannedResponses.list('', 1)).toHaveLength(1);
  });

  it('refuses bad input and a taken shortcut, changing nothing', async () => {
    const hello = await t.center.cannedResponses.create({ shortcut: 'hello', title: 'Hi', text: 'Hello!' });
    const create = (over: object) =>
      kindOf(t.center.cannedResponses.create({ shortcut: 'x', title: 'X', text: 'x', ...over }));
    expect(await create({ shortcut: 'two words' })).toBe('invalid');
    expect(await create({ shortcut: '' })).toBe('invalid');
    expect(await create({ shortcut: 'a'.repeat(41) })).toBe('invalid');
    expect(await create({ title: '   ' })).toBe('invalid');
    expect(await create({ text: '' })).toBe('invalid');
    expect(await create({ locale: 'not a locale' })).toBe('invalid');
    expect(await create({ shortcut: 'HELLO' })).toBe('conflict');
    expect(await t.center.cannedResponses.list()).toEqual([hello]);
  });

  it('updates, renames and deletes; a missing one is not_found', async () => {
    const hello = await t.center.cannedResponses.create({ shortcut: 'hello', title: 'Hi', text: 'Hello!' });
    const bye = await t.center.cannedResponses.create({ shortcut: 'bye', title: 'Bye', text: 'Bye!' });
    t.clock.advance(60_000);
    const edited = await t.center.cannedResponses.update(hello.id, { text: 'Hello there!', locale: 'en' });
    expect(edited).toEqual({
      ...hello,
      text: 'Hello there!',
      locale: 'en',
      updatedAt: '2026-03-01T09:01:00.000Z',
    });
    expect(await kindOf(t.center.cannedResponses.update(hello.id, { shortcut: 'bye' }))).toBe('conflict');
    // Keeping its own shortcut is no conflict.
    expect((await t.center.cannedResponses.update(hello.id, { shortcut: 'hello' })).shortcut).toBe('hello');
    expect((await t.center.cannedResponses.update(hello.id, { locale: null })).locale).toBeNull();
    await t.center.cannedResponses.delete(bye.id);
    expect(await kindOf(t.center.cannedResponses.get(bye.id))).toBe('not_found');
    expect(await kindOf(t.center.cannedResponses.delete(bye.id))).toBe('not_found');
    expect(await kindOf(t.center.cannedResponses.update('missing', { text: 'x' }))).toBe('not_found');
    expect((await t.center.cannedResponses.update(hello.id, { shortcut: 'bye' })).shortcut).toBe('bye');
  });
});
