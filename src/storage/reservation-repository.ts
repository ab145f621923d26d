import type { Selectable } from 'kysely';
import type { Reservation, ReservationStatus } from '../core/model.ts';
import type { ReservationFilter, ReservationRepository } from '../core/ports/repositories.ts';
import { engineOf, type ReservationTable } from './database.ts';
import { assertUpdated, type DbScope } from './db-scope.ts';

const pending: ReservationStatus = 'pending';
const declined: ReservationStatus[] = ['rejected', 'timed_out'];

const toRow = (r: Reservation): Selectable<ReservationTable> => ({
  id: r.id,
  conversation_id: r.conversationId,
  queue_id: r.queueId,
  agent_id: r.agentId,
  status: r.status,
  created_at: r.createdAt,
  expires_at: r.expiresAt,
  responded_at: r.respondedAt,
});

const fromRow = (r: Selectable<ReservationTable>): Reservation => ({
  id: r.id,
  conversationId: r.conversation_id,
  queueId: r.queue_id,
  agentId: r.agent_id,
  status: r.status as ReservationStatus,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  respondedAt: r.responded_at,
});

export class KyselyReservationRepository implements ReservationRepository {
  constructor(private readonly scope: DbScope) {}

  async get(id: string): Promise<Reservation | undefined> {
    const row = await this.scope.db
      .selectFrom('reservations')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async create(reservation: Reservation): Promise<void> {
    await this.scope.db.insertInto('reservations').values(toRow(reservation)).execute();
  }

  async update(reservation: Reservation): Promise<void> {
    const { id, ...values } = toRow(reservation);
    const result = await this.scope.db
      .updateTable('reservations')
      .set(values)
      .where('id', '=', id)
      .executeTakeFirst();
    assertUpdated(result, 'Reservation', id);
  }

  async list(filter: ReservationFilter): Promise<Reservation[]> {
    let query = this.scope.db.selectFrom('reservations').selectAll();
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.agentId !== undefined) query = query.where('agent_id', '=', filter.agentId);
    if (filter.conversationId !== undefined)
      query = query.where('conversation_id', '=', filter.conversationId);
    const rows = await query.orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
    return rows.map(fromRow);
  }

  /** Soonest expiry first. */
  async listExpired(now: string): Promise<Reservation[]> {
    const rows = await this.scope.db
      .selectFrom('reservations')
      .selectAll()
      .where('status', '=', 'pending' satisfies ReservationStatus)
      .where('expires_at', '<=', now)
      .orderBy('expires_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(fromRow);
  }

  /** The partial unique index `reservations_one_pending_idx` is the guard: a second pending offer is not stored. */
  async createPending(reservation: Reservation): Promise<boolean> {
    const result = await this.scope.db
      .insertInto('reservations')
      .values(toRow({ ...reservation, status: 'pending' }))
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async settle(
    id: string,
    status: Exclude<ReservationStatus, 'pending'>,
    at: string,
    unexpiredAt?: string,
  ): Promise<Reservation | undefined> {
    let query = this.scope.db
      .updateTable('reservations')
      .set({ status, responded_at: at })
      .where('id', '=', id)
      .where('status', '=', pending);
    if (unexpiredAt !== undefined) query = query.where('expires_at', '>', unexpiredAt);
    const row = await query.returningAll().executeTakeFirst();
    return row && fromRow(row);
  }

  /**
   * One statement. On PostgreSQL the due rows are taken `FOR UPDATE SKIP LOCKED`: instances expiring at
   * once split the rows between them instead of waiting on (or deadlocking over) each other's.
   */
  async expireDue(now: string): Promise<Reservation[]> {
    const db = this.scope.db;
    const postgres = engineOf(db) === 'postgres';
    let due = db
      .selectFrom('reservations')
      .select('id')
      .where('status', '=', pending)
      .where('expires_at', '<=', now)
      .orderBy('id');
    if (postgres) due = due.forUpdate().skipLocked();
    const rows = await db
      .updateTable('reservations')
      .set({ status: 'timed_out', responded_at: now })
      .where('id', 'in', due)
      .where('status', '=', pending)
      .returningAll()
      .execute();
    return rows
      .map(fromRow)
      .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt) || a.id.localeCompare(b.id));
  }

  async cancelPending(
    filter: { agentId: string } | { conversationId: string },
    at: string,
  ): Promise<Reservation[]> {
    let query = this.scope.db
      .updateTable('reservations')
      .set({ status: 'canceled', responded_at: at })
      .where('status', '=', pending);
    query =
      'agentId' in filter
        ? query.where('agent_id', '=', filter.agentId)
        : query.where('conversation_id', '=', filter.conversationId);
    const rows = await query.returningAll().execute();
    return rows
      .map(fromRow)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async listDeclined(conversationIds: string[]): Promise<{ conversationId: string; agentId: string }[]> {
    if (conversationIds.length === 0) return [];
    const rows = await this.scope.db
      .selectFrom('reservations as r')
      .innerJoin('conversations as c', 'c.id', 'r.conversation_id')
      .select(['r.conversation_id', 'r.agent_id'])
      .distinct()
      .where('r.conversation_id', 'in', conversationIds)
      .where('r.status', 'in', declined)
      .whereRef('r.created_at', '>=', 'c.queued_at')
      .execute();
    return rows.map((r) => ({ conversationId: r.conversation_id, agentId: r.agent_id }));
  }
}
