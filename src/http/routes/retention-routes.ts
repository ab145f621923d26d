import { z } from 'zod';
import { maxRetentionDays, RetentionService } from '../../core/retention/retention-service.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

export const retentionSettingSchema = z
  .strictObject({
    enabled: z.boolean(),
    days: z.number().int().min(1).max(maxRetentionDays),
  })
  .meta({ title: 'RetentionSetting' });

/** The admin's retention setting; the periodic job (see main.ts) applies it. */
export function retentionRoutes(app: ApiInstance, { center }: RouteDeps): void {
  // Only the setting is read and written here: no uploads, no log.
  const retention = new RetentionService(center.store, center.clock, null, {
    info: () => {},
    warn: () => {},
  });
  app.get(
    '/settings/retention',
    {
      schema: {
        tags: ['settings'],
        summary: 'The retention setting: delete conversations, messages and uploads older than N days',
        response: { 200: retentionSettingSchema },
      },
      config: { role: 'admin' },
    },
    async () => retention.setting(),
  );
  app.put(
    '/settings/retention',
    {
      schema: {
        tags: ['settings'],
        summary:
          'Set the retention: when enabled, conversations (bot or closed) with no change for `days` days are deleted with their messages and uploads; cases stay',
        body: retentionSettingSchema,
        response: { 200: retentionSettingSchema },
      },
      config: { role: 'admin' },
    },
    async (request) => retention.saveSetting(request.body),
  );
}
