import { z } from 'zod';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

const tags = ['idle conversations'];

const minutes = z.number().int().min(1).max(10_080);
const idleSettingsSchema = z.object({
  enabled: z.boolean(),
  reminderMinutes: minutes.describe(
    'minutes without a member reply, after an agent message, before the reminder',
  ),
  closeMinutes: minutes.describe('minutes after the reminder, still without a reply, before the close'),
});

/** Idle conversations: the reminder to a silent member and the auto-close after it (admins set them). */
export function idleConversationRoutes(app: ApiInstance, { center }: RouteDeps): void {
  app.get(
    '/settings/idle-conversations',
    {
      schema: {
        tags,
        summary: 'The idle-conversation reminder and auto-close settings',
        response: { 200: idleSettingsSchema },
      },
      config: { role: 'supervisor' },
    },
    async () => center.idle.settings(),
  );

  app.put(
    '/settings/idle-conversations',
    {
      schema: {
        tags,
        summary: 'Set the idle-conversation reminder and auto-close (minutes from 1 to 10080)',
        body: idleSettingsSchema.strict(),
        response: { 200: idleSettingsSchema },
      },
      config: { role: 'admin' },
    },
    async (request) => center.idle.saveSettings(request.body),
  );
}
