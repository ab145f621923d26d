import { invalid, notFound, TwilioApiError } from './twilio-api-error.ts';
import {
  type ConversationEvent,
  type ConversationRecord,
  type ConversationState,
  conversationEvents,
  conversationStates,
  type EventSource,
  type InteractionRecord,
  isoDate,
  type MediaRecord,
  type MessageRecord,
  type MessagingBinding,
  newSid,
  type ParticipantRecord,
  rfc2822Date,
  type SentMessageRecord,
  type TwilioFakeState,
  type WebhookRecord,
} from './twilio-fake-state.ts';

/** Form or query parameters, keeping repeated names (`Configuration.Filters`, `MediaUrl`). */
export class FormParams {
  constructor(readonly entries: readonly (readonly [string, string])[]) {}

  static parse(text: string): FormParams {
    return new FormParams([...new URLSearchParams(text)]);
  }

  get(name: string): string | undefined {
    return this.entries.find(([key]) => key === name)?.[1];
  }

  all(name: string): string[] {
    return this.entries.filter(([key]) => key === name).map(([, value]) => value);
  }

  has(name: string): boolean {
    return this.entries.some(([key]) => key === name);
  }

  /** Repeated names become arrays; for the request log. */
  record(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [key, value] of this.entries) {
      const seen = out[key];
      out[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
    return out;
  }
}

export interface RestRequest {
  method: string;
  path: string;
  /** The body's parameters for POST, the query's for GET and DELETE. */
  params: FormParams;
  /** `X-Twilio-Webhook-Enabled: true`: this change fires the conversation's webhooks. */
  webhookEnabled: boolean;
}

export interface RestResult {
  status: number;
  body?: unknown;
}

export interface RestContext {
  state: TwilioFakeState;
  accountSid: string;
  defaultServiceSid: string;
  workspaceSid: string;
  workflowSid: string;
  /** Delivers the event to the conversation's scoped webhooks that subscribe to it, after the answer is sent. */
  emit(conversation: ConversationRecord, event: ConversationEvent, params: Record<string, string>): void;
}

interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  pattern: RegExp;
  /** Parameters Twilio defines here; anything else is refused so a misspelt name fails loudly. */
  params: readonly string[];
  handle(request: RestRequest, groups: Record<string, string>, ctx: RestContext): RestResult;
}

const paging = ['Page', 'PageSize', 'PageToken'] as const;
const conversationParams = [
  'FriendlyName',
  'UniqueName',
  'Attributes',
  'State',
  'MessagingServiceSid',
  'DateCreated',
  'DateUpdated',
  'Timers.Inactive',
  'Timers.Closed',
  'Bindings.Email.Address',
  'Bindings.Email.Name',
] as const;
const participantParams = [
  'Identity',
  'Attributes',
  'MessagingBinding.Address',
  'MessagingBinding.ProxyAddress',
  'MessagingBinding.ProjectedAddress',
  'RoleSid',
  'DateCreated',
  'DateUpdated',
  'LastReadMessageIndex',
  'LastReadTimestamp',
] as const;
const messageParams = [
  'Author',
  'Body',
  'Attributes',
  'MediaSid',
  'ContentSid',
  'ContentVariables',
  'Subject',
  'DateCreated',
  'DateUpdated',
] as const;
const webhookParams = [
  'Target',
  'Configuration.Url',
  'Configuration.Method',
  'Configuration.Filters',
  'Configuration.Triggers',
  'Configuration.FlowSid',
  'Configuration.ReplayAfter',
] as const;
const smsParams = [
  'To',
  'From',
  'MessagingServiceSid',
  'Body',
  'MediaUrl',
  'StatusCallback',
  'ApplicationSid',
  'MaxPrice',
  'ProvideFeedback',
  'Attempt',
  'ValidityPeriod',
  'ForceDelivery',
  'ContentRetention',
  'AddressRetention',
  'SmartEncoded',
  'PersistentAction',
  'TrafficType',
  'ShortenUrls',
  'ScheduleType',
  'SendAt',
  'SendAsMms',
  'ContentSid',
  'ContentVariables',
  'RiskCheck',
  'MessageIntent',
  'FallbackFrom',
] as const;

const hex32 = '[0-9a-fA-F]{32}';
const service = `/conversations/v1(?:/Services/(?<service>IS${hex32}))?`;
const conversation = `${service}/Conversations/(?<conversation>[^/]+)`;
const re = (source: string) => new RegExp(`^${source}$`);

const conversationsHost = 'https://conversations.twilio.com/v1';

