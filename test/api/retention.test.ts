import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetentionService } from '../../src/core/retention/retention-service.ts';
import { UploadStoreRemover } from '../../src/storage/upload-remover.ts';
import { UploadStore } from '../../src/storage/upload-store.ts';
import { createTestCenter, type TestCenter } from '../support/test-center.ts';

const day = 24 * 60 * 60 * 1000;
const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/** Issue 14, retention: old conversations go with their messages and uploads; recent ones and cases stay. */
describe('retention', () => {
  let tc: TestCenter;
  let dir: string;
  const logs: { context: Record<string, unknown>; message: string }[] = [];
  const log = {
    info: (context: Record<string, unknown>, message: string) => logs.push({ context, message }),
    warn: (context: Record<string, unknown>, message: string) => logs.push({ context, message }),
  };

  beforeAll(async () => {
    tc = await createTestCenter();
    dir = await mkdtemp(path.join(tmpdir(), 'switchboard-retention-'));
  });
  afterAll(async () => {
    await tc.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('deletes a conversation older than the setting with its messages and upload; keeps recent ones and the case', async () => {
    const uploads = new UploadStore(dir);
    const stored = await uploads.save('report.txt', 'text/plain', Buffer.from('crash log'));
    const agent = await tc.agent('ana@example.com', { presence: 'available' });

    // An old conversation: handed off (a case), answered with the upload, closed; then 40 days pass.
    await tc.connector.receive({ text: 'I want to talk to a human please', from: 'old-member' });
    const [old] = await tc.store.conversations.list({ channel: 'test' });
    const [offer] = await tc.store.reservations.list({ conversationId: old!.id, status: 'pending' });
    await tc.center.router.accept(offer!.id, agent.id);
    await tc.center.conversations.reply(agent.id, old!.id, {
      text: 'Here is the log',
      attachments: [{ url: `https://sb.test/uploads/${stored.id}/${stored.name}`, name: stored.name }],
    });
    const closed = await tc.center.conversations.close(agent.id, old!.id, {});
    const caseId = closed.caseId!;
    expect(caseId).toBeTruthy();
    tc.clock.advance(40 * day);
    await tc.connector.receive({ text: 'Hello again, a new question', from: 'new-member' });
    const recent = (await tc.store.conversations.list({ channel: 'test' })).find((c) => c.id !== old!.id)!;

    const uploadFile = path.join(dir, stored.id, stored.name);
    expect(await exists(uploadFile)).toBe(true);
    const retention = new RetentionService(tc.store, tc.clock, new UploadStoreRemover(dir), log, {
      owner: 'one',
    });
    // Off by default: nothing happens.
    expect(await retention.runOnce()).toBeNull();
    expect(await tc.store.conversations.get(old!.id)).toBeDefined();

    await retention.saveSetting({ enabled: true, days: 30 });
    // Another instance holds the pass: this one does nothing meanwhile.
    const held = await tc.store.leases.acquire({
      name: 'retention',
      owner: 'two',
      now: tc.clock.now().toISOString(),
      ttlMs: 60_000,
    });
    expect(await retention.runOnce()).toBeNull();
    await tc.store.leases.release(held!);

    const result = await retention.runOnce();
    expect(result).toMatchObject({ conversations: 1, uploads: 1 });
    expect(result!.messages).toBeGreaterThanOrEqual(2);
    expect(await tc.store.conversations.get(old!.id)).toBeUndefined();
    expect(await tc.store.messages.listByConversation(old!.id)).toEqual([]);
    expect(await exists(uploadFile)).toBe(false);
    expect(await tc.store.conversations.get(recent.id)).toBeDefined();
    expect((await tc.store.messages.listByConversation(recent.id)).length).toBeGreaterThan(0);
    const kase = await tc.store.cases.get(caseId);
    expect(kase?.status).toBe('solved');
    expect((await tc.store.cases.listTimeline(caseId)).length).toBeGreaterThan(0);
    expect(logs.at(-1)).toMatchObject({
      message: 'retention: old conversations deleted',
      context: { conversations: 1, uploads: 1, days: 30 },
    });
    await expect(retention.saveSetting({ enabled: true, days: 0 })).rejects.toThrow(/days/);
    expect(await retention.setting()).toEqual({ enabled: true, days: 30 });
  });
});
