import { z } from 'zod';
import { emailAddressHint, emailAddressPattern } from '../core/agents/email-address.ts';
import type { FlowDefinition } from '../core/flows/flow-definition.ts';
import {
  agentRoles,
  agentStatuses,
  authorKinds,
  caseKinds,
  caseOpenerKinds,
  casePriorities,
  caseStatuses,
  channelStatuses,
  conversationStates,
  featureStages,
  outboxStatuses,
  presences,
  proposalStatuses,
  reservationStatuses,
  timelineEntryTypes,
} from '../core/model.ts';
import { caseSorts } from '../core/ports/repositories.ts';
import { slaMetrics, slaTimerStatuses } from '../core/sla/sla.ts';

/**
 * Wire schemas of the REST API: what requests may carry and what responses contain.
 * Response schemas list exactly the public fields; anything else (e.g. `passwordHash`, `tokenHash`) is dropped.
 */

/** Opaque ids: generous, but no path tricks, whitespace or control characters. */
export const idSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'must be an id (letters, digits, _ . : -)');
export const idParams = z.strictObject({ id: idSchema });

export const timestamp = z.string().meta({ format: 'date-time' });
const shortText = (max: number) => z.string().trim().min(1).max(max);
const skills = z.array(shortText(50)).max(50);
const tags = z.array(shortText(50)).max(50);
export const limitSchema = z.coerce.number().int().min(1).max(200).default(50);
export const offsetSchema = z.coerce.number().int().min(0).max(1_000_000).default(0);
/** Query strings carry text: `true`/`false` become booleans, anything else is refused. */
export const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ title: 'Error' });

// --- agents ---
export const agentSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(agentRoles),
    skills: z.array(z.string()),
    capacity: z.number().int(),
    presence: z.enum(presences),
    idleSince: timestamp,
    status: z.enum(agentStatuses),
    createdAt: timestamp,
  })
  .meta({ title: 'Agent' });

const password = z.string().min(8, 'must have at least 8 characters').max(1024);
export const createAgentBody = z.strictObject({
  email: z.string().trim().max(320).regex(emailAddressPattern, emailAddressHint),
  name: shortText(200),
  role: z.enum(agentRoles).optional(),
  skills: skills.optional(),
  capacity: z.number().int().min(0).max(100).optional(),
  password: password.optional(),
});
export const updateAgentBody = z
  .strictObject({
    name: shortText(200).optional(),
    role: z.enum(agentRoles).optional(),
    skills: skills.optional(),
    capacity: z.number().int().min(0).max(100).optional(),
    password: password.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change: send at least one field');
export const presenceBody = z.strictObject({ presence: z.enum(presences) });

// --- example proposals (the knowledge base learning from use) ---
export const proposalSchema = z
  .object({
    id: z.string(),
    articleId: z.string(),
    question: z.string(),
    source: z.enum(['resolved', 'agent_link']),
    conversationId: z.string().nullable(),
    status: z.enum(proposalStatuses),
    createdAt: timestamp,
    decidedAt: timestamp.nullable(),
    decidedBy: z.string().nullable(),
  })
  .meta({ title: 'ExampleProposal' });
export const proposalListQuery = z.strictObject({
  status: z.enum(proposalStatuses).optional(),
  articleId: idSchema.optional(),
});

// --- contacts ---
export const contactSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    avatarUrl: z.string().nullable(),
    locale: z.string().nullable(),
    identities: z.array(z.object({ channel: z.string(), externalId: z.string() })),
    createdAt: timestamp,
  })
  .meta({ title: 'Contact' });
const namedRefSchema = z.object({ id: z.string(), name: z.string() });
export const memberContextSchema = z
  .object({
    channel: z.string(),
    server: namedRefSchema,
    roles: z.array(namedRefSchema),
    joinedAt: timestamp.nullable(),
    boostingSince: timestamp.nullable(),
    accountCreatedAt: timestamp.nullable(),
    requestChannel: namedRefSchema.nullable(),
    updatedAt: timestamp,
  })
  .meta({ title: 'MemberContext' });
