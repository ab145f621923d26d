import { z } from 'zod';
import { botTextHelpers } from '../../channels/bot-text-catalogs.ts';
import { principalOf } from '../auth/authentication.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

const tags = ['bot texts'];

// Keeps every catalog loaded; the editor lists them all.
void botTextHelpers;

const botTextSchema = z.object({
  catalog: z.string(),
  key: z.string(),
  variables: z.array(z.object({ name: z.string(), maxLength: z.number().int() })),
  limit: z.number().int(),
  defaults: z.record(z.string(), z.string()),
  overrides: z.record(
    z.string(),
    z.object({ text: z.string(), updatedAt: z.string(), updatedBy: z.string().nullable() }),
  ),
});

const name = z.string().regex(/^\w{1,64}$/, 'letters, digits and _ only');
const textParams = z.strictObject({
  catalog: name,
  key: name,
  language: z.string().regex(/^[a-z]{2}$/, 'a two-letter language such as en or ar'),
});
const textBody = z.strictObject({ text: z.string().max(10_000) });

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
          'Edit a text in one language (400 naming an unknown placeholder, a text too long for Discord with its longest values, or unbalanced markdown)',
        params: textParams,
        body: textBody,
        response: { 200: botTextSchema },
      },
      config: { role: 'admin' },
    },
    async (request) => {
      const { catalog, key, language } = request.params;
      return center.botTexts.set(catalog, key, language, request.body.text, principalOf(request).agent.id);
    },
  );

  app.delete(
    '/bot-texts/:catalog/:key/:language',
    {
      schema: {
        tags,
        summary: 'Restore the default text of one language',
        params: textParams,
        response: { 200: botTextSchema },
      },
      config: { role: 'admin' },
    },
    async (request) => {
      const { catalog, key, language } = request.params;
      return center.botTexts.reset(catalog, key, language);
    },
  );
}
