import { afterAll } from 'vitest';
import { openStore } from './kysely-store.ts';
import { describeSearchRepositoryContract } from './search-repository-contract.ts';
import { sharedDatabases } from './test-support/shared-databases.ts';

const pgUrl = process.env.TEST_DATABASE_URL;
const databases = sharedDatabases(pgUrl, 'switchboard-search-');
afterAll(() => databases.drop());

describeSearchRepositoryContract('SQLite', async () => openStore({ url: await databases.url('sqlite') }));

if (!pgUrl) console.log('Skipping the PostgreSQL search repository tests: TEST_DATABASE_URL is not set');
else
  describeSearchRepositoryContract('PostgreSQL', async () =>
    openStore({ url: await databases.url('postgres') }),
  );