export const contactListQuery = z.strictObject({
  /** Part of the name or of a channel identity (Discord user id, visitor id, phone), any case; empty: all. */
  query: z.string().trim().max(200).optional(),
  limit: limitSchema,
  offset: offsetSchema,
});

// --- conversations and messages ---
/** A server of a channel with several (a Discord server): its id, and its name when it came through. */
export const serverRefSchema = z.object({ id: z.string(), name: z.string() }).meta({ title: 'Server' });
/** `?server=`: a server's id (a Discord server id). */
const serverFilter = z.string().regex(/^\d{1,20}$/, 'a server id (a Discord server id)');
export const conversationSchema = z
  .object({
    id: z.string(),
    contactId: z.string(),
    channel: z.string(),
    state: z.enum(conversationStates),
    address: z.record(z.string(), z.unknown()),
    queueId: z.string().nullable(),
    agentId: z.string().nullable(),
    caseId: z.string().nullable(),
    language: z.string().nullable(),
    wrapUpNote: z.string().nullable(),
    queuedAt: timestamp.nullable(),
    assignedAt: timestamp.nullable(),
    firstAgentReplyAt: timestamp.nullable(),
    closedAt: timestamp.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    bridge: z
      .object({ target: z.string(), ref: z.string().nullable(), since: timestamp })
      .nullable()
      .optional()
      .describe('Set when the conversation was handed to an outside contact center (`flex`): read-only here'),
    server: serverRefSchema
      .nullable()
      .optional()
      .describe('the server the contact came through (a Discord server); absent when none is known'),
  })
  .meta({ title: 'Conversation' });

const attachmentSchema = z.object({ url: z.string(), name: z.string(), contentType: z.string().optional() });
const suggestedArticleSchema = z.object({
  id: z.string(),
  title: z.string(),
  excerpt: z.string(),
  url: z.string(),
  score: z.number(),
});

/** Where a message to the contact stands in the outbox; `failed` ones can be resent. */
export const messageDeliverySchema = z
  .object({
    seq: z.number().int(),
    status: z.enum(outboxStatuses),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    channelStatus: z
      .object({ status: z.enum(channelStatuses), errorCode: z.string().nullable(), at: timestamp })
      .nullable()
      .optional()
      .describe(
        "What the channel reported after accepting it (SMS/WhatsApp: sent, delivered, failed + Twilio's error code)",
      ),
  })
  .meta({ title: 'MessageDelivery' });

export const messageSchema = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    authorKind: z.enum(authorKinds),
    authorId: z.string().nullable(),
    text: z.string(),
    attachments: z.array(attachmentSchema),
    articles: z.array(suggestedArticleSchema),
    externalId: z.string().nullable(),
    createdAt: timestamp,
    delivery: messageDeliverySchema.nullable().optional(),
  })
  .meta({ title: 'Message' });

export const outboxItemParams = z.strictObject({ id: idSchema, seq: z.coerce.number().int().positive() });

/** `state=queued` or `state=assigned,wrapping`. */
const stateList = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()))
  .pipe(z.array(z.enum(conversationStates)).min(1));
