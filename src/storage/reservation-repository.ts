import type { Selectable } from 'kysely';
import type { Reservation, ReservationStatus } from '../core/model.ts';
import type { ReservationFilter, ReservationRepository } from '../core/ports/repositories.ts';
import type { ReservationTable } from './database.ts';
import { assertUpdated, type DbScope } from './db-scope.ts';

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
}
