import { z } from 'zod';
import type { Case } from '../../core/model.ts';
import type { CaseFilter } from '../../core/ports/repositories.ts';
import { principalOf } from '../auth/authentication.ts';
import type { HttpCenter } from '../http-center.ts';
import {
  caseListQuery,
  caseParams,
  caseSchema,
  createCaseBody,
  noteBody,
  timelineEntrySchema,
  updateCaseBody,
} from '../schemas.ts';
import { stripUndefined } from './agent-routes.ts';
import type { ApiInstance, RouteDeps } from './api-instance.ts';
import { actorOf } from './conversation-routes.ts';

const tags = ['cases'];

/** `1042`, `#1042` or an id. */
async function findCase(center: HttpCenter, idOrNumber: string): Promise<Case> {
  const number = /^#?(\d+)$/.exec(idOrNumber)?.[1];
  return number !== undefined ? center.cases.getByNumber(Number(number)) : center.cases.get(idOrNumber);
}

/** Cases are team work: every agent may read and work them. */
export function caseRoutes(app: ApiInstance, { center }: RouteDeps): void {
  app.get(
    '/cases',
    {
      schema: {
        tags,
        summary: 'List cases, newest first; filter by kind, status, priority, assignee (id or "me"), text',
        querystring: caseListQuery,
        response: { 200: z.object({ cases: z.array(caseSchema) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      const { assignee, ...rest } = request.query;
      const filter: CaseFilter = stripUndefined({
        ...rest,
        assigneeId: assignee === 'me' ? principalOf(request).agent.id : assignee,
      });
      return { cases: await center.cases.list(filter) };
    },
  );

  app.post(
    '/cases',
    {
      schema: { tags, summary: 'Open a case', body: createCaseBody, response: { 201: caseSchema } },
      config: { role: 'agent' },
    },
    async (request, reply) => {
      const kase = await center.cases.create(stripUndefined(request.body), actorOf(principalOf(request)));
      return reply.code(201).send(kase);
    },
  );

  app.get(
    '/cases/:id',
    {
      schema: {
        tags,
        summary: 'Get a case with its timeline (by id, number or #number)',
        params: caseParams,
        response: { 200: z.object({ case: caseSchema, timeline: z.array(timelineEntrySchema) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      const kase = await findCase(center, request.params.id);
      return { case: kase, timeline: await center.cases.timeline(kase.id) };
    },
  );

  app.patch(
    '/cases/:id',
    {
      schema: {
        tags,
        summary: 'Change status, priority, assignee, tags, subject or fields',
        params: caseParams,
        body: updateCaseBody,
        response: { 200: caseSchema },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      const kase = await findCase(center, request.params.id);
      return center.cases.update(kase.id, stripUndefined(request.body), actorOf(principalOf(request)));
    },
  );

  app.post(
    '/cases/:id/notes',
    {
      schema: {
        tags,
        summary: 'Add an internal note to the timeline',
        params: caseParams,
        body: noteBody,
        response: { 201: timelineEntrySchema },
      },
      config: { role: 'agent' },
    },
    async (request, reply) => {
      const kase = await findCase(center, request.params.id);
      const entry = await center.cases.addNote(kase.id, request.body.text, actorOf(principalOf(request)));
      return reply.code(201).send(entry);
    },
  );
}