export const conversationListQuery = z.strictObject({
  state: stateList.optional(),
  agentId: idSchema.optional(),
  queueId: idSchema.optional(),
  contactId: idSchema.optional(),
  caseId: idSchema.optional(),
  channel: shortText(50).optional(),
  server: serverFilter.optional(),
  limit: limitSchema,
});
/** The path `POST /uploads` answers with (see src/storage/upload-store.ts for the id and name patterns). */
export const uploadPathPattern = /^\/uploads\/[A-Za-z0-9_-]{22}\/[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
export const replyBody = z
  .strictObject({
    text: z.string().max(20_000).default(''),
    attachments: z
      .array(
        z.strictObject({
          // An absolute link, or a file from POST /uploads (made absolute with the public URL on the way in).
          url: z.union([
            z.url({ protocol: /^https?$/ }).max(2048),
            z.string().regex(uploadPathPattern, 'an http(s) URL or an /uploads/… path'),
          ]),
          name: shortText(200),
          contentType: shortText(100).optional(),
        }),
      )
      .max(10)
      .optional(),
  })
  .refine((b) => b.text.trim().length > 0 || (b.attachments?.length ?? 0) > 0, {
    message: 'a reply needs text or an attachment',
    path: ['text'],
  });
export const transferBody = z
  .strictObject({ agentId: idSchema.optional(), queueId: idSchema.optional() })
  .refine(
    (b) => (b.agentId === undefined) !== (b.queueId === undefined),
    'name exactly one of agentId or queueId',
  );
export const wrapUpBody = z.strictObject({ note: z.string().max(10_000).nullable().default(null) });
export const closeBody = z
  .strictObject({
    note: z.string().max(10_000).nullable().optional(),
    caseStatus: z.enum(['solved', 'pending', 'open']).optional(),
  })
  .optional();

// --- reservations ---
export const reservationSchema = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    queueId: z.string(),
    agentId: z.string(),
    status: z.enum(reservationStatuses),
    createdAt: timestamp,
    expiresAt: timestamp,
    respondedAt: timestamp.nullable(),
  })
  .meta({ title: 'Reservation' });
export const reservationListQuery = z.strictObject({
  status: z.enum(reservationStatuses).optional(),
  agentId: idSchema.optional(),
  conversationId: idSchema.optional(),
});

// --- cases ---
const caseFields = z.record(z.string().max(50), z.string().max(20_000));
export const caseSchema = z
  .object({
    id: z.string(),
    number: z.number().int(),
    kind: z.enum(caseKinds),
    status: z.enum(caseStatuses),
    priority: z.enum(casePriorities),
    subject: z.string(),
    contactId: z.string().nullable(),
    assigneeId: z.string().nullable(),
    tags: z.array(z.string()),
    fields: z.record(z.string(), z.string().optional()),
    rating: z.number().nullable(),
    ratingComment: z.string().nullable().optional().describe('what the contact wrote with the rating'),
    votes: z.number().int(),
    openedBy: z
      .object({ kind: z.enum(caseOpenerKinds), id: z.string().nullable() })
      .nullable()
      .describe('contact, agent, or bot (opened on the contact’s behalf, e.g. a hand-off)'),
    postUrl: z.string().nullable().describe('the public post of the case, e.g. in #bug-report on Discord'),
    createdAt: timestamp,
    updatedAt: timestamp,
    server: serverRefSchema
      .nullable()
      .optional()
      .describe('the server the case came through (its conversation’s, or where /bug was run)'),
  })
  .meta({ title: 'Case' });
export const timelineEntrySchema = z
  .object({
    id: z.string(),
    caseId: z.string(),
    type: z.enum(timelineEntryTypes),
    actor: z.object({ kind: z.enum(['agent', 'contact', 'system']), id: z.string().nullable() }),
    data: z.record(z.string(), z.unknown()),
    at: timestamp,
  })
  .meta({ title: 'TimelineEntry' });
