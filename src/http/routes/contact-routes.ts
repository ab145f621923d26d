import { z } from 'zod';
import { contactListQuery, contactSchema, idParams, memberContextSchema } from '../schemas.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

const tags = ['contacts'];

/**
 * Contacts: who a conversation is with (name, avatar, identity per channel), for the desktop's
 * inbox, contacts list and contact profile. Their conversations and cases are listed with `contactId` filters.
 */
export function contactRoutes(app: ApiInstance, { center }: RouteDeps): void {
  app.get(
    '/contacts',
    {
      schema: {
        tags,
        summary:
          'List contacts, newest first; `query` matches part of the name or of a channel identity, in any case',
        querystring: contactListQuery,
        response: { 200: z.object({ contacts: z.array(contactSchema) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      const { query, limit, offset } = request.query;
      return { contacts: await center.contacts.list({ ...(query ? { text: query } : {}), limit, offset }) };
    },
  );

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

  app.get(
    '/contacts/:id/member-context',
    {
      schema: {
        tags,
        summary:
          "The contact's communities (Discord servers): roles, join date, boost, account age, where the latest request came from; the one they wrote from last first",
        params: idParams,
        response: { 200: z.object({ servers: z.array(memberContextSchema) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => ({ servers: await center.contacts.memberContexts(request.params.id) }),
  );
}
