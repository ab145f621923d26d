import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createSwitchboard, type Switchboard } from '../../src/main.ts';
import { openStore } from '../../src/storage/kysely-store.ts';
import { sharedDatabases } from '../../src/storage/test-support/shared-databases.ts';

const pgUrl = process.env.TEST_DATABASE_URL;
if (!pgUrl)
  console.log('Skipping the PostgreSQL first start of several instances: TEST_DATABASE_URL is not set');
const engines = pgUrl ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

/** A replica set booting together on a new database: every instance must come up, with one admin. */
describe.each(engines)('instances started together on a new database (%s)', (engine) => {
  const databases = sharedDatabases(pgUrl, 'switchboard-first-start-');
  const started: Switchboard[] = [];

  afterAll(async () => {
    for (const switchboard of started) await switchboard.stop();
    await databases.drop();
  });

  it('all start; one creates the first admin and loads the sample knowledge base, the others find them', async () => {
    const url = await databases.url(engine);
    // SQLite is one machine's database: its schema is made by the first process, before any other starts.
    if (engine === 'sqlite') await (await openStore({ url })).close();
    const said: string[][] = [[], [], []];
    const results = await Promise.allSettled(
      said.map(async (lines, i) => {
        const config = loadConfig({
          PORT: '0',
          HOST: '127.0.0.1',
          SWITCHBOARD_DATA_DIR: path.join(
            path.dirname(engine === 'sqlite' ? url : '/tmp/x'),
            `instance-${i}`,
          ),
          DATABASE_URL: url,
          LOG_LEVEL: 'silent',
        });
        const switchboard = await createSwitchboard(config, { announce: (text) => lines.push(text) });
        started.push(switchboard);
        return switchboard;
      }),
    );
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'started'))).toEqual([
      'started',
      'started',
      'started',
    ]);
    const [first] = started;
    const admins = (await first!.center.store.agents.list()).filter((a) => a.role === 'admin');
    expect(admins.map((a) => a.email)).toEqual(['admin@localhost']);
    // The generated password is shown once, by the instance that created the admin.
    const created = said.filter((lines) =>
      lines.some((l) => l.includes('the first admin agent was created')),
    );
    expect(created).toHaveLength(1);
    const samples = await first!.center.store.articles.count();
    expect(samples).toBeGreaterThan(0);
    for (const switchboard of started) expect(await switchboard.center.store.articles.count()).toBe(samples);
  }, 60_000);
});