/** A case is named by its id or by its number (`1042` or `#1042`, URL-encoded as `%231042`). */
export const caseParams = z.strictObject({
  id: z.union([z.string().regex(/^#?\d{1,9}$/), idSchema]),
});
export const caseListQuery = z.strictObject({
  kind: z.enum(caseKinds).optional(),
  status: z.enum(caseStatuses).optional(),
  priority: z.enum(casePriorities).optional(),
  /** An agent id, or `me`. */
  assignee: idSchema.optional(),
  contactId: idSchema.optional(),
  text: z.string().trim().min(1).max(200).optional(),
  /** `votes`: most voted first (feature requests by demand); newest first otherwise. */
  sort: z.enum(caseSorts).optional(),
  server: serverFilter.optional(),
  limit: limitSchema,
  offset: offsetSchema,
});
/** The original a duplicate is merged into: its number (`1042`, `#1042`) or id. */
export const mergeCaseBody = z.strictObject({ into: caseParams.shape.id });
export const mergeCaseResponse = z.object({
  original: caseSchema,
  duplicate: caseSchema,
  carried: z.number().int(),
});
export const createCaseBody = z.strictObject({
  kind: z.enum(caseKinds),
  subject: shortText(300),
  priority: z.enum(casePriorities).optional(),
  tags: tags.optional(),
  fields: caseFields.optional(),
  contactId: idSchema.nullable().optional(),
  conversationId: idSchema.nullable().optional(),
});
export const updateCaseBody = z
  .strictObject({
    status: z.enum(caseStatuses).optional(),
    priority: z.enum(casePriorities).optional(),
    assigneeId: idSchema.nullable().optional(),
    tags: tags.optional(),
    subject: shortText(300).optional(),
    fields: caseFields.optional(),
    /** A feature request's stage; sets the status too (planned, in_progress: open; shipped: solved; declined: closed). */
    stage: z.enum(featureStages).optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change: send at least one field');
export const noteBody = z.strictObject({ text: shortText(20_000) });

// --- queues ---
export const roleRouteSchema = z
  .object({
    role: z.string().describe('the role id or name (names match in any case)'),
    queueId: z.string().nullable(),
    priority: z.enum(casePriorities).nullable(),
    skill: z.string().nullable().describe("a skill the agent must have besides the queue's (lower case)"),
  })
  .meta({ title: 'RoleRoute' });
export const roleRoutesBody = z.strictObject({
  routes: z
    .array(
      z.strictObject({
        role: z.string().trim().min(1).max(100),
        queueId: idSchema.nullable().default(null),
        priority: z.enum(casePriorities).nullable().default(null),
        skill: z.string().trim().min(1).max(50).nullable().default(null),
      }),
    )
    .max(100),
});
export const queueSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    skills: z.array(z.string()),
    sendTranscript: z
      .boolean()
      .describe("the member is sent the conversation's transcript when a conversation of this queue closes"),
    createdAt: timestamp,
  })
  .meta({ title: 'Queue' });
export const queueStatsSchema = z
  .object({
    queueId: z.string(),
    name: z.string(),
    waiting: z.number().int(),
    longestWaitSeconds: z.number(),
    agentsAvailable: z.number().int(),
  })
  .meta({ title: 'QueueStats' });
export const createQueueBody = z.strictObject({
  name: shortText(80),
  skills: skills.optional(),
  sendTranscript: z.boolean().optional(),
});
export const updateQueueBody = z
  .strictObject({
    name: shortText(80).optional(),
    skills: skills.optional(),
    sendTranscript: z.boolean().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change: send at least one field');

// --- knowledge base ---
export const articleSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    body: z.string(),
    tags: z.array(z.string()),
    locale: z.string(),
    published: z.boolean(),
    examples: z.array(z.string()),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ title: 'Article' });
const locale = z
  .string()
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a locale such as en or pt-BR');
export const createArticleBody = z.strictObject({
  title: shortText(300),
  body: z.string().min(1).max(200_000),
  tags: tags.optional(),
  locale: locale.optional(),
  published: z.boolean().optional(),
  examples: z.array(shortText(500)).max(200).optional(),
});
export const updateArticleBody = z
  .strictObject({
    title: shortText(300).optional(),
    body: z.string().min(1).max(200_000).optional(),
    tags: tags.optional(),
    locale: locale.optional(),
    published: z.boolean().optional(),
    examples: z.array(shortText(500)).max(200).optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change: send at least one field');
export const articleListQuery = z.strictObject({
  locale: locale.optional(),
  published: booleanQuery.optional(),
  limit: limitSchema,
  offset: offsetSchema,
});

export const articleSearchQuery = z.strictObject({
  q: z.string().trim().min(1, 'say what to search for').max(500),
  limit: z.coerce.number().int().min(1).max(50).default(8),
});
export const articleSearchResultSchema = z
  .object({ article: articleSchema, excerpt: z.string(), score: z.number() })
  .meta({ title: 'ArticleSearchResult' });

// --- canned responses ---
/** A macro's actions: applied with its text, in one transaction (`POST /canned-responses/{id}/apply`). */
export const cannedResponseActionsSchema = z
  .strictObject({
    status: z.enum(caseStatuses).optional(),
    priority: z.enum(casePriorities).optional(),
    tags: z.array(z.string().trim().min(1).max(50)).max(20).optional(),
    close: z.boolean().optional(),
  })
  .meta({ title: 'CannedResponseActions' });
export const cannedResponseSchema = z
  .object({
    id: z.string(),
    shortcut: z.string(),
    title: z.string(),
    text: z.string(),
    locale: z.string().nullable(),
    actions: cannedResponseActionsSchema.optional(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ title: 'CannedResponse' });
/** Typed after `/` in the composer; stored in lower case (a leading `/` is dropped). */
const shortcut = z
  .string()
  .trim()
  .regex(/^\/?[A-Za-z0-9_-]{1,40}$/, 'must be 1 to 40 letters, digits, - or _ (e.g. refund)');
export const createCannedResponseBody = z.strictObject({
  shortcut,
  title: shortText(200),
  text: shortText(10_000),
  locale: locale.nullable().optional(),
  actions: cannedResponseActionsSchema.nullable().optional(),
});
export const updateCannedResponseBody = z
  .strictObject({
    shortcut: shortcut.optional(),
    title: shortText(200).optional(),
    text: shortText(10_000).optional(),
    locale: locale.nullable().optional(),
    actions: cannedResponseActionsSchema.nullable().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change: send at least one field');
export const applyCannedResponseBody = z.strictObject({ conversationId: idSchema });

// --- SLA clocks (the SLA routes and the monitor) ---
export const slaTimerFields = {
  id: z.string(),
  caseId: z.string(),
  conversationId: z.string().nullable(),
  queueId: z.string(),
  agentId: z.string().nullable(),
  metric: z.enum(slaMetrics),
  targetMinutes: z.number().int(),
  status: z.enum(slaTimerStatuses),
  startedAt: timestamp,
  elapsedMs: z.number().describe('business time counted before the current run'),
  runningSince: timestamp.nullable(),
  warnAt: timestamp.nullable().describe('while running: when it turns amber'),
  dueAt: timestamp.nullable().describe('while running: when it breaches (red)'),
  warnedAt: timestamp.nullable(),
  breachedAt: timestamp.nullable(),
  endedAt: timestamp.nullable(),
  updatedAt: timestamp,
};

// --- supervisor monitor and internal notes ---
export const conversationNoteBody = z.strictObject({ text: shortText(5_000) });
export const conversationNoteSchema = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    authorId: z.string(),
    text: z.string(),
    createdAt: timestamp,
  })
  .meta({ title: 'ConversationNote' });
export const monitorSchema = z
  .object({
    at: timestamp,
    conversations: z.array(
      z.object({
        conversation: conversationSchema,
        contactName: z.string().nullable(),
        queueName: z.string().nullable(),
        holderName: z.string().nullable(),
        waitSeconds: z.number().int().nullable(),
        sla: z
          .object(slaTimerFields)
          .nullable()
          .describe("the conversation's running or paused response clock nearest its breach; null: none"),
      }),
    ),
    agents: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        email: z.string(),
        role: z.enum(agentRoles),
        presence: z.enum(presences),
        load: z.number().int(),
        capacity: z.number().int(),
        viewing: z.object({ conversationId: z.string(), since: timestamp }).nullable(),
      }),
    ),
  })
  .meta({ title: 'Monitor' });

export const cannedResponseListQuery = z.strictObject({
  q: z.string().trim().max(200).optional(),
  limit: limitSchema,
});

// --- supervisor figures ---
const medianFigure = z.object({ medianSeconds: z.number().nullable(), count: z.number().int() });
export const statsQuery = z.strictObject({
  since: z.iso
    .datetime({ offset: true, message: 'must be an ISO-8601 instant such as 2026-03-01T00:00:00Z' })
    .optional(),
  server: serverFilter.optional(),
});
const csatGroup = z.object({
  id: z.string().describe("the agent's or queue's id, or the channel"),
  name: z.string(),
  average: z.number(),
  count: z.number().int(),
});
export const statsSchema = z
  .object({
    since: timestamp,
    until: timestamp,
    conversations: z.object({
      total: z.number().int(),
      handedOff: z.number().int(),
      closed: z.number().int(),
    }),
    firstResponse: medianFigure,
    resolution: medianFigure,
    csat: z.object({
      average: z.number().nullable(),
      count: z.number().int(),
      byAgent: z.array(csatGroup).describe('by the agent who held the rated conversation'),
      byQueue: z.array(csatGroup),
      byChannel: z.array(csatGroup),
      comments: z
        .array(
          z.object({
            caseId: z.string(),
            caseNumber: z.number().int(),
            rating: z.number().nullable(),
            comment: z.string(),
            channel: z.string().nullable(),
            agentId: z.string().nullable(),
            at: timestamp,
          }),
        )
        .describe('the latest comments written with a rating, newest first'),
    }),
    hours: z.array(z.object({ start: timestamp, conversations: z.number().int() })),
    servers: z
      .array(
        z.object({
          id: z.string(),
          name: z.string(),
          total: z.number().int(),
          handedOff: z.number().int(),
          closed: z.number().int(),
        }),
      )
      .describe('volume by the server the conversations came through (Discord servers), most first'),
    server: z.string().nullable().describe('the server the figures are limited to (`?server=`), if any'),
    queues: z.array(queueStatsSchema),
    agents: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        email: z.string(),
        role: z.enum(agentRoles),
        presence: z.enum(presences),
        capacity: z.number().int(),
        load: z.number().int(),
        closed: z.number().int(),
      }),
    ),
  })
  .meta({ title: 'Stats' });

