import { z } from 'zod';
import { handoffReasons } from '../../core/outcomes/bot-outcome.ts';
import { articleSchema, timestamp } from '../schemas.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';

const tags = ['supervision'];

const daysQuery = z.strictObject({
  days: z.coerce
    .number()
    .int('must be a whole number of days')
    .min(1, 'must be at least 1')
    .max(90, 'must be at most 90')
    .optional(),
});

const count = z.number().int().min(0);
const outcomeCounts = {
  resolved: count,
  handedOff: count,
  abandoned: count,
  containmentRate: z.number().min(0).max(1).nullable(),
};

const botOutcomeFiguresSchema = z
  .object({
    since: timestamp,
    until: timestamp,
    days: z.array(z.object({ date: z.string(), ...outcomeCounts })),
    totals: z.object({ ...outcomeCounts, confirmed: count, noReturn: count, inProgress: count }),
    handoffReasons: z.array(z.object({ reason: z.enum(handoffReasons), count })),
    articles: z.array(
      z.object({ articleId: z.string(), title: z.string().nullable(), answered: count, solved: count }),
    ),
  })
  .meta({ id: 'BotOutcomeFigures' });

const unansweredGroupSchema = z
  .object({
    count,
    questions: z.array(
      z.object({ id: z.string(), text: z.string(), language: z.string(), askedAt: timestamp }),
    ),
  })
  .meta({ id: 'UnansweredQuestionGroup' });

const draftArticleBody = z.strictObject({
  questionIds: z.array(z.string().min(1).max(100)).min(1, 'name at least one question').max(200),
  title: z.string().trim().min(1).max(300).optional(),
});

/** What the bot solves: containment, hand-off reasons, answers per article, and what it could not answer. */
export function botOutcomeRoutes(app: ApiInstance, { center }: RouteDeps): void {
  app.get(
    '/bot/outcomes',
    {
      schema: {
        tags,
        summary: 'Containment rate per day, hand-off reasons, and answers and "solved" per article',
        description:
          'Over the last `days` UTC days (default 14, today included). Every bot conversation ends ' +
          '`resolved` (the member pressed "This solved it", or left after an answer and did not write for ' +
          '24 hours), `handed_off` (with the reason: asked_for_person, low_confidence, negative_feedback, ' +
          'repeated_question, model_unavailable) or `abandoned` (left without a usable answer). An outcome ' +
          'counts on the day it happened (for one decided after 24 hours of silence, the day of the ' +
          "member's last message). Containment is resolved / all outcomes of the day. Per article: " +
          'answers that led with it, and answers the member marked as solved.',
        querystring: daysQuery,
        response: { 200: botOutcomeFiguresSchema },
      },
      config: { role: 'supervisor' },
    },
    async (request) => center.outcomes.figures(request.query.days),
  );

  app.get(
    '/bot/unanswered',
    {
      schema: {
        tags,
        summary: 'The questions the bot could not answer, similar ones grouped, biggest group first',
        description:
          'Questions the virtual agent was unsure about in the last `days` days (default 14), grouped by ' +
          'character 3-gram similarity of their content words. Questions an article was drafted from are ' +
          'left out.',
        querystring: daysQuery,
        response: { 200: z.object({ groups: z.array(unansweredGroupSchema) }) },
      },
      config: { role: 'supervisor' },
    },
    async (request) => ({ groups: await center.outcomes.unanswered(request.query.days) }),
  );

  app.post(
    '/bot/unanswered/articles',
    {
      schema: {
        tags,
        summary: 'Create a draft article whose example questions are these unanswered questions',
        description:
          'The article is unpublished, titled after the first question unless `title` is given, in the ' +
          "questions' most common language; the questions leave the unanswered list. 409 when one of them " +
          'already has a draft article.',
        body: draftArticleBody,
        response: { 201: articleSchema },
      },
      config: { role: 'supervisor' },
    },
    async (request, reply) => {
      const { questionIds, title } = request.body;
      return reply
        .code(201)
        .send(await center.outcomes.draftArticle({ questionIds, ...(title ? { title } : {}) }));
    },
  );
}
