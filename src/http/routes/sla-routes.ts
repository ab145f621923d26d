import { z } from 'zod';
import { casePriorities } from '../../core/model.ts';
import { slaMetrics } from '../../core/sla/sla.ts';
import { idSchema, slaTimerFields, timestamp } from '../schemas.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

const tags = ['sla'];

const time = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time is HH:MM (24:00 closes at midnight)');
const interval = z.strictObject({
  day: z.number().int().min(0).max(6).describe('0 = Sunday … 6 = Saturday'),
  open: time,
  close: time,
});
const businessHoursSchema = z
  .object({
    queueId: z.string(),
    timeZone: z.string().describe('IANA time zone, e.g. Asia/Riyadh'),
    weekly: z.array(z.object({ day: z.number().int(), open: z.string(), close: z.string() })),
    holidays: z.array(z.string()).describe('local dates (YYYY-MM-DD) closed all day'),
    updatedAt: timestamp,
  })
  .meta({ id: 'BusinessHours' });
const businessHoursBody = z.strictObject({
  timeZone: z.string().trim().min(1).max(64),
  weekly: z.array(interval).max(70),
  holidays: z
    .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a holiday is a date, YYYY-MM-DD'))
    .max(500)
    .default([]),
});
const hoursAnswer = z.object({
  businessHours: businessHoursSchema.nullable().describe('null: open around the clock'),
  open: z.boolean(),
  nextOpening: timestamp.nullable(),
});

const minutes = z.number().int().min(1).max(525_600).nullable();
const policySchema = z
  .object({
    id: z.string(),
    queueId: z.string(),
    priority: z.enum(casePriorities),
    firstResponseMinutes: z.number().int().nullable(),
    nextResponseMinutes: z.number().int().nullable(),
    resolutionMinutes: z.number().int().nullable(),
    updatedAt: timestamp,
  })
  .meta({ id: 'SlaPolicy' });
const policyBody = z
  .strictObject({
    firstResponseMinutes: minutes.default(null),
    nextResponseMinutes: minutes.default(null),
    resolutionMinutes: minutes.default(null),
  })
  .describe('business minutes per target; null: no target');
const policyParams = z.strictObject({ id: idSchema, priority: z.enum(casePriorities) });

const timerSchema = z
  .object({
    ...slaTimerFields,
    caseNumber: z.number().int().nullable(),
    caseSubject: z.string().nullable(),
  })
  .meta({ id: 'SlaTimer' });
const timersQuery = z.strictObject({
  conversationId: z
    .string()
    .max(4_000)
    .optional()
    .describe('comma-separated conversation ids: their running and paused timers'),
  caseId: idSchema.optional().describe('every timer of the case (its SLA history)'),
});
const breachesQuery = z.strictObject({
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const figure = {
  total: z.number().int(),
  met: z.number().int(),
  breached: z.number().int(),
  attainment: z.number().nullable().describe('met / total; null when none ended'),
};
const attainmentSchema = z
  .object({
    since: timestamp,
    until: timestamp,
    overall: z.object(figure),
    byMetric: z.object(Object.fromEntries(slaMetrics.map((m) => [m, z.object(figure)]))),
    queues: z.array(z.object({ queueId: z.string(), name: z.string(), ...figure })),
    agents: z.array(z.object({ agentId: z.string(), name: z.string(), ...figure })),
  })
  .meta({ id: 'SlaAttainment' });
const attainmentQuery = z.strictObject({
  since: z.iso.datetime({ offset: true }),
  until: z.iso.datetime({ offset: true }).optional(),
});

const queueParams = z.strictObject({ id: idSchema });

/** Business hours and SLA policies (admins write, agents read), the clocks, breaches and attainment. */
export function slaRoutes(app: ApiInstance, { center }: RouteDeps): void {
  const hoursOf = async (queueId: string) => ({
    businessHours: await center.sla.getHours(queueId),
    ...(await center.sla.openingOf(queueId)),
  });

  app.get(
    '/queues/:id/business-hours',
    {
      schema: {
        tags,
        summary: "A queue's business hours, whether it is open now and when it opens next",
        params: queueParams,
        response: { 200: hoursAnswer },
      },
      config: { role: 'agent' },
    },
    async (request) => hoursOf(request.params.id),
  );

  app.put(
    '/queues/:id/business-hours',
    {
      schema: {
        tags,
        summary: "Set a queue's weekly hours, time zone and holidays (SLA clocks count only these hours)",
        params: queueParams,
        body: businessHoursBody,
        response: { 200: hoursAnswer },
      },
      config: { role: 'admin' },
    },
    async (request) => {
      await center.sla.setHours(request.params.id, request.body);
      return hoursOf(request.params.id);
    },
  );

  app.delete(
    '/queues/:id/business-hours',
    {
      schema: {
        tags,
        summary: 'Remove the business hours: the queue is open around the clock',
        params: queueParams,
        response: { 204: z.null() },
      },
      config: { role: 'admin' },
    },
    async (request, reply) => {
      await center.sla.clearHours(request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/sla/policies',
    {
      schema: {
        tags,
        summary: 'SLA policies: per queue and case priority, the targets in business minutes',
        querystring: z.strictObject({ queueId: idSchema.optional() }),
        response: { 200: z.object({ policies: z.array(policySchema) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => ({ policies: await center.sla.listPolicies(request.query.queueId) }),
  );

  app.put(
    '/queues/:id/sla-policies/:priority',
    {
      schema: {
        tags,
        summary: "Set the SLA targets of a queue's cases of one priority",
        params: policyParams,
        body: policyBody,
        response: { 200: policySchema },
      },
      config: { role: 'admin' },
    },
    async (request) => center.sla.setPolicy(request.params.id, request.params.priority, request.body),
  );

  app.delete(
    '/queues/:id/sla-policies/:priority',
    {
      schema: {
        tags,
        summary: 'Remove the SLA policy of a queue and priority (running clocks keep their targets)',
        params: policyParams,
        response: { 204: z.null() },
      },
      config: { role: 'admin' },
    },
    async (request, reply) => {
      await center.sla.deletePolicy(request.params.id, request.params.priority);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/sla/timers',
    {
      schema: {
        tags,
        summary: 'SLA clocks: running and paused ones (of some conversations), or every one of a case',
        querystring: timersQuery,
        response: { 200: z.object({ timers: z.array(timerSchema) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      const { caseId, conversationId } = request.query;
      if (caseId) return { timers: await center.sla.caseTimers(caseId) };
      const ids = conversationId
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      return { timers: await center.sla.active(ids) };
    },
  );

  app.get(
    '/sla/breaches',
    {
      schema: {
        tags,
        summary: 'Breached SLA clocks, most recent first',
        querystring: breachesQuery,
        response: { 200: z.object({ breaches: z.array(timerSchema) }) },
      },
      config: { role: 'supervisor' },
    },
    async (request) => ({
      breaches: await center.sla.breaches(
        request.query.limit,
        request.query.since ? new Date(request.query.since).toISOString() : undefined,
      ),
    }),
  );

  app.get(
    '/stats/sla',
    {
      schema: {
        tags: ['supervision', ...tags],
        summary: 'SLA attainment per metric, queue and agent for clocks started in the window',
        querystring: attainmentQuery,
        response: { 200: attainmentSchema },
      },
      config: { role: 'supervisor' },
    },
    async (request) =>
      center.sla.attainment(
        new Date(request.query.since).toISOString(),
        new Date(request.query.until ?? Date.now()).toISOString(),
      ),
  );
}
