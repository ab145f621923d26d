export {
  createDatabase,
  type Database,
  type DatabaseOptions,
  type Engine,
  engineOf,
  resolveDatabaseTarget,
} from './database.ts';
export { KyselyStore, type OpenStoreOptions, openStore } from './kysely-store.ts';
export { MigrationError, migrateToLatest, migrations } from './migrations/migrate-to-latest.ts';
