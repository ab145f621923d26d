import { afterAll } from 'vitest';
import { openStore } from './kysely-store.ts';
import { describeSlaRepositoryContract } from './sla-repository-contract.ts';
import { sharedDatabases } from './test-support/shared-databases.ts';

const pgUrl = process.env.TEST_DATABASE_URL;
const databases = sharedDatabases(pgUrl, 'switchboard-sla-');
afterAll(() => databases.drop());

// Two stores on one database: two instances.
describeSlaRepositoryContract('SQLite file', async () => {
  const url = await databases.url('sqlite');
  const first = await openStore({ url });
  return [first, await openStore({ url })];
});

if (!pgUrl) console.log('Skipping the PostgreSQL SLA repository tests: TEST_DATABASE_URL is not set');
else
  describeSlaRepositoryContract('PostgreSQL', async () => {
    const url = await databases.url('postgres');
    const first = await openStore({ url });
    return [first, await openStore({ url })];
  });
