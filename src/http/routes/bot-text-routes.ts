import { z } from 'zod';
import { botTextHelpers } from '../../channels/bot-text-catalogs.ts';
import { principalOf } from '../auth/authentication.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

const tags = ['bot texts'];

// Keeps every catalog loaded; the editor lists them all.
void botTextHelpers;

const botTextEdit = z.object({ text: z.string(), updatedAt: z.string(), updatedBy: z.string().nullable() });
const botTextSchema = z.object({
  catalog: z.string(),
  key: z.string(),
  variables: z.array(z.object({ name: z.string(), maxLength: z.number().int() })),
  limit: z.number().int(),
  defaults: z.record(z.string(), z.string()),
  overrides: z.record(z.string(), botTextEdit),
  serverOverrides: z
    .record(z.string(), z.record(z.string(), botTextEdit))
    .describe("each server's own edits (by Discord server id, then language), said there instead"),
});

const name = z.string().regex(/^\w{1,64}$/, 'letters, digits and _ only');
const textParams = z.strictObject({
  catalog: name,
  key: name,
  language: z.string().regex(/^[a-z]{2}$/, 'a two-letter language such as en or ar'),
});
const textBody = z.strictObject({ text: z.string().max(10_000) });
/** `?server=<id>`: the edit of one server (a Discord guild id) instead of the global one. */
const serverQuery = z.strictObject({
  server: z
    .string()
    .regex(/^\d{1,20}$/, 'a Discord server id')
    .optional(),
});

/** The bot's texts per language: admins edit them; defaults stay in the code. */
export function botTextRoutes(app: ApiInstance, { center }: RouteDeps): void {
  app.get(
    '/bot-texts',
    {
      schema: {
        tags,
        summary: 'List every text the bot says, with its defaults, edits and the variables it may use',
        response: { 200: z.object({ texts: z.array(botTextSchema) }) },
      },
      config: { role: 'admin' },
    },
    async () => ({ texts: await center.botTexts.list() }),
  );

  app.put(
    '/bot-texts/:catalog/:key/:language',
    {
      schema: {
        tags,
        summary:
          'Edit a text in one language, or with `?server=<id>` for one Discord server only (400 naming an unknown placeholder, a text too long for Discord with its longest values, or unbalanced markdown)',
        params: textParams,
        querystring: serverQuery,
        body: textBody,
        response: { 200: botTextSchema },
      },
      config: { role: 'admin' },
    },
    async (request) => {
      const { catalog, key, language } = request.params;
      const by = principalOf(request).agent.id;
      return center.botTexts.set(catalog, key, language, request.body.text, by, request.query.server);
    },
  );

  app.delete(
    '/bot-texts/:catalog/:key/:language',
    {
      schema: {
        tags,
        summary:
          'Restore the default text of one language (with `?server=`: that server follows the global text again)',
        params: textParams,
        querystring: serverQuery,
        response: { 200: botTextSchema },
      },
      config: { role: 'admin' },
    },
    async (request) => {
      const { catalog, key, language } = request.params;
      return center.botTexts.reset(catalog, key, language, request.query.server);
    },
  );
}
