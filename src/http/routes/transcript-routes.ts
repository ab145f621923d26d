import { z } from 'zod';
import { buildTranscript } from '../../core/transcripts/transcript.ts';
import { renderTranscriptHtml } from '../../core/transcripts/transcript-html.ts';
import { principalOf } from '../auth/authentication.ts';
import { idParams } from '../schemas.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';
import { visibleConversation } from './conversation-routes.ts';

export const transcriptQuery = z.strictObject({
  format: z.enum(['html', 'json']).default('json'),
});

/** `conversation-<id>.html`: the id as the schema accepts it, reduced to what a file name may hold. */
const fileName = (id: string, ext: string) => `conversation-${id.replace(/[^A-Za-z0-9_-]/g, '_')}.${ext}`;

/** The transcript of a conversation, for whoever may see the conversation, as HTML or JSON. */
export function transcriptRoutes(app: ApiInstance, { center, config }: RouteDeps): void {
  app.get(
    '/conversations/:id/transcript',
    {
      schema: {
        tags: ['conversations'],
        summary:
          'The readable transcript (messages, attachments, bot suggestions, system events, the case): a self-contained HTML file or JSON',
        params: idParams,
        querystring: transcriptQuery,
        produces: ['application/json', 'text/html'],
      },
      config: { role: 'agent' },
    },
    async (request, reply) => {
      const { id } = request.params;
      await visibleConversation(center, principalOf(request), id);
      const transcript = await buildTranscript(center.store, id, center.clock.now());
      if (request.query.format === 'json')
        return reply
          .header('content-type', 'application/json; charset=utf-8')
          .header('content-disposition', `attachment; filename="${fileName(id, 'json')}"`)
          .send(JSON.stringify(transcript, null, 2));
      const baseUrl = config.publicUrl ?? `${request.protocol}://${request.host}`;
      return (
        reply
          .header('content-type', 'text/html; charset=utf-8')
          // A download, never a page of our origin: it is opened from the file.
          .header('content-disposition', `attachment; filename="${fileName(id, 'html')}"`)
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
          .send(renderTranscriptHtml(transcript, { audience: 'team', baseUrl }))
      );
    },
  );
}
