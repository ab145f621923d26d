import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { invalid } from '../../core/errors.ts';
import { countExport, type ExportRequest, exportChunks } from '../../core/exports/export-stream.ts';
import { caseKinds, caseStatuses, conversationStates } from '../../core/model.ts';
import { stripUndefined } from './agent-routes.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

/** `2026-03-01` (midnight UTC) or an ISO-8601 instant; stored timestamps compare as UTC ISO text. */
const instant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: 'must be a date (2026-03-01) or an ISO-8601 instant (2026-03-01T00:00:00Z)',
  })
  .transform((v) => new Date(v.length === 10 ? `${v}T00:00:00Z` : v).toISOString());

const listOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()))
    .pipe(z.array(z.enum(values)).min(1));

const common = {
  format: z.enum(['csv', 'json']).default('csv'),
  from: instant.optional(),
  to: instant.optional(),
  queueId: z.string().trim().min(1).max(128).optional(),
  channel: z.string().trim().min(1).max(50).optional(),
};

export const caseExportQuery = z.strictObject({
  ...common,
  status: listOf(caseStatuses).optional(),
  kind: listOf(caseKinds).optional(),
});
export const conversationExportQuery = z.strictObject({
  ...common,
  state: listOf(conversationStates).optional(),
});

export const exportTotalHeader = 'x-total-count';

/**
 * Exports for supervisors and admins, streamed: the row count goes first (a header), then rows read a
 * keyset page at a time, so that no export is held in memory whatever its size.
 */
export function exportRoutes(app: ApiInstance, { center }: RouteDeps): void {
  const send = async (request: ExportRequest, reply: FastifyReply) => {
    if (request.filter.from && request.filter.to && request.filter.from >= request.filter.to)
      throw invalid('from must be before to', { field: 'from' });
    const total = await countExport(center.store.exports, request);
    const stamp = center.clock.now().toISOString().slice(0, 10);
    return reply
      .header(
        'content-type',
        request.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      )
      .header('content-disposition', `attachment; filename="${request.kind}-${stamp}.${request.format}"`)
      .header(exportTotalHeader, String(total))
      .header('access-control-expose-headers', exportTotalHeader)
      .send(Readable.from(exportChunks(center.store.exports, request)));
  };

  app.get(
    '/exports/cases',
    {
      schema: {
        tags: ['exports'],
        summary:
          'Export cases as CSV or JSON, oldest first, filtered by creation date range, status, kind, queue and channel; streamed, the row count in X-Total-Count',
        querystring: caseExportQuery,
        produces: ['text/csv', 'application/json'],
      },
      config: { role: 'supervisor' },
    },
    async (request, reply) => {
      const { format, ...filter } = request.query;
      return send({ kind: 'cases', format, filter: stripUndefined(filter) }, reply);
    },
  );

  app.get(
    '/exports/conversations',
    {
      schema: {
        tags: ['exports'],
        summary:
          'Export conversations as CSV or JSON, oldest first, filtered by creation date range, state, queue and channel; streamed, the row count in X-Total-Count',
        querystring: conversationExportQuery,
        produces: ['text/csv', 'application/json'],
      },
      config: { role: 'supervisor' },
    },
    async (request, reply) => {
      const { format, ...filter } = request.query;
      return send({ kind: 'conversations', format, filter: stripUndefined(filter) }, reply);
    },
  );
}
