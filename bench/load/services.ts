import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

/** The machine's PostgreSQL and Redis, with a database and a key prefix of the run's own. */
export interface Services {
  postgresUrl: string;
  redisUrl: string;
  /** A fresh database of this run's own; dropped by `cleanUp`. */
  createDatabase(): Promise<string>;
  redisPrefix: string;
  cleanUp(): Promise<void>;
}

export const defaultPostgresUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
export const defaultRedisUrl = 'redis://127.0.0.1:6379';

/** Checks both services; returns what is missing instead when one does not answer. */
export async function connectServices(
  postgresUrl: string,
  redisUrl: string,
): Promise<Services | { missing: string[] }> {
  const missing: string[] = [];
  const admin = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
    await admin.query('select 1');
  } catch (error) {
    missing.push(`PostgreSQL at ${postgresUrl} (${(error as Error).message})`);
  }
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    missing.push(`Redis at ${redisUrl} (${(error as Error).message})`);
  }
  if (missing.length > 0) {
    await admin.end().catch(() => {});
    redis.disconnect();
    return { missing };
  }

  const run = randomBytes(4).toString('hex');
  const databases: string[] = [];
  const redisPrefix = `switchboard-bench-${run}`;
  return {
    postgresUrl,
    redisUrl,
    redisPrefix,
    async createDatabase() {
      const name = `switchboard_bench_${run}_${databases.length + 1}`;
      await admin.query(`create database ${name}`);
      databases.push(name);
      const url = new URL(postgresUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async cleanUp() {
      for (const name of databases) await admin.query(`drop database if exists ${name} with (force)`);
      let scan = '0';
      do {
        const [next, keys] = await redis.scan(scan, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        scan = next;
      } while (scan !== '0');
      await admin.end();
      redis.disconnect();
    },
  };
}
