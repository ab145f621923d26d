import { contactSchema, idParams } from '../schemas.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

const tags = ['contacts'];

/**
 * Contacts: who a conversation is with (name, avatar, identity per channel), for the desktop's
 * inbox and contact profile. Their conversations and cases are listed with `contactId` filters.
 */
export function contactRoutes(app: ApiInstance, { center }: RouteDeps): void {
  app.get(
    '/contacts/:id',
    {
      schema: {
        tags,
        summary: 'A contact and their channel identities',
        params: idParams,
        response: { 200: contactSchema },
      },
      config: { role: 'agent' },
    },
    async (request) => center.contacts.get(request.params.id),
  );
}
