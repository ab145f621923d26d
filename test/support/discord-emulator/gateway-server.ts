import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createDeflate, type Deflate, deflateSync, constants as zlibConstants } from 'node:zlib';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { JsonObject } from './api-objects.ts';

/** Gateway opcodes (https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway). */
export const GatewayOpcode = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

export const GatewayCloseCode = {
  UnknownError: 4000,
  UnknownOpcode: 4001,
  DecodeError: 4002,
  NotAuthenticated: 4003,
  AuthenticationFailed: 4004,
  AlreadyAuthenticated: 4005,
  InvalidShard: 4010,
  InvalidApiVersion: 4012,
  InvalidIntents: 4013,
  DisallowedIntents: 4014,
} as const;

/** Intents Discord only grants when switched on in the developer portal. */
const PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15);
const KNOWN_INTENTS = (1 << 26) - 1;

export interface GatewayPayload {
  op: number;
  d: unknown;
  s: number | null;
  t: string | null;
}

/** One line of the gateway traffic record tests can inspect. */
export interface GatewayLogEntry {
  direction: 'in' | 'out';
  op: number;
  t: string | null;
  s: number | null;
  sessionId: string | null;
  at: number;
}

export interface GatewayServerOptions {
  token: string;
  heartbeatIntervalMs: number;
  /** Privileged intent bits switched on for the application (a portal setting on Discord). */
  allowedPrivilegedIntents: number;
  /** How many sent events a session keeps for RESUME. */
  replayBufferSize: number;
  /** Shards the bot's sessions are split into (IDENTIFY's `shard: [id, shards]`). */
  shards: number;
  gatewayUrl: () => string;
  /** Builds READY's user/application/guild list and the GUILD_CREATEs that follow, for one shard (null: all). */
  readyPayload: (
    sessionId: string,
    intents: number,
    shard: number | null,
  ) => { ready: JsonObject; guildCreates: JsonObject[] };
  newSessionId: () => string;
  onChange: () => void;
}

interface GatewaySession {
  id: string;
  intents: number;
  /** The shard this session identified for; null (no `shard` sent) sees every guild. */
  shard: number | null;
  seq: number;
  buffer: GatewayPayload[];
  connection: GatewayConnection | null;
}

interface GatewayConnection {
  socket: WebSocket;
  session: GatewaySession | null;
  identifyCompress: boolean;
  stream: Deflate | null;
  sendChain: Promise<void>;
}

/** The gateway half of the emulator: HELLO, IDENTIFY/READY, heartbeats, sequence numbers, RESUME. */
export class GatewayServer {
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sessions = new Map<string, GatewaySession>();
  readonly #connections = new Set<GatewayConnection>();
  readonly log: GatewayLogEntry[] = [];

  constructor(private readonly options: GatewayServerOptions) {}

  /** Number of sockets currently open (tests wait for a reconnect with it). */
  get openConnections(): number {
    return this.#connections.size;
  }

