import { afterAll } from 'vitest';
import { describeExportRetentionContract } from './export-retention-contract.ts';
import { openStore } from './kysely-store.ts';
import { sharedDatabases } from './test-support/shared-databases.ts';

const pgUrl = process.env.TEST_DATABASE_URL;
const databases = sharedDatabases(pgUrl, 'switchboard-exports-');
afterAll(() => databases.drop());

describeExportRetentionContract('SQLite', async () => openStore({ url: await databases.url('sqlite') }));

if (!pgUrl) console.log('Skipping the PostgreSQL export and retention tests: TEST_DATABASE_URL is not set');
else
  describeExportRetentionContract('PostgreSQL', async () =>
    openStore({ url: await databases.url('postgres') }),
  );
