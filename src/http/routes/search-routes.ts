import { z } from 'zod';
import { invalid } from '../../core/errors.ts';
import { caseStatuses, conversationStates } from '../../core/model.ts';
import { type SearchQuery, searchKinds } from '../../core/ports/search-repository.ts';
import { searchTerms } from '../../core/search/search-text.ts';
import { isSupervisor, principalOf } from '../auth/authentication.ts';
import { idSchema } from '../schemas.ts';
import { stripUndefined } from './agent-routes.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

const commaList = <T extends string>(values: readonly [T, ...T[]], what: string) =>
  z
    .string()
    .transform((v) => [...new Set(v.split(',').map((s) => s.trim()))])
    .pipe(z.array(z.enum(values, { message: `each ${what} must be one of ${values.join(', ')}` })).min(1));

const searchStates = [...new Set<string>([...conversationStates, ...caseStatuses])] as [string, ...string[]];

/** A day (`2026-03-01`, its start in UTC) or an instant with an offset. */
const instant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    message: 'must be a date such as 2026-03-01 or an ISO-8601 instant such as 2026-03-01T00:00:00Z',
  })
  .transform((v) => new Date(v.length === 10 ? `${v}T00:00:00Z` : v).toISOString());

export const searchQuerySchema = z
  .strictObject({
    q: z.string().trim().min(1, 'q must not be empty').max(200),
    kind: commaList(searchKinds, 'kind').optional(),
    channel: z.string().trim().min(1).max(50).optional(),
    /** Conversation states and case statuses; each applies to the kind that has it. */
    state: commaList(searchStates, 'state').optional(),
    queueId: idSchema.optional(),
    /** An agent id, or `me`. */
    agentId: idSchema.optional(),
    from: instant.optional(),
    to: instant.optional(),
    limit: z.coerce.number().int().min(1).max(50).default(20),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, {
    message: 'from must be before to',
    path: ['from'],
  });

export const searchHitSchema = z.object({
  kind: z.enum(searchKinds),
  id: z.string(),
  source: z.enum(['message', 'case', 'note', 'contact', 'article']),
  sourceId: z.string(),
  title: z.string(),
  excerpt: z.string(),
  highlights: z
    .array(z.object({ start: z.number().int(), end: z.number().int() }))
    .describe('where in the excerpt the matched words are (UTF-16 offsets, end exclusive), to mark them'),
  at: z.string(),
  channel: z.string().optional(),
  state: z.string().optional(),
  caseNumber: z.number().int().optional(),
});

/**
 * One search across conversations, cases, contacts and articles. Visibility follows the routes that open
 * each result: an agent finds the conversations they could open (their own, queued, offered to them),
 * supervisors and admins every one; cases, contacts and articles are shown to every agent.
 */
export function searchRoutes(app: ApiInstance, { center }: RouteDeps): void {
  app.get(
    '/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Search conversations (message text), cases (subject, fields, notes), contacts and articles',
        description:
          'Every word of `q` must match, as a word prefix; English words match by stem, Arabic words whatever ' +
          'their alef, hamza, yeh and taa marbuta forms, diacritics or tatweel. Results are grouped by kind ' +
          '(best first within each, at most `limit` per kind), one per conversation, case, contact or article. ' +
          'Filters: `channel`, `state` (conversation states and case statuses), `queueId`, `agentId` (or `me`), ' +
          '`from`/`to` (when the matched text was written; `to` exclusive, a date meaning its start in UTC); a kind without the filtered attribute is left out ' +
          '(contacts have only a channel; articles only a date).',
        querystring: searchQuerySchema,
        response: { 200: z.object({ terms: z.array(z.string()), results: z.array(searchHitSchema) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      const principal = principalOf(request);
      const { q, kind, state, agentId, limit, ...filters } = request.query;
      const terms = searchTerms(q);
      if (terms.length === 0) throw invalid('q has no letters or digits to search for');
      const query: SearchQuery = {
        ...stripUndefined(filters),
        terms,
        kinds: kind ?? searchKinds,
        limit,
        ...(state ? { states: state } : {}),
        ...(agentId ? { agentId: agentId === 'me' ? principal.agent.id : agentId } : {}),
        ...(isSupervisor(principal) ? {} : { restrictConversationsTo: principal.agent.id }),
      };
      return { terms, results: await center.store.search.search(query) };
    },
  );
}