  /** Ids of live sessions (identified and not invalidated). */
  get sessionIds(): string[] {
    return [...this.#sessions.keys()];
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, url.searchParams));
  }

  #accept(socket: WebSocket, params: URLSearchParams): void {
    const compress = params.get('compress');
    const connection: GatewayConnection = {
      socket,
      session: null,
      identifyCompress: false,
      stream: compress === 'zlib-stream' ? createDeflate({ flush: zlibConstants.Z_SYNC_FLUSH }) : null,
      sendChain: Promise.resolve(),
    };
    this.#connections.add(connection);
    socket.on('message', (data, isBinary) => this.#onMessage(connection, data, isBinary));
    socket.on('close', (code) => this.#onClose(connection, code));
    socket.on('error', () => {
      // A reset socket is a normal event for a gateway; the close handler does the bookkeeping.
    });
    if (params.get('v') !== '10') {
      socket.close(GatewayCloseCode.InvalidApiVersion, 'Invalid API version.');
      return;
    }
    if (params.get('encoding') !== 'json') {
      // Only JSON is emulated; ETF clients are told their payload cannot be decoded.
      socket.close(GatewayCloseCode.DecodeError, 'Error while decoding payload.');
      return;
    }
    if (compress !== null && compress !== 'zlib-stream') {
      socket.close(GatewayCloseCode.DecodeError, 'Unsupported compression.');
      return;
    }
    this.#send(connection, {
      op: GatewayOpcode.Hello,
      d: { heartbeat_interval: this.options.heartbeatIntervalMs },
      s: null,
      t: null,
    });
  }

  #onMessage(connection: GatewayConnection, data: RawData, isBinary: boolean): void {
    let payload: { op?: unknown; d?: unknown };
    try {
      if (isBinary) throw new Error('binary frames are not accepted');
      payload = JSON.parse(rawToString(data)) as { op?: unknown; d?: unknown };
    } catch {
      connection.socket.close(GatewayCloseCode.DecodeError, 'Error while decoding payload.');
      return;
    }
    const op = typeof payload.op === 'number' ? payload.op : -1;
    this.#record('in', op, null, null, connection.session?.id ?? null);
    switch (op) {
      case GatewayOpcode.Heartbeat:
        this.#send(connection, { op: GatewayOpcode.HeartbeatAck, d: null, s: null, t: null });
        return;
      case GatewayOpcode.Identify:
        this.#identify(connection, payload.d);
        return;
      case GatewayOpcode.Resume:
        this.#resume(connection, payload.d);
        return;
      case GatewayOpcode.PresenceUpdate:
      case GatewayOpcode.VoiceStateUpdate:
      case GatewayOpcode.RequestGuildMembers:
        if (!connection.session)
          connection.socket.close(GatewayCloseCode.NotAuthenticated, 'Not authenticated.');
        return;
      default:
        connection.socket.close(GatewayCloseCode.UnknownOpcode, 'Unknown opcode.');
    }
  }

  #identify(connection: GatewayConnection, d: unknown): void {
    if (connection.session) {
      connection.socket.close(GatewayCloseCode.AlreadyAuthenticated, 'Already authenticated.');
      return;
    }
    const data = (typeof d === 'object' && d !== null ? d : {}) as {
      token?: unknown;
      intents?: unknown;
      compress?: unknown;
      shard?: unknown;
    };
    if (typeof data.token !== 'string' || stripTokenPrefix(data.token) !== this.options.token) {
      connection.socket.close(GatewayCloseCode.AuthenticationFailed, 'Authentication failed.');
      return;
    }
    if (
      typeof data.intents !== 'number' ||
      !Number.isInteger(data.intents) ||
      (data.intents & ~KNOWN_INTENTS) !== 0
    ) {
      connection.socket.close(GatewayCloseCode.InvalidIntents, 'Invalid intent(s).');
      return;
    }
    const privileged = data.intents & PRIVILEGED_INTENTS;
    if ((privileged & ~this.options.allowedPrivilegedIntents) !== 0) {
      connection.socket.close(GatewayCloseCode.DisallowedIntents, 'Disallowed intent(s).');
      return;
    }
    let shardId: number | null = null;
    if (data.shard !== undefined) {
      const shard = data.shard as unknown[];
      const [id, count] = Array.isArray(shard) ? shard : [];
      if (
        typeof id !== 'number' ||
        count !== this.options.shards ||
        !Number.isInteger(id) ||
        id < 0 ||
        id >= this.options.shards
      ) {
        connection.socket.close(GatewayCloseCode.InvalidShard, 'Invalid shard.');
        return;
      }
      shardId = id;
    }
    connection.identifyCompress = data.compress === true;
    const session: GatewaySession = {
      id: this.options.newSessionId(),
      intents: data.intents,
      shard: shardId,
      seq: 0,
      buffer: [],
      connection,
    };
    connection.session = session;
    this.#sessions.set(session.id, session);
    const { ready, guildCreates } = this.options.readyPayload(session.id, session.intents, session.shard);
    this.#dispatchTo(session, 'READY', ready);
    for (const guild of guildCreates) this.#dispatchTo(session, 'GUILD_CREATE', guild);
    this.options.onChange();
  }

  #resume(connection: GatewayConnection, d: unknown): void {
    const data = (typeof d === 'object' && d !== null ? d : {}) as {
      token?: unknown;
      session_id?: unknown;
      seq?: unknown;
    };
    if (typeof data.token !== 'string' || stripTokenPrefix(data.token) !== this.options.token) {
      connection.socket.close(GatewayCloseCode.AuthenticationFailed, 'Authentication failed.');
      return;
    }
    const session = typeof data.session_id === 'string' ? this.#sessions.get(data.session_id) : undefined;
    const seq = typeof data.seq === 'number' ? data.seq : -1;
    const oldest = session?.buffer[0]?.s ?? (session ? session.seq + 1 : 0);
    // A session we no longer know, or a gap we can no longer replay, cannot be resumed.
    if (!session || seq < 0 || seq > session.seq || seq < oldest - 1) {
      this.#send(connection, { op: GatewayOpcode.InvalidSession, d: false, s: null, t: null });
      return;
    }
    if (session.connection && session.connection !== connection) {
      session.connection.session = null;
      session.connection.socket.close(GatewayCloseCode.UnknownError, 'Session resumed elsewhere.');
    }
    session.connection = connection;
    connection.session = session;
    for (const event of session.buffer) {
      if (event.s !== null && event.s > seq) this.#send(connection, event);
    }
    this.#dispatchTo(session, 'RESUMED', null);
    this.options.onChange();
  }

  #onClose(connection: GatewayConnection, code: number): void {
    this.#connections.delete(connection);
    connection.stream?.close();
    const session = connection.session;
    if (session && session.connection === connection) {
      session.connection = null;
      // A client closing with 1000/1001 ends its session on Discord; anything else may resume.
      if (code === 1000 || code === 1001) this.#sessions.delete(session.id);
    }
    this.options.onChange();
  }

  /**
   * Sends an event to every live session whose intents let it see it (`build` returns null to skip) and
   * whose shard holds its guild: `(guild_id >> 22) % shards`, as on Discord; DMs go to shard 0.
   */
  dispatch(event: string, build: (intents: number) => JsonObject | null): void {
    for (const session of this.#sessions.values()) {
      const data = build(session.intents);
      if (data && (session.shard === null || session.shard === this.shardOf(event, data)))
        this.#dispatchTo(session, event, data);
    }
  }

  /** The shard a guild belongs to (DMs and events without a guild: shard 0). */
  shardOf(event: string, data: JsonObject): number {
    const guildId = data.guild_id ?? (event.startsWith('GUILD_') ? data.id : undefined);
    if (typeof guildId !== 'string' || !/^\d+$/.test(guildId)) return 0;
    return Number((BigInt(guildId) >> 22n) % BigInt(this.options.shards));
  }

  #dispatchTo(session: GatewaySession, event: string, data: unknown): void {
    session.seq += 1;
    const payload: GatewayPayload = { op: GatewayOpcode.Dispatch, d: data, s: session.seq, t: event };
    session.buffer.push(payload);
    if (session.buffer.length > this.options.replayBufferSize) session.buffer.shift();
    // Events for a session whose socket dropped wait in the buffer for RESUME.
    if (session.connection) this.#send(session.connection, payload);
  }

  #send(connection: GatewayConnection, payload: GatewayPayload): void {
    this.#record('out', payload.op, payload.t, payload.s, connection.session?.id ?? null);
    const json = JSON.stringify(payload);
    const { socket } = connection;
    const stream = connection.stream;
    if (stream) {
      // zlib-stream: one deflate context for the whole connection, each payload ends in a sync flush.
      connection.sendChain = connection.sendChain.then(
        () =>
          new Promise<void>((resolve) => {
            const chunks: Buffer[] = [];
            const onData = (chunk: Buffer) => chunks.push(chunk);
            stream.on('data', onData);
            stream.write(json);
            stream.flush(zlibConstants.Z_SYNC_FLUSH, () => {
              stream.off('data', onData);
              if (socket.readyState === socket.OPEN) socket.send(Buffer.concat(chunks));
              resolve();
            });
          }),
      );
      return;
    }
    if (socket.readyState !== socket.OPEN) return;
    if (connection.identifyCompress) socket.send(deflateSync(json));
    else socket.send(json);
  }

  #record(
    direction: 'in' | 'out',
    op: number,
    t: string | null,
    s: number | null,
    sessionId: string | null,
  ): void {
    this.log.push({ direction, op, t, s, sessionId, at: Date.now() });
  }

  /**
   * Drops every gateway socket the way a network failure does (no close frame: the client sees
   * 1006 and resumes). With a code, closes cleanly with it instead (4000 also resumes; 1000 makes
   * discord.js identify afresh).
   */
  dropConnections(code?: number): void {
    for (const connection of this.#connections) {
      if (code === undefined) connection.socket.terminate();
      else connection.socket.close(code, 'Closed by the emulator.');
    }
  }

  /** Sends op 9 to every connected session; not resumable sessions are forgotten. */
  invalidateSessions(resumable: boolean): void {
    for (const session of [...this.#sessions.values()]) {
      if (!resumable) this.#sessions.delete(session.id);
      if (session.connection) {
        const connection = session.connection;
        if (!resumable) connection.session = null;
        this.#send(connection, { op: GatewayOpcode.InvalidSession, d: resumable, s: null, t: null });
      }
    }
  }

  /**
   * Sends again, to every session, the events it was already sent that `match` (as Discord does when it
   * delivers an event twice, e.g. after a failover): the same payload under the next sequence number.
   * Only events still in a session's replay buffer can be sent again. Returns how many were re-sent.
   */
  redeliver(match: (payload: GatewayPayload) => boolean): number {
    let sent = 0;
    for (const session of this.#sessions.values()) {
      for (const payload of session.buffer.filter(match)) {
        if (payload.t === null) continue;
        this.#dispatchTo(session, payload.t, payload.d);
        sent += 1;
      }
    }
    return sent;
  }

  /** Sends op 7, which tells the client to reconnect and resume. */
  requestReconnect(): void {
    for (const connection of this.#connections) {
      this.#send(connection, { op: GatewayOpcode.Reconnect, d: null, s: null, t: null });
    }
  }

  /** Sends op 1; the client must answer with a heartbeat at once. */
  requestHeartbeat(): void {
    for (const connection of this.#connections) {
      this.#send(connection, { op: GatewayOpcode.Heartbeat, d: null, s: null, t: null });
    }
  }

  async close(): Promise<void> {
    for (const connection of this.#connections) connection.socket.terminate();
    this.#connections.clear();
    this.#sessions.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}

function stripTokenPrefix(token: string): string {
  return token.replace(/^(Bot|Bearer)\s+/i, '');
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
