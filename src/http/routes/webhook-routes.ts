import { z } from 'zod';
import { webhookDeliveryStatuses, webhookEventTypes } from '../../core/webhooks/webhook.ts';
import { maxDeliveryPage, maxWebhookUrlLength } from '../../core/webhooks/webhook-service.ts';
import { idParams, idSchema, timestamp } from '../schemas.ts';
import { stripUndefined } from './agent-routes.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

const tags = ['webhooks'];

const webhookEvent = z.enum(webhookEventTypes);
const webhookUrl = z.string().trim().min(1).max(maxWebhookUrlLength).meta({ format: 'uri' });
const events = z.array(webhookEvent).min(1).max(webhookEventTypes.length);

export const webhookSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    events: z.array(webhookEvent),
    enabled: z.boolean(),
    failingSince: timestamp.nullable().describe('first failed attempt since the endpoint last took one'),
    disabledAt: timestamp.nullable(),
    disabledReason: z.string().nullable().describe('why it is off: an admin, or a day of failures'),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Webhook' });

const webhookWithSecret = z
  .object({
    webhook: webhookSchema,
    secret: z.string().describe('the HMAC-SHA256 key of the signatures; shown this once'),
  })
  .meta({ id: 'WebhookWithSecret' });

export const webhookDeliverySchema = z
  .object({
    id: z.string(),
    subscriptionId: z.string(),
    eventId: z.string().describe('the X-Switchboard-Event-Id header: the same for every retry'),
    eventType: webhookEvent,
    status: z.enum(webhookDeliveryStatuses),
    attempts: z.number().int(),
    nextAttemptAt: timestamp,
    lastAttemptAt: timestamp.nullable(),
    responseStatus: z.number().int().nullable(),
    responseExcerpt: z.string().nullable().describe("the start of the endpoint's answer, plain text"),
    createdAt: timestamp,
    deliveredAt: timestamp.nullable(),
  })
  .meta({ id: 'WebhookDelivery' });

const createWebhookBody = z.strictObject({
  url: webhookUrl,
  description: z.string().trim().max(200).optional(),
  events,
  enabled: z.boolean().optional(),
});
const updateWebhookBody = createWebhookBody.partial();
const deliveryListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(maxDeliveryPage).default(50),
  before: idSchema.optional(),
});
const deliveryParams = z.strictObject({ id: idSchema, deliveryId: idSchema });

/** Outbound webhooks for integrators: admins only, as every setting that sends data out. */
export function webhookRoutes(app: ApiInstance, { center }: RouteDeps): void {
  app.get(
    '/webhooks',
    {
      schema: {
        tags,
        summary: 'List webhook subscriptions (without their secrets)',
        response: { 200: z.object({ webhooks: z.array(webhookSchema) }) },
      },
      config: { role: 'admin' },
    },
    async () => ({ webhooks: await center.webhooks.list() }),
  );

  app.post(
    '/webhooks',
    {
      schema: {
        tags,
        summary: 'Subscribe a URL to events; the answer holds the signing secret, shown this once',
        body: createWebhookBody,
        response: { 201: webhookWithSecret },
      },
      config: { role: 'admin' },
    },
    async (request, reply) => {
      const { subscription, secret } = await center.webhooks.create(stripUndefined(request.body));
      return reply.code(201).send({ webhook: subscription, secret });
    },
  );

  app.get(
    '/webhooks/:id',
    {
      schema: {
        tags,
        summary: 'Get a webhook subscription',
        params: idParams,
        response: { 200: webhookSchema },
      },
      config: { role: 'admin' },
    },
    async (request) => center.webhooks.get(request.params.id),
  );

  app.patch(
    '/webhooks/:id',
    {
      schema: {
        tags,
        summary: 'Change a subscription; `enabled: true` turns a disabled one on again',
        params: idParams,
        body: updateWebhookBody,
        response: { 200: webhookSchema },
      },
      config: { role: 'admin' },
    },
    async (request) => center.webhooks.update(request.params.id, stripUndefined(request.body)),
  );

  app.post(
    '/webhooks/:id/rotate-secret',
    {
      schema: {
        tags,
        summary: 'Replace the signing secret at once; the new one is shown this once',
        params: idParams,
        response: { 200: webhookWithSecret },
      },
      config: { role: 'admin' },
    },
    async (request) => {
      const { subscription, secret } = await center.webhooks.rotateSecret(request.params.id);
      return { webhook: subscription, secret };
    },
  );

  app.delete(
    '/webhooks/:id',
    {
      schema: {
        tags,
        summary: 'Delete a subscription and its delivery log',
        params: idParams,
        response: { 204: z.null() },
      },
      config: { role: 'admin' },
    },
    async (request, reply) => {
      await center.webhooks.delete(request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      schema: {
        tags,
        summary: "The subscription's delivery log, newest first; `before` pages on",
        params: idParams,
        querystring: deliveryListQuery,
        response: { 200: z.object({ deliveries: z.array(webhookDeliverySchema) }) },
      },
      config: { role: 'admin' },
    },
    async (request) => ({
      deliveries: await center.webhooks.deliveries(request.params.id, stripUndefined(request.query)),
    }),
  );

  app.post(
    '/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      schema: {
        tags,
        summary: 'Send a delivery again now (same event id and body)',
        params: deliveryParams,
        response: { 200: webhookDeliverySchema },
      },
      config: { role: 'admin' },
    },
    async (request) => center.webhooks.redeliver(request.params.id, request.params.deliveryId),
  );
}