export const restRoutes: readonly Route[] = [
  {
    method: 'POST',
    pattern: re(`${service}/Conversations`),
    params: conversationParams,
    handle: createConversation,
  },
  {
    method: 'GET',
    pattern: re(`${service}/Conversations`),
    params: ['StartDate', 'EndDate', 'State', ...paging],
    handle: (request, groups, ctx) => {
      const serviceSid = groups.service ?? ctx.defaultServiceSid;
      const state = request.params.get('State');
      const items = [...ctx.state.conversations.values()].filter(
        (c) => c.serviceSid === serviceSid && (state === undefined || c.state === state),
      );
      return page(
        items.map((c) => conversationJson(c, ctx)),
        request.params,
        listUrl(ctx, serviceSid, '/Conversations'),
        'conversations',
        state === undefined ? {} : { State: state },
      );
    },
  },
  {
    method: 'GET',
    pattern: re(conversation),
    params: [],
    handle: (_request, groups, ctx) => ({
      status: 200,
      body: conversationJson(findConversation(ctx, groups), ctx),
    }),
  },
  {
    method: 'POST',
    pattern: re(conversation),
    params: conversationParams,
    handle: updateConversation,
  },
  {
    method: 'DELETE',
    pattern: re(conversation),
    params: [],
    handle: (request, groups, ctx) => {
      const found = findConversation(ctx, groups);
      if (request.webhookEnabled)
        ctx.emit(found, 'onConversationRemoved', {
          ...eventBase(ctx, found, 'onConversationRemoved', 'API'),
        });
      ctx.state.conversations.delete(found.sid);
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    pattern: re(`${conversation}/Participants`),
    params: participantParams,
    handle: createParticipant,
  },
  {
    method: 'GET',
    pattern: re(`${conversation}/Participants`),
    params: paging,
    handle: (request, groups, ctx) => {
      const found = findConversation(ctx, groups);
      return page(
        found.participants.map((p) => participantJson(found, p, ctx)),
        request.params,
        `${conversationUrl(found, ctx)}/Participants`,
        'participants',
      );
    },
  },
  {
    method: 'GET',
    pattern: re(`${conversation}/Participants/(?<participant>[^/]+)`),
    params: [],
    handle: (_request, groups, ctx) => {
      const found = findConversation(ctx, groups);
      return { status: 200, body: participantJson(found, findParticipant(found, groups), ctx) };
    },
  },
  {
    method: 'POST',
    pattern: re(`${conversation}/Participants/(?<participant>[^/]+)`),
    params: participantParams,
    handle: (request, groups, ctx) => {
      const found = findConversation(ctx, groups);
      refuseClosed(found);
      const participant = findParticipant(found, groups);
      const attributes = request.params.get('Attributes');
      if (attributes !== undefined) participant.attributes = jsonAttributes(attributes);
      const roleSid = request.params.get('RoleSid');
      if (roleSid !== undefined) participant.roleSid = roleSid;
      participant.updatedAt = new Date();
      if (request.webhookEnabled)
        ctx.emit(
          found,
          'onParticipantUpdated',
          participantEventParams(ctx, found, participant, 'API', 'onParticipantUpdated'),
        );
      return { status: 200, body: participantJson(found, participant, ctx) };
    },
  },
  {
    method: 'DELETE',
    pattern: re(`${conversation}/Participants/(?<participant>[^/]+)`),
    params: [],
    handle: (request, groups, ctx) => {
      const found = findConversation(ctx, groups);
      const participant = findParticipant(found, groups);
      found.participants = found.participants.filter((p) => p !== participant);
      if (request.webhookEnabled)
        ctx.emit(
          found,
          'onParticipantRemoved',
          participantEventParams(ctx, found, participant, 'API', 'onParticipantRemoved'),
        );
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    pattern: re(`${conversation}/Messages`),
    params: messageParams,
    handle: createMessage,
  },
  {
    method: 'GET',
    pattern: re(`${conversation}/Messages`),
    params: ['Order', ...paging],
    handle: (request, groups, ctx) => {
      const found = findConversation(ctx, groups);
      const order = request.params.get('Order') ?? 'asc';
      if (order !== 'asc' && order !== 'desc') throw invalid(`Order must be asc or desc, not ${order}`);
      const messages = order === 'asc' ? found.messages : [...found.messages].reverse();
      return page(
        messages.map((m) => messageJson(found, m, ctx)),
        request.params,
        `${conversationUrl(found, ctx)}/Messages`,
        'messages',
        { Order: order },
      );
    },
  },
  {
    method: 'GET',
    pattern: re(`${conversation}/Messages/(?<message>[^/]+)`),
    params: [],
    handle: (_request, groups, ctx) => {
      const found = findConversation(ctx, groups);
      const message = found.messages.find((m) => m.sid === groups.message);
      if (!message) throw notFound(`/Conversations/${found.sid}/Messages/${groups.message}`);
      return { status: 200, body: messageJson(found, message, ctx) };
    },
  },
  {
    method: 'POST',
    pattern: re(`${conversation}/Webhooks`),
    params: webhookParams,
    handle: createWebhook,
  },
  {
    method: 'GET',
    pattern: re(`${conversation}/Webhooks`),
    params: paging,
    handle: (request, groups, ctx) => {
      const found = findConversation(ctx, groups);
      return page(
        found.webhooks.map((w) => webhookJson(found, w, ctx)),
        request.params,
        `${conversationUrl(found, ctx)}/Webhooks`,
        'webhooks',
      );
    },
  },
  {
    method: 'GET',
    pattern: re(`${conversation}/Webhooks/(?<webhook>[^/]+)`),
    params: [],
    handle: (_request, groups, ctx) => {
      const found = findConversation(ctx, groups);
      return { status: 200, body: webhookJson(found, findWebhook(found, groups), ctx) };
    },
  },
  {
    method: 'DELETE',
    pattern: re(`${conversation}/Webhooks/(?<webhook>[^/]+)`),
    params: [],
    handle: (_request, groups, ctx) => {
      const found = findConversation(ctx, groups);
      const webhook = findWebhook(found, groups);
      found.webhooks = found.webhooks.filter((w) => w !== webhook);
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    pattern: re(`${service}/ParticipantConversations`),
    params: ['Identity', 'Address', ...paging],
    handle: listParticipantConversations,
  },
  {
    method: 'POST',
    pattern: re('/flex-api/v1/Interactions'),
    params: ['Channel', 'Routing', 'InteractionContextSid', 'WebhookTtid'],
    handle: createInteraction,
  },
  {
    method: 'GET',
    pattern: re(`/flex-api/v1/Interactions/(?<interaction>[^/]+)`),
    params: [],
    handle: (_request, groups, ctx) => {
      const found = ctx.state.interactions.get(groups.interaction ?? '');
      if (!found) throw notFound(`/v1/Interactions/${groups.interaction}`);
      return { status: 200, body: interactionJson(found) };
    },
  },
  {
    method: 'POST',
    pattern: re(`/api/2010-04-01/Accounts/(?<account>AC${hex32})/Messages\\.json`),
    params: smsParams,
    handle: createSms,
  },
  {
    method: 'GET',
    pattern: re(`/api/2010-04-01/Accounts/(?<account>AC${hex32})/Messages/(?<message>[^/]+)\\.json`),
    params: [],
    handle: (_request, groups, ctx) => {
      const found = ctx.state.sentMessages.get(groups.message ?? '');
      if (groups.account !== ctx.accountSid || !found)
        throw notFound(`/2010-04-01/Accounts/${groups.account}/Messages/${groups.message}.json`);
      return { status: 200, body: smsJson(found, ctx) };
    },
  },
];

/** Finds the route for a request, refuses unknown parameters, and runs it. */
export function handleRest(request: RestRequest, ctx: RestContext): RestResult {
  let pathMatched = false;
  for (const route of restRoutes) {
    const match = route.pattern.exec(request.path);
    if (!match) continue;
    pathMatched = true;
    if (route.method !== request.method) continue;
    const unknown = request.params.entries.map(([key]) => key).filter((key) => !route.params.includes(key));
    if (unknown.length > 0)
      throw invalid(
        `Unknown parameter${unknown.length > 1 ? 's' : ''} ${[...new Set(unknown)].join(', ')} for ${request.method} ${request.path}`,
      );
    return route.handle(request, (match.groups ?? {}) as Record<string, string>, ctx);
  }
  if (pathMatched) throw new TwilioApiError(405, 20004, `Method ${request.method} not allowed`);
  throw notFound(request.path);
}

// --- Conversations -----------------------------------------------------------------------------------------

function createConversation(
  request: RestRequest,
  groups: Record<string, string>,
  ctx: RestContext,
): RestResult {
  const p = request.params;
  const serviceSid = groups.service ?? ctx.defaultServiceSid;
  const uniqueName = p.get('UniqueName') ?? null;
  if (uniqueName !== null && findByUniqueName(ctx, serviceSid, uniqueName))
    throw new TwilioApiError(409, 50353, `Conversation with provided unique name already exists`);
  const now = new Date();
  const created: ConversationRecord = {
    sid: newSid('CH'),
    serviceSid,
    friendlyName: p.get('FriendlyName') ?? null,
    uniqueName,
    attributes: jsonAttributes(p.get('Attributes') ?? '{}'),
    state: conversationState(p.get('State') ?? 'active'),
    messagingServiceSid: p.get('MessagingServiceSid') ?? null,
    createdAt: now,
    updatedAt: now,
    participants: [],
    messages: [],
    webhooks: [],
    nextIndex: 0,
  };
  ctx.state.conversations.set(created.sid, created);
  return { status: 201, body: conversationJson(created, ctx) };
}

function updateConversation(
  request: RestRequest,
  groups: Record<string, string>,
  ctx: RestContext,
): RestResult {
  const p = request.params;
  const found = findConversation(ctx, groups);
  refuseClosed(found);
  const state = p.get('State');
  const nextState = state === undefined ? found.state : conversationState(state);
  const attributes = p.get('Attributes');
  const nextAttributes = attributes === undefined ? found.attributes : jsonAttributes(attributes);
  const uniqueName = p.get('UniqueName');
  if (uniqueName !== undefined) {
    const other = findByUniqueName(ctx, found.serviceSid, uniqueName);
    if (other && other !== found)
      throw new TwilioApiError(409, 50353, `Conversation with provided unique name already exists`);
    found.uniqueName = uniqueName;
  }
  const friendlyName = p.get('FriendlyName');
  if (friendlyName !== undefined) found.friendlyName = friendlyName;
  const previous = found.state;
  found.attributes = nextAttributes;
  found.state = nextState;
  found.updatedAt = new Date();
  if (request.webhookEnabled) {
    ctx.emit(found, 'onConversationUpdated', {
      ...conversationEventParams(ctx, found, 'API', 'onConversationUpdated'),
    });
    if (previous !== nextState)
      ctx.emit(found, 'onConversationStateUpdated', stateEventParams(ctx, found, previous, 'API'));
  }
  return { status: 200, body: conversationJson(found, ctx) };
}

function createParticipant(
  request: RestRequest,
  groups: Record<string, string>,
  ctx: RestContext,
): RestResult {
  const p = request.params;
  const found = findConversation(ctx, groups);
  refuseClosed(found);
  const identity = p.get('Identity') ?? null;
  const address = p.get('MessagingBinding.Address') ?? null;
  if (identity === null && address === null)
    throw invalid('Either Identity or MessagingBinding.Address is required to add a participant', 50200);
  if (identity !== null && identity.trim() === '') throw invalid('Identity must not be empty', 50200);
  if (identity !== null && found.participants.some((x) => x.identity === identity))
    throw new TwilioApiError(
      409,
      50433,
      `Participant already exists: identity '${identity}' is already in conversation ${found.sid}`,
    );
  let binding: MessagingBinding | null = null;
  if (address !== null) {
    const proxy = p.get('MessagingBinding.ProxyAddress') ?? null;
    const taken = [...ctx.state.conversations.values()].some(
      (c) =>
        c.state !== 'closed' &&
        c.participants.some((x) => x.binding?.address === address && x.binding.proxy_address === proxy),
    );
    if (taken)
      throw new TwilioApiError(
        409,
        50416,
        `A binding for this participant and proxy address already exists in an active conversation`,
      );
    binding = {
      type: address.startsWith('whatsapp:') ? 'whatsapp' : 'sms',
      address,
      proxy_address: proxy,
      projected_address: p.get('MessagingBinding.ProjectedAddress') ?? null,
    };
  }
  const participant = ctx.state.addParticipant(found, {
    identity,
    attributes: jsonAttributes(p.get('Attributes') ?? '{}'),
    binding,
    roleSid: p.get('RoleSid') ?? null,
  });
  if (request.webhookEnabled)
    ctx.emit(
      found,
      'onParticipantAdded',
      participantEventParams(ctx, found, participant, 'API', 'onParticipantAdded'),
    );
  return { status: 201, body: participantJson(found, participant, ctx) };
}

function createMessage(request: RestRequest, groups: Record<string, string>, ctx: RestContext): RestResult {
  const p = request.params;
  const found = findConversation(ctx, groups);
  refuseClosed(found);
  const body = p.get('Body') ?? null;
  const mediaSid = p.get('MediaSid') ?? null;
  if (body === null && mediaSid === null && !p.has('ContentSid'))
    throw invalid('A message needs a Body, a MediaSid or a ContentSid', 50511);
  if (mediaSid !== null && !/^ME[0-9a-fA-F]{32}$/.test(mediaSid))
    throw invalid(`MediaSid ${mediaSid} is not a media sid (ME followed by 32 hex digits)`);
  const media: MediaRecord[] | null =
    mediaSid === null
      ? null
      : [{ sid: mediaSid, contentType: 'application/octet-stream', filename: null, size: 0 }];
  const message = ctx.state.addMessage(found, {
    author: p.get('Author') ?? 'system',
    body,
    attributes: jsonAttributes(p.get('Attributes') ?? '{}'),
    media,
    source: 'API',
    webhookEnabled: request.webhookEnabled,
  });
  if (request.webhookEnabled)
    ctx.emit(found, 'onMessageAdded', messageEventParams(ctx, found, message, 'API'));
  return { status: 201, body: messageJson(found, message, ctx) };
}

function createWebhook(request: RestRequest, groups: Record<string, string>, ctx: RestContext): RestResult {
  const p = request.params;
  const found = findConversation(ctx, groups);
  refuseClosed(found);
  const target = p.get('Target');
  if (target === undefined) throw invalid('Missing required parameter Target in the post body');
  if (target !== 'webhook' && target !== 'trigger' && target !== 'studio')
    throw invalid(`Target must be webhook, trigger or studio, not ${target}`);
  const url = p.get('Configuration.Url') ?? null;
  if ((target === 'webhook' || target === 'trigger') && url === null)
    throw invalid(`Configuration.Url is required for a ${target} webhook`);
  if (url !== null && !/^https?:\/\/[^/]+/.test(url)) throw invalid(`Configuration.Url ${url} is not a URL`);
  const method = (p.get('Configuration.Method') ?? 'POST').toUpperCase();
  if (method !== 'GET' && method !== 'POST')
    throw invalid(`Configuration.Method must be GET or POST, not ${method}`);
  const filters = p.all('Configuration.Filters');
  for (const filter of filters)
    if (!(conversationEvents as readonly string[]).includes(filter))
      throw invalid(
        `Configuration.Filters: ${filter} is not a conversation event (one value per Configuration.Filters parameter: ${conversationEvents.join(', ')})`,
      );
  if (found.webhooks.length >= 5) throw invalid('A conversation can have at most 5 scoped webhooks', 50309);
  const webhook: WebhookRecord = {
    sid: newSid('WH'),
    target,
    url,
    method,
    filters,
    triggers: p.all('Configuration.Triggers'),
    flowSid: p.get('Configuration.FlowSid') ?? null,
    createdAt: new Date(),
  };
  found.webhooks.push(webhook);
  return { status: 201, body: webhookJson(found, webhook, ctx) };
}

function listParticipantConversations(
  request: RestRequest,
  groups: Record<string, string>,
  ctx: RestContext,
): RestResult {
  const serviceSid = groups.service ?? ctx.defaultServiceSid;
  const identity = request.params.get('Identity');
  const address = request.params.get('Address');
  if (identity === undefined && address === undefined)
    throw invalid('Either Identity or Address is required', 50200);
  const items: unknown[] = [];
  for (const c of ctx.state.conversations.values()) {
    if (c.serviceSid !== serviceSid) continue;
    for (const participant of c.participants) {
      const matches =
        identity !== undefined ? participant.identity === identity : participant.binding?.address === address;
      if (!matches) continue;
      const url = conversationUrl(c, ctx);
      items.push({
        account_sid: ctx.accountSid,
        chat_service_sid: c.serviceSid,
        participant_sid: participant.sid,
        participant_user_sid: null,
        participant_identity: participant.identity,
        participant_messaging_binding: participant.binding,
        conversation_sid: c.sid,
        conversation_unique_name: c.uniqueName,
        conversation_friendly_name: c.friendlyName,
        conversation_attributes: c.attributes,
        conversation_date_created: isoDate(c.createdAt),
        conversation_date_updated: isoDate(c.updatedAt),
        conversation_created_by: 'system',
        conversation_state: c.state,
        conversation_timers: {},
        links: { participant: `${url}/Participants/${participant.sid}`, conversation: url },
      });
    }
  }
  return page(
    items,
    request.params,
    listUrl(ctx, serviceSid, '/ParticipantConversations'),
    'conversations',
    identity !== undefined ? { Identity: identity } : { Address: address ?? '' },
  );
}

// --- Flex Interactions -------------------------------------------------------------------------------------

const interactionChannelTypes = ['chat', 'sms', 'whatsapp', 'email', 'messenger', 'gbm', 'web', 'voice'];

function createInteraction(
  request: RestRequest,
  _groups: Record<string, string>,
  ctx: RestContext,
): RestResult {
  const p = request.params;
  const channelText = p.get('Channel');
  if (channelText === undefined) throw invalid('Missing required parameter Channel in the post body');
  const channel = jsonObject(channelText, 'Channel');
  const type = channel.type;
  if (typeof type !== 'string' || !interactionChannelTypes.includes(type))
    throw invalid(`Channel.type must be one of ${interactionChannelTypes.join(', ')}`, 45101);
  const properties = objectOrNull(channel.properties);
  const mediaChannelSid = properties?.media_channel_sid;
  if (typeof mediaChannelSid !== 'string')
    throw invalid('Channel.properties.media_channel_sid (the conversation sid) is required', 45101);
  const media = ctx.state.conversations.get(mediaChannelSid);
  if (!media)
    throw invalid(`Channel.properties.media_channel_sid: conversation ${mediaChannelSid} not found`, 45101);
  if (media.state === 'closed')
    throw invalid(`Cannot create a Channel for a closed Conversation (${mediaChannelSid})`, 45354);
  const routingText = p.get('Routing');
  let routing: Record<string, unknown> = {};
  if (routingText !== undefined) {
    routing = jsonObject(routingText, 'Routing');
    const routingProperties = objectOrNull(routing.properties);
    if (!routingProperties) throw invalid('Routing.properties is required', 45101);
    if (routingProperties.workspace_sid !== ctx.workspaceSid)
      throw invalid(
        `Routing.properties.workspace_sid: workspace ${String(routingProperties.workspace_sid)} not found`,
        20404,
      );
    if (routingProperties.workflow_sid !== ctx.workflowSid)
      throw invalid(
        `Routing.properties.workflow_sid: workflow ${String(routingProperties.workflow_sid)} not found`,
        20404,
      );
    const attributes = routingProperties.attributes;
    if (
      attributes !== undefined &&
      objectOrNull(typeof attributes === 'string' ? safeJson(attributes) : attributes) === null
    )
      throw invalid('Routing.properties.attributes must be a JSON object (the task attributes)', 45101);
  }
  const record: InteractionRecord = {
    sid: newSid('KD'),
    channel,
    routing,
    channelSid: newSid('UO'),
    taskSid: newSid('WT'),
    createdAt: new Date(),
  };
  ctx.state.interactions.set(record.sid, record);
  return { status: 201, body: interactionJson(record) };
}

function interactionJson(record: InteractionRecord): unknown {
  const url = `https://flex-api.twilio.com/v1/Interactions/${record.sid}`;
  const routingProperties = objectOrNull(record.routing.properties) ?? {};
  return {
    sid: record.sid,
    channel: { ...record.channel, sid: record.channelSid },
    routing: { ...record.routing, properties: { ...routingProperties, sid: record.taskSid } },
    url,
    links: { channels: `${url}/Channels` },
    interaction_context_sid: null,
    webhook_ttid: null,
  };
}

// --- Messages API (SMS, WhatsApp) --------------------------------------------------------------------------

const e164 = /^\+[1-9]\d{6,14}$/;
const maxBody = 1600;

function createSms(request: RestRequest, groups: Record<string, string>, ctx: RestContext): RestResult {
  const p = request.params;
  if (groups.account !== ctx.accountSid)
    throw notFound(`/2010-04-01/Accounts/${groups.account}/Messages.json`);
  const to = p.get('To');
  if (to === undefined || to === '') throw invalid("A 'To' phone number is required.", 21604);
  const from = p.get('From') ?? null;
  const messagingServiceSid = p.get('MessagingServiceSid') ?? null;
  if (from === null && messagingServiceSid === null)
    throw invalid("A 'From' phone number is required.", 21603);
  const body = p.get('Body') ?? '';
  const mediaUrls = p.all('MediaUrl');
  if (body === '' && mediaUrls.length === 0 && !p.has('ContentSid'))
    throw invalid('Message body is required.', 21602);
  const whatsapp = to.startsWith('whatsapp:');
  if (!e164.test(whatsapp ? to.slice('whatsapp:'.length) : to))
    throw invalid(`The 'To' number ${to} is not a valid phone number.`, 21211);
  if (from !== null) {
    const fromWhatsapp = from.startsWith('whatsapp:');
    if (!e164.test(fromWhatsapp ? from.slice('whatsapp:'.length) : from))
      throw invalid(
        `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`,
        21212,
      );
    if (fromWhatsapp !== whatsapp)
      throw invalid('Invalid From and To pair. From and To should be of the same channel', 21910);
  }
  if (messagingServiceSid !== null && !/^MG[0-9a-fA-F]{32}$/.test(messagingServiceSid))
    throw invalid(`The Messaging Service Sid ${messagingServiceSid} is invalid.`, 21701);
  if (body.length > maxBody)
    throw invalid(`The concatenated message body exceeds the ${maxBody} character limit.`, 21617);
  for (const url of mediaUrls)
    if (!/^https?:\/\/[^/]+/.test(url)) throw invalid(`The media URL ${url} is invalid.`, 21620);
  const statusCallback = p.get('StatusCallback') ?? null;
  if (statusCallback !== null && !/^https?:\/\/[^/]+/.test(statusCallback))
    throw invalid(`The StatusCallback URL ${statusCallback} is not a valid URL.`, 21609);
  if (ctx.state.optedOut.has(to)) throw invalid('Attempt to send to unsubscribed recipient', 21610);
  const now = new Date();
  const record: SentMessageRecord = {
    sid: newSid(mediaUrls.length > 0 ? 'MM' : 'SM'),
    to,
    from,
    messagingServiceSid,
    body,
    mediaUrls,
    statusCallback,
    // A messaging service picks the sender later: Twilio says `accepted` until then.
    status: from === null ? 'accepted' : 'queued',
    errorCode: null,
    numSegments: segments(body),
    createdAt: now,
    updatedAt: now,
  };
  ctx.state.sentMessages.set(record.sid, record);
  return { status: 201, body: smsJson(record, ctx) };
}

/** GSM-7 fits 160 characters in one segment (153 when split), anything else UCS-2 70 (67). */
function segments(body: string): number {
  if (body === '') return 1;
  const gsm = /^[\x20-\x7E\n\r]*$/.test(body);
  const [single, part] = gsm ? [160, 153] : [70, 67];
  return body.length <= single ? 1 : Math.ceil(body.length / part);
}

export function smsJson(record: SentMessageRecord, ctx: RestContext): unknown {
  const uri = `/2010-04-01/Accounts/${ctx.accountSid}/Messages/${record.sid}.json`;
  return {
    account_sid: ctx.accountSid,
    api_version: '2010-04-01',
    body: record.body,
    date_created: rfc2822Date(record.createdAt),
    date_sent:
      record.status === 'queued' || record.status === 'accepted' ? null : rfc2822Date(record.updatedAt),
    date_updated: rfc2822Date(record.updatedAt),
    direction: 'outbound-api',
    error_code: record.errorCode,
    error_message: record.errorCode === null ? null : `Twilio error ${record.errorCode}`,
    from: record.from,
    messaging_service_sid: record.messagingServiceSid,
    num_media: String(record.mediaUrls.length),
    num_segments: String(record.numSegments),
    price: null,
    price_unit: 'USD',
    sid: record.sid,
    status: record.status,
    subresource_uris: { media: uri.replace(/\.json$/, '/Media.json') },
    to: record.to,
    uri,
  };
}

// --- shapes ------------------------------------------------------------------------------------------------

function listUrl(ctx: RestContext, serviceSid: string, path: string): string {
  return serviceSid === ctx.defaultServiceSid
    ? `${conversationsHost}${path}`
    : `${conversationsHost}/Services/${serviceSid}${path}`;
}

export function conversationUrl(c: ConversationRecord, ctx: RestContext): string {
  return listUrl(ctx, c.serviceSid, `/Conversations/${c.sid}`);
}

export function conversationJson(c: ConversationRecord, ctx: RestContext): unknown {
  const url = conversationUrl(c, ctx);
  return {
    account_sid: ctx.accountSid,
    chat_service_sid: c.serviceSid,
    messaging_service_sid: c.messagingServiceSid,
    sid: c.sid,
    friendly_name: c.friendlyName,
    unique_name: c.uniqueName,
    attributes: c.attributes,
    state: c.state,
    date_created: isoDate(c.createdAt),
    date_updated: isoDate(c.updatedAt),
    timers: {},
    url,
    links: { participants: `${url}/Participants`, messages: `${url}/Messages`, webhooks: `${url}/Webhooks` },
    bindings: null,
  };
}

function participantJson(c: ConversationRecord, p: ParticipantRecord, ctx: RestContext): unknown {
  return {
    account_sid: ctx.accountSid,
    chat_service_sid: c.serviceSid,
    conversation_sid: c.sid,
    sid: p.sid,
    identity: p.identity,
    attributes: p.attributes,
    messaging_binding: p.binding,
    role_sid: p.roleSid,
    date_created: isoDate(p.createdAt),
    date_updated: isoDate(p.updatedAt),
    url: `${conversationUrl(c, ctx)}/Participants/${p.sid}`,
    last_read_message_index: null,
    last_read_timestamp: null,
  };
}

function messageJson(c: ConversationRecord, m: MessageRecord, ctx: RestContext): unknown {
  const url = `${conversationUrl(c, ctx)}/Messages/${m.sid}`;
  return {
    account_sid: ctx.accountSid,
    chat_service_sid: c.serviceSid,
    conversation_sid: c.sid,
    sid: m.sid,
    index: m.index,
    author: m.author,
    body: m.body,
    media:
      m.media?.map((x) => ({
        sid: x.sid,
        content_type: x.contentType,
        filename: x.filename,
        size: x.size,
        category: 'media',
      })) ?? null,
    attributes: m.attributes,
    participant_sid: m.participantSid,
    date_created: isoDate(m.createdAt),
    date_updated: isoDate(m.updatedAt),
    delivery: null,
    content_sid: null,
    url,
    links: { delivery_receipts: `${url}/Receipts`, channel_metadata: `${url}/ChannelMetadata` },
  };
}

function webhookJson(c: ConversationRecord, w: WebhookRecord, ctx: RestContext): unknown {
  return {
    account_sid: ctx.accountSid,
    chat_service_sid: c.serviceSid,
    conversation_sid: c.sid,
    sid: w.sid,
    target: w.target,
    url: `${conversationUrl(c, ctx)}/Webhooks/${w.sid}`,
    configuration: {
      url: w.url,
      method: w.method,
      filters: w.filters,
      ...(w.triggers.length > 0 ? { triggers: w.triggers } : {}),
      ...(w.flowSid !== null ? { flow_sid: w.flowSid } : {}),
    },
    date_created: isoDate(w.createdAt),
    date_updated: isoDate(w.createdAt),
  };
}

/** One page of a list in Twilio's shape: the items under `key`, and `meta` with the neighbouring pages' URLs. */
function page(
  items: unknown[],
  params: FormParams,
  baseUrl: string,
  key: string,
  filters: Record<string, string> = {},
): RestResult {
  const sizeText = params.get('PageSize') ?? '50';
  const size = Number(sizeText);
  if (!Number.isInteger(size) || size < 1 || size > 1000)
    throw invalid(`PageSize must be an integer from 1 to 1000, not ${sizeText}`);
  const pageText = params.get('Page') ?? '0';
  const pageNumber = Number(pageText);
  if (!Number.isInteger(pageNumber) || pageNumber < 0) throw invalid(`Page must be a non-negative integer`);
  const token = params.get('PageToken');
  const offset = token === undefined ? pageNumber * size : Number(/^PT(\d+)$/.exec(token)?.[1] ?? Number.NaN);
  if (!Number.isInteger(offset)) throw invalid(`PageToken ${token} is not a page token`);
  const at = (n: number, start: number) => {
    const query = new URLSearchParams({ ...filters, PageSize: String(size), Page: String(n) });
    if (n > 0) query.set('PageToken', `PT${start}`);
    return `${baseUrl}?${query}`;
  };
  return {
    status: 200,
    body: {
      [key]: items.slice(offset, offset + size),
      meta: {
        page: pageNumber,
        page_size: size,
        first_page_url: at(0, 0),
        previous_page_url: pageNumber > 0 ? at(pageNumber - 1, Math.max(0, offset - size)) : null,
        url: at(pageNumber, offset),
        next_page_url: offset + size < items.length ? at(pageNumber + 1, offset + size) : null,
        key,
      },
    },
  };
}

// --- event parameters (shared with the test controls) ------------------------------------------------------

function eventBase(
  ctx: RestContext,
  c: ConversationRecord,
  event: ConversationEvent,
  source: EventSource,
): Record<string, string> {
  return {
    AccountSid: ctx.accountSid,
    ChatServiceSid: c.serviceSid,
    ConversationSid: c.sid,
    EventType: event,
    Source: source,
    RetryCount: '0',
    ...(c.messagingServiceSid !== null ? { MessagingServiceSid: c.messagingServiceSid } : {}),
  };
}

function conversationEventParams(
  ctx: RestContext,
  c: ConversationRecord,
  source: EventSource,
  event: ConversationEvent,
): Record<string, string> {
  return {
    ...eventBase(ctx, c, event, source),
    FriendlyName: c.friendlyName ?? '',
    UniqueName: c.uniqueName ?? '',
    Attributes: c.attributes,
    State: c.state,
    DateCreated: isoDate(c.createdAt),
    DateUpdated: isoDate(c.updatedAt),
  };
}

export function stateEventParams(
  ctx: RestContext,
  c: ConversationRecord,
  from: ConversationState,
  source: EventSource,
): Record<string, string> {
  return {
    ...eventBase(ctx, c, 'onConversationStateUpdated', source),
    StateFrom: from,
    StateTo: c.state,
    Reason: 'API',
    DateCreated: isoDate(c.createdAt),
    DateUpdated: isoDate(c.updatedAt),
  };
}

export function participantEventParams(
  ctx: RestContext,
  c: ConversationRecord,
  p: ParticipantRecord,
  source: EventSource,
  event: ConversationEvent = 'onParticipantAdded',
): Record<string, string> {
  return {
    ...eventBase(ctx, c, event, source),
    ParticipantSid: p.sid,
    ...(p.identity !== null ? { Identity: p.identity } : {}),
    Attributes: p.attributes,
    DateCreated: isoDate(p.createdAt),
    ...(p.roleSid !== null ? { RoleSid: p.roleSid } : {}),
    ...(p.binding !== null
      ? {
          'MessagingBinding.Type': p.binding.type,
          'MessagingBinding.Address': p.binding.address,
          ...(p.binding.proxy_address !== null
            ? { 'MessagingBinding.ProxyAddress': p.binding.proxy_address }
            : {}),
        }
      : {}),
  };
}

export function messageEventParams(
  ctx: RestContext,
  c: ConversationRecord,
  m: MessageRecord,
  source: EventSource,
): Record<string, string> {
  return {
    ...eventBase(ctx, c, 'onMessageAdded', source),
    MessageSid: m.sid,
    Index: String(m.index),
    Author: m.author,
    ...(m.body !== null ? { Body: m.body } : {}),
    Attributes: m.attributes,
    DateCreated: isoDate(m.createdAt),
    ...(m.participantSid !== null ? { ParticipantSid: m.participantSid } : {}),
    ...(source === 'SDK' ? { ClientIdentity: m.author } : {}),
    ...(m.media !== null
      ? {
          Media: JSON.stringify(
            m.media.map((x) => ({
              Sid: x.sid,
              ContentType: x.contentType,
              Filename: x.filename,
              Size: x.size,
              Category: 'media',
            })),
          ),
        }
      : {}),
  };
}

// --- helpers -----------------------------------------------------------------------------------------------

function findByUniqueName(
  ctx: RestContext,
  serviceSid: string,
  name: string,
): ConversationRecord | undefined {
  return [...ctx.state.conversations.values()].find(
    (c) => c.serviceSid === serviceSid && c.uniqueName === name,
  );
}

function findConversation(ctx: RestContext, groups: Record<string, string>): ConversationRecord {
  const serviceSid = groups.service ?? ctx.defaultServiceSid;
  const id = groups.conversation ?? '';
  const bySid = ctx.state.conversations.get(id);
  const found = bySid?.serviceSid === serviceSid ? bySid : findByUniqueName(ctx, serviceSid, id);
  if (!found) throw notFound(`/Conversations/${id}`);
  return found;
}

function findParticipant(c: ConversationRecord, groups: Record<string, string>): ParticipantRecord {
  const id = groups.participant ?? '';
  const found = c.participants.find((p) => p.sid === id || p.identity === id);
  if (!found) throw notFound(`/Conversations/${c.sid}/Participants/${id}`);
  return found;
}

function findWebhook(c: ConversationRecord, groups: Record<string, string>): WebhookRecord {
  const found = c.webhooks.find((w) => w.sid === groups.webhook);
  if (!found) throw notFound(`/Conversations/${c.sid}/Webhooks/${groups.webhook}`);
  return found;
}

/** A closed conversation is final: Twilio refuses any change to it. */
function refuseClosed(c: ConversationRecord): void {
  if (c.state === 'closed')
    throw invalid(`Can't update conversation ${c.sid} as it's in final closed state`, 50377);
}

function conversationState(text: string): ConversationState {
  if (!(conversationStates as readonly string[]).includes(text))
    throw invalid(`State must be one of ${conversationStates.join(', ')}, not ${text}`);
  return text as ConversationState;
}

/** Twilio keeps attributes as a string but refuses one that is not JSON. */
function jsonAttributes(text: string): string {
  if (safeJson(text) === undefined) throw invalid(`Attributes must be a JSON string, not ${text}`, 50205);
  return text;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function jsonObject(text: string, name: string): Record<string, unknown> {
  const value = objectOrNull(safeJson(text));
  if (!value) throw invalid(`${name} must be a JSON object, not ${text}`);
  return value;
}

function objectOrNull(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}
