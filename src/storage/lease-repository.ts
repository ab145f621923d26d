import { type Selectable, sql } from 'kysely';
import type { Lease, LeaseRepository, LeaseRequest } from '../core/ports/repositories.ts';
import type { LeaseTable } from './database.ts';
import { type DbScope, likeEscape } from './db-scope.ts';

const fromRow = (r: Selectable<LeaseTable>): Lease => ({
  name: r.name,
  owner: r.owner,
  token: Number(r.token),
  expiresAt: r.expires_at,
  acquiredAt: r.acquired_at,
});

const after = (now: string, ttlMs: number): string => new Date(Date.parse(now) + ttlMs).toISOString();

/** Before every expiry: a released lease is free for anyone at once. */
const released = new Date(0).toISOString();

/**
 * Leases in one table on SQLite and PostgreSQL alike. Times are ISO-8601 UTC strings of one length, so
 * they compare as text. Each operation is a single statement (an upsert guarded by the expiry, an update
 * guarded by owner and token), which both engines carry out atomically.
 */
export class KyselyLeaseRepository implements LeaseRepository {
  constructor(private readonly scope: DbScope) {}

  async acquire(request: LeaseRequest): Promise<Lease | undefined> {
    if (!Number.isFinite(Date.parse(request.now)) || !(request.ttlMs > 0))
      throw new RangeError(`a lease needs a valid time and a positive duration (${request.name})`);
    const row = {
      name: request.name,
      owner: request.owner,
      token: 1,
      expires_at: after(request.now, request.ttlMs),
      acquired_at: request.now,
    };
    const taken = await this.scope.db
      .insertInto('leases')
      .values(row)
      .onConflict((oc) => {
        const update = oc.column('name').doUpdateSet({
          owner: row.owner,
          token: sql<number>`leases.token + 1`,
          expires_at: row.expires_at,
          acquired_at: row.acquired_at,
        });
        return request.force ? update : update.where('leases.expires_at', '<=', request.now);
      })
      .returningAll()
      .executeTakeFirst();
    return taken && fromRow(taken);
  }

  async renew(lease: Lease, now: string, ttlMs: number): Promise<Lease | undefined> {
    const renewed = await this.scope.db
      .updateTable('leases')
      .set({ expires_at: after(now, ttlMs) })
      .where('name', '=', lease.name)
      .where('owner', '=', lease.owner)
      .where('token', '=', lease.token)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
    return renewed && fromRow(renewed);
  }

  async release(lease: Lease): Promise<boolean> {
    const result = await this.scope.db
      .updateTable('leases')
      .set({ expires_at: released })
      .where('name', '=', lease.name)
      .where('owner', '=', lease.owner)
      .where('token', '=', lease.token)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async get(name: string): Promise<Lease | undefined> {
    const row = await this.scope.db
      .selectFrom('leases')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async list(prefix: string): Promise<Lease[]> {
    const rows = await this.scope.db
      .selectFrom('leases')
      .selectAll()
      .where('name', 'like', sql<string>`${`${likeEscape(prefix)}%`} escape '\\'`)
      .orderBy('name')
      .execute();
    // SQLite's LIKE ignores ASCII case: the prefix itself is matched exactly here.
    return rows.filter((r) => r.name.startsWith(prefix)).map(fromRow);
  }
}
