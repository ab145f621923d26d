import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { type ServerProcess, spawnServer } from '../support/server-process.ts';
import { WebchatVisitor } from '../support/webchat-client.ts';
import { ThrowawayPostgres } from './throwaway-postgres.ts';

const found = ThrowawayPostgres.find();
if ('missing' in found) console.log(`PostgreSQL restart fault test skipped: ${found.missing}`);

/**
 * A real Switchboard process on a PostgreSQL of its own, under a steady web-chat load, while the
 * database is stopped and started again several times: the process stays up, /healthz says the
 * database is down meanwhile and up after, and every message a visitor sent is stored exactly once
 * (the widget resends a refused message with the same client message id, its idempotency key).
 */
describe.skipIf('missing' in found)('a PostgreSQL restart under load', () => {
  let cluster: ThrowawayPostgres;
  let server: ServerProcess | undefined;
  let dataDir: string;
  let url: string;
  const visitors: WebchatVisitor[] = [];

  beforeAll(async () => {
    cluster = await ThrowawayPostgres.create((found as { bin: string }).bin);
    cluster.start();
    dataDir = mkdtempSync(path.join(tmpdir(), 'switchboard-pg-restart-'));
    server = spawnServer('node', ['bin/switchboard.mjs', 'start'], {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: cluster.url,
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_ADMIN_PASSWORD: 'fault-test-password',
      SWITCHBOARD_WEBCHAT_MESSAGES_PER_MINUTE: '10000',
      SWITCHBOARD_WEBCHAT_ADDRESS_MESSAGES_PER_MINUTE: '100000',
      LOG_LEVEL: 'info',
    });
    url = await server.url();
  }, 120_000);

  afterAll(async () => {
    for (const visitor of visitors) visitor.close();
    await server?.kill();
    cluster?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  /** Fails the waiting at once when the process died (the fault this test is about). */
  const alive = () => {
    if (!server!.groupAlive()) throw new Error(`Switchboard exited:\n${server!.output().slice(-4000)}`);
  };

  const health = async (): Promise<number> => {
    alive();
    try {
      return (await fetch(`${url}/healthz`)).status;
    } catch {
      return 0;
    }
  };

  /** `/readyz`'s answer: its status and the components it names as degraded. */
  const readiness = async (): Promise<{ status: number; degraded: string[] }> => {
    alive();
    try {
      const res = await fetch(`${url}/readyz`);
      const body = (await res.json()) as { degraded?: string[] };
      return { status: res.status, degraded: body.degraded ?? [] };
    } catch {
      return { status: 0, degraded: [] };
    }
  };

  it('keeps the process alive, reports the outage and stores every message once', async () => {
    for (let i = 0; i < 4; i += 1) visitors.push(await WebchatVisitor.start(url, { name: `Player ${i}` }));

    /** Every message each visitor sent (its client message id). */
    const sent: { visitorId: string; clientMessageId: string }[] = [];
    /** Posts started, and posts not answered yet (held by the server while the database is down). */
    let attempts = 0;
    let inFlight = 0;
    let running = true;
    /** Set when the test fails: the load stops at once instead of retrying against a dead database. */
    let aborted = false;
    const load = visitors.map(async (visitor, v) => {
      for (let n = 0; running; n += 1) {
        const clientMessageId = randomUUID().replaceAll('-', '');
        for (;;) {
          attempts += 1;
          inFlight += 1;
          const answer = await visitor
            .post(`how do I link my account, question ${v}-${n}`, { clientMessageId })
            .catch(() => ({ status: 0, body: {} }))
            .finally(() => {
              inFlight -= 1;
            });
          if (answer.status === 202) break;
          alive();
          if (aborted) return;
          if (answer.status !== 0 && answer.status < 500)
            throw new Error(`message refused with ${answer.status}: ${JSON.stringify(answer.body)}`);
          // A refused or cut-off request is sent again with the same id, as the widget does.
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        sent.push({ visitorId: visitor.visitorId, clientMessageId });
      }
    });
    const loadEnded = Promise.all(load);
    const sentAfter = (count: number) =>
      eventually(
        `${count} messages accepted`,
        () => {
          alive();
          return sent.length >= count;
        },
        60_000,
      );
    try {
      await sentAfter(20);
      for (let round = 0; round < 3; round += 1) {
        // A stop long enough to be seen from outside, then a start.
        cluster.stop();
        await eventually('/healthz to report the database down', async () => (await health()) === 503);
        // Not ready for traffic meanwhile, naming the database.
        const notReady = await eventually('/readyz to name the database', async () => {
          const answer = await readiness();
          return answer.status === 503 ? answer : null;
        });
        expect(notReady.degraded).toEqual(['database']);
        const attemptsBefore = attempts;
        await eventually('a message sent while the database is down', () => {
          alive();
          // A post started during the outage, or one the server holds until the database is back.
          return attempts > attemptsBefore || inFlight > 0;
        });
        cluster.start();
        await eventually('/healthz to report the database up', async () => (await health()) === 200);
        await eventually('/readyz to report ready again', async () => (await readiness()).status === 200);
        await sentAfter(sent.length + 10);
        // A quick restart, as an operator's `pg_ctl restart` or a fail-over does.
        cluster.restart();
        await sentAfter(sent.length + 10);
      }
    } catch (error) {
      aborted = true;
      // Messages held by the server wait for the database: let them end so the load stops.
      try {
        cluster.start();
      } catch {
        // Already running.
      }
      console.log(server!.output().slice(-6000));
      throw error;
    } finally {
      running = false;
      await loadEnded.catch(() => undefined);
    }
    await loadEnded;

    expect(server!.groupAlive()).toBe(true);
    expect(server!.output()).not.toMatch(/Unhandled 'error' event|Connection terminated unexpectedly\n\s+at/);
    expect(server!.output()).toMatch(/PostgreSQL connection lost/);
    expect(await health()).toBe(200);
    expect(await readiness()).toEqual({ status: 200, degraded: [] });

    const db = new pg.Client({ connectionString: cluster.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ external_id: string; copies: string }>(
        `select external_id, count(*) as copies from messages
         where channel = 'webchat' and author_kind = 'contact' group by external_id`,
      );
      const stored = new Map(rows.map((r) => [r.external_id, Number(r.copies)]));
      const missing = sent.filter((s) => !stored.has(`${s.visitorId}:${s.clientMessageId}`));
      expect(missing).toEqual([]);
      expect([...stored.values()].filter((copies) => copies !== 1)).toEqual([]);
      expect(stored.size).toBe(sent.length);
    } finally {
      await db.end();
    }
  }, 240_000);
});