// --- channels ---
export const channelHealthSchema = z
  .object({
    channel: z.string(),
    status: z.enum(['connected', 'connecting', 'disabled', 'error']),
    detail: z.string().nullable(),
  })
  .meta({ title: 'ChannelHealth' });

// --- flows ---
/** Loose on purpose: the flow validator, not this schema, decides what a state may hold. */
export const flowDefinitionSchema = z
  .looseObject({
    initial: z.string(),
    states: z.array(z.looseObject({ name: z.string(), type: z.string() })),
  })
  .meta({
    title: 'FlowDefinition',
    description: 'States and transitions; see src/core/flows/flow-definition.ts',
  }) as unknown as z.ZodType<FlowDefinition>;
export const flowSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    definition: flowDefinitionSchema,
    active: z.boolean(),
    updatedAt: timestamp,
  })
  .meta({ title: 'Flow' });
/** The definition is checked by the flow validator, which reports every problem at once. */
export const saveFlowBody = z.strictObject({ name: shortText(200).optional(), definition: z.unknown() });
export const flowProblemSchema = z.object({ path: z.string(), message: z.string() });

// --- auth ---
export const loginBody = z.strictObject({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
});
export const apiTokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    agentId: z.string(),
    createdAt: timestamp,
    expiresAt: timestamp.nullable(),
  })
  .meta({ title: 'ApiToken' });
export const createTokenBody = z.strictObject({
  name: shortText(100),
  /** Absent or null: the token works until revoked. */
  expiresInDays: z.number().int().min(1).max(3650).nullable().optional(),
});
export const changePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  password: z.string().min(8, 'must have at least 8 characters').max(1024),
});
export const agentStatusBody = z.strictObject({ status: z.enum(agentStatuses) });
export const agentListQuery = z.strictObject({
  /** Removed agents are left out unless asked for (history still names them). */
  includeRemoved: z.enum(['true', 'false']).optional(),
});
export const tokenListQuery = z.strictObject({ agentId: idSchema.optional() });
