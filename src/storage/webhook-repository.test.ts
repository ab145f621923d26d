import { afterAll } from 'vitest';
import { openStore } from './kysely-store.ts';
import { sharedDatabases } from './test-support/shared-databases.ts';
import { describeWebhookRepositoryContract } from './webhook-repository-contract.ts';

const pgUrl = process.env.TEST_DATABASE_URL;
const databases = sharedDatabases(pgUrl, 'switchboard-webhooks-');
afterAll(() => databases.drop());

// Two stores on one database: two instances.
describeWebhookRepositoryContract('SQLite file', async () => {
  const url = await databases.url('sqlite');
  const first = await openStore({ url });
  return [first, await openStore({ url })];
});

if (!pgUrl) console.log('Skipping the PostgreSQL webhook repository tests: TEST_DATABASE_URL is not set');
else
  describeWebhookRepositoryContract('PostgreSQL', async () => {
    const url = await databases.url('postgres');
    const first = await openStore({ url });
    return [first, await openStore({ url })];
  });
