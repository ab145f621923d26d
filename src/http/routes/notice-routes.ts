import { z } from 'zod';
import { timestamp } from '../schemas.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

const noticeSchema = z
  .object({
    kind: z.string().describe('what it is about, e.g. webhook.disabled'),
    text: z.string().describe('one sentence for a person, plain text'),
    subjectId: z.string().nullable().describe('the id of what it is about (the webhook subscription)'),
    at: timestamp,
  })
  .meta({ id: 'AdminNotice' });

/** What admins must act on now; the desktop shows it as a banner (and live `admin.notice` events). */
export function noticeRoutes(app: ApiInstance, { center }: RouteDeps): void {
  app.get(
    '/notices',
    {
      schema: {
        tags: ['notices'],
        summary: 'What an admin must act on now (webhook endpoints disabled after a day of failures)',
        response: { 200: z.object({ notices: z.array(noticeSchema) }) },
      },
      config: { role: 'admin' },
    },
    async () => ({ notices: await center.webhooks.notices() }),
  );
}
