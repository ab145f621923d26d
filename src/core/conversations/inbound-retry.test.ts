import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.ts';
import { createTestCenter, type TestCenter } from '../../../test/support/test-center.ts';
import type { InboundMessage } from '../ports/channel-connector.ts';
import type { ReceiveResult } from './conversation-service.ts';
import { InboundRefused, InboundRetry } from './inbound-retry.ts';

/** A real SQLite store whose `messages` table a trigger makes unwritable, as a database outage does. */
describe('InboundRetry', () => {
  let dir: string;
  let t: TestCenter;
  let admin: SqliteDatabase.Database;
  let lines: { context: Record<string, unknown>; message: string }[];
  let retry: InboundRetry<ReceiveResult>;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'switchboard-inbound-'));
    const file = path.join(dir, 'switchboard.db');
    t = await createTestCenter({ url: file });
    admin = new SqliteDatabase(file, { timeout: 0 });
    lines = [];
    retry = new InboundRetry(
      (message) => t.center.conversations.receive(message),
      { warn: (context, message) => lines.push({ context, message }) },
      { initialDelayMs: 5, maxDelayMs: 20, maxQueued: 3 },
    );
  });

  afterEach(async () => {
    retry.stop();
    admin.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const breakStorage = () =>
    admin.exec(
      `create trigger messages_unwritable before insert on messages
       begin select raise(abort, 'database unavailable'); end`,
    );
  // The store's transactions run on this same thread, so the admin connection must not block waiting for
  // their lock (it would wait on itself): it tries without waiting, between the store's attempts.
  const repairStorage = () =>
    eventually('the trigger to be dropped', () => {
      try {
        admin.exec('drop trigger messages_unwritable');
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_BUSY') return false;
        throw error;
      }
    });

  const dm = (externalId: string, text: string, from = 'member-7'): InboundMessage => ({
    channel: 'test',
    externalId,
    contact: { externalId: from, name: `Member ${from}` },
    address: { thread: from },
    text,
  });

  const failuresOf = (externalId: string) =>
    lines.filter((l) => l.context.externalId === externalId && l.message.includes('retrying')).length;

  it('keeps a message whose storing fails until the database takes it, then answers it once, in order per contact', async () => {
    breakStorage();
    const first = retry.deliver(dm('dm-1', 'hello, my game crashes at start'));
    const second = retry.deliver(dm('dm-2', 'it shows error 42'));
    await eventually('two failed attempts of the first message', () => failuresOf('dm-1') >= 2);
    // The second waits behind the first: it has not been tried while the first was failing.
    expect(failuresOf('dm-2')).toBe(0);
    const line = lines.find((l) => l.context.externalId === 'dm-1');
    expect(line?.context).toMatchObject({ channel: 'test', externalId: 'dm-1', contact: 'member-7' });
    expect(JSON.stringify(line)).not.toContain('game crashes');

    await repairStorage();
    const [a, b] = await Promise.all([first, second]);
    expect(a.accepted).toBe(true);
    expect(b.accepted).toBe(true);
    const transcript = await t.store.messages.listByConversation(a.conversation!.id);
    const fromMember = transcript.filter((m) => m.authorKind === 'contact');
    expect(fromMember.map((m) => m.externalId)).toEqual(['dm-1', 'dm-2']);
    expect(transcript.filter((m) => m.authorKind === 'bot').length).toBe(2);
    expect(retry.pending).toBe(0);
  });

  it('does not retry bad input, and refuses beyond its bound instead of growing', async () => {
    await expect(retry.deliver({ ...dm('dm-bad', 'x'), externalId: '' })).rejects.toThrow();
    expect(failuresOf('dm-bad')).toBe(0);

    breakStorage();
    const held = [
      retry.deliver(dm('a', 'one', 'm1')),
      retry.deliver(dm('b', 'two', 'm2')),
      retry.deliver(dm('c', 'three', 'm3')),
    ];
    await expect(retry.deliver(dm('d', 'four', 'm4'))).rejects.toBeInstanceOf(InboundRefused);
    expect(lines.some((l) => l.context.externalId === 'd' && l.message.includes('queue full'))).toBe(true);
    await repairStorage();
    const results = await Promise.all(held);
    expect(results.every((r) => r.accepted)).toBe(true);
  });
});
