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
  mergeCaseBody,
  mergeCaseResponse,
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
        summary:
          'List cases, newest first (`sort=votes`: most voted first); filter by kind, status, priority, assignee (id or "me"), text',
        querystring: caseListQuery,
        response: { 200: z.object({ cases: z.array(caseSchema) }) },
      },
      config: { role: 'agent' },
    },
    async (request) => {
      const { assignee, server, ...rest } = request.query;
      const filter: CaseFilter = stripUndefined({
        ...rest,
        serverId: server,
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
        summary:
          "Change status, priority, assignee, tags, subject or fields; a feature request's `stage` (planned, in_progress, shipped, declined) sets its status and its public post",
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
    '/cases/:id/merge',
    {
      schema: {
        tags,
        summary:
          'Merge a duplicate bug report or feature request into its original (`into`: number or id): votes and ' +
          'the requester carried over (each member once), the duplicate closed, both public posts updated',
        params: caseParams,
        body: mergeCaseBody,
        response: { 200: mergeCaseResponse },
      },
      // It moves votes between public posts and cannot be undone: a supervisor's call.
      config: { role: 'supervisor' },
    },
    async (request) => {
      const duplicate = await findCase(center, request.params.id);
      const original = await findCase(center, request.body.into);
      return center.cases.merge(duplicate.id, original.id, actorOf(principalOf(request)));
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
