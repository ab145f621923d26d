import { DomainError, forbidden, invalid, notFound, unauthorized } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Agent, AgentStatus, ApiToken, Session } from '../model.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { PasswordHasher } from '../ports/password-hasher.ts';
import type { Repositories, Store } from '../ports/repositories.ts';
import { inTransaction } from '../unit-of-work.ts';
import { publicAgent } from './agent-service.ts';
import { apiTokenPrefix, hashToken, newApiToken, newSessionToken } from './credential-tokens.ts';
import { checkPassword } from './password-rules.ts';

/** A signed-in agent and the credential (session or API token) they proved it with. */
export interface Principal {
  agent: Agent;
  via: 'session' | 'token';
  /** The session or API token id (to revoke it, or close its WebSockets on sign-out). */
  credentialId: string;
  /** sha-256 of the session or API token, to check later that it still stands (open WebSockets). */
  credentialHash: string;
  /** When the credential was created: the sign-in of a session. */
  signedInAt: string;
}

export type Identification =
  | { kind: 'ok'; principal: Principal }
  /** The credential is not (or no longer) valid; `clear` says the client should forget its cookie. */
  | { kind: 'refused'; reason: string; clear: boolean };

export interface SignedIn {
  agent: Agent;
  /** The session secret, to hand to the client once (a cookie); only its hash is stored. */
  token: string;
  session: Session;
}

export interface MintTokenInput {
  name: string;
  /** Days until the token stops working; absent or null: until revoked. */
  expiresInDays?: number | null;
}

export interface AccessServiceOptions {
  /** How long a session lasts after sign-in. */
  sessionTtlMs: number;
  /** API tokens are minted only from a session signed in this recently (a stolen old cookie cannot). */
  recentSignInMs: number;
}

export const defaultAccessServiceOptions: AccessServiceOptions = {
  sessionTtlMs: 12 * 60 * 60 * 1000,
  recentSignInMs: 10 * 60 * 1000,
};

const DUMMY_HASH = 'scrypt$16384$8$1$00000000000000000000000000000000$00';
const DAY_MS = 24 * 60 * 60 * 1000;
const wrongCredentials = 'wrong email or password';

/**
 * Who may act as an agent: sign-in and sign-out, sessions, API tokens, passwords and the agent's status.
 * Changing a password, deactivating or removing an agent ends every session and token of theirs at once;
 * the `agent.access_ended` event closes their open WebSockets on every instance.
 */
export class AccessService {
  private readonly options: AccessServiceOptions;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly hasher: PasswordHasher,
    options: Partial<AccessServiceOptions> = {},
    /** Called when an agent was deactivated or removed: their pending offers go to someone else. */
    private readonly onWithdrawn: (agentId: string) => Promise<void> = async () => {},
  ) {
    this.options = { ...defaultAccessServiceOptions, ...options };
  }

  /** The agent when the password matches; undefined otherwise (no hint which part was wrong). */
  async authenticate(email: string, password: string): Promise<Agent | undefined> {
    const address = email.trim().toLowerCase();
    const agent = /^[^\s@]+@[^\s@]+$/.test(address) ? await this.store.agents.getByEmail(address) : undefined;
    if (!agent?.passwordHash || agent.status === 'removed') {
      // Spend the same time as a real check so that response times do not reveal which emails exist.
      await this.hasher.verify(password, DUMMY_HASH).catch(() => false);
      return undefined;
    }
    return (await this.hasher.verify(password, agent.passwordHash)) ? agent : undefined;
  }

  /** Starts a session; `replacing` (the caller's current session, if any) ends. */
  async signIn(
    email: string,
    password: string,
    options: { replacing?: string; ttlMs?: number } = {},
  ): Promise<SignedIn> {
    const agent = await this.authenticate(email, password);
    if (!agent) throw unauthorized(wrongCredentials);
    // Said only to whoever knows the password, so it reveals nothing to a guesser.
    if (agent.status !== 'active')
      throw unauthorized('this account is deactivated; ask an admin to reactivate it');
    if (options.replacing) await this.endCredentials(agent.id, [options.replacing], 'session');
    return this.startSession(this.store, agent, options.ttlMs);
  }

  /** Ends one session (and its WebSockets). */
  async signOut(principal: Principal): Promise<void> {
    if (principal.via !== 'session') return;
    await this.endCredentials(principal.agent.id, [principal.credentialId], 'session');
  }

  /** Resolves a session cookie's secret. */
  async identifySession(token: string): Promise<Identification> {
    const session = await this.store.sessions.findByTokenHash(await hashToken(token));
    if (!session) return refused('your session has ended; sign in again');
    if (session.expiresAt <= this.now()) {
      await this.store.sessions.delete(session.id);
      return refused('your session has expired; sign in again');
    }
    const agent = await this.store.agents.get(session.agentId);
    if (agent?.status !== 'active') return refused('your session has ended; sign in again');
    return {
      kind: 'ok',
      principal: {
        agent,
        via: 'session',
        credentialId: session.id,
        credentialHash: session.tokenHash,
        signedInAt: session.createdAt,
      },
    };
  }

  /** Resolves an API token (`sb_…`). */
  async identifyApiToken(token: string): Promise<Identification> {
    if (!token.startsWith(apiTokenPrefix)) return refused('malformed Authorization header', false);
    const stored = await this.store.apiTokens.findByTokenHash(await hashToken(token));
    const agent = stored && (await this.store.agents.get(stored.agentId));
    if (!stored || agent?.status !== 'active') return refused('unknown or revoked API token', false);
    if (stored.expiresAt !== null && stored.expiresAt <= this.now())
      return refused(`this API token expired at ${stored.expiresAt}`, false);
    return {
      kind: 'ok',
      principal: {
        agent,
        via: 'token',
        credentialId: stored.id,
        credentialHash: stored.tokenHash,
        signedInAt: stored.createdAt,
      },
    };
  }

  /** Whether a principal's session or token (and their account) still stands; open WebSockets are re-checked with it. */
  async stands(principal: Principal): Promise<boolean> {
    const now = this.now();
    const credential =
      principal.via === 'token'
        ? await this.store.apiTokens.findByTokenHash(principal.credentialHash)
        : await this.store.sessions.findByTokenHash(principal.credentialHash);
    if (!credential || (credential.expiresAt !== null && credential.expiresAt <= now)) return false;
    return (await this.store.agents.get(principal.agent.id))?.status === 'active';
  }

  /** Creates an API token for the signed-in agent; the secret is returned only here. */
  async mintToken(
    principal: Principal,
    input: MintTokenInput,
  ): Promise<{ token: string; apiToken: ApiToken }> {
    // A leaked token must not be able to mint more: tokens come from a signed-in desktop session…
    if (principal.via !== 'session') throw forbidden('API tokens are created from a signed-in session');
    // …signed in recently, so that a stolen or forgotten old cookie cannot turn into a lasting token.
    const now = this.clock.now();
    const age = now.getTime() - new Date(principal.signedInAt).getTime();
    if (age > this.options.recentSignInMs) {
      throw new DomainError(
        'forbidden',
        `sign in again to create an API token (your sign-in must be less than ${Math.round(this.options.recentSignInMs / 60_000)} minutes old)`,
        { reason: 'reauthenticate' },
      );
    }
    const agent = await this.getAgent(principal.agent.id);
    const days = input.expiresInDays ?? null;
    if (days !== null && (!Number.isInteger(days) || days < 1 || days > 3650))
      throw invalid('expiresInDays must be a whole number from 1 to 3650', { field: 'expiresInDays' });
    const token = newApiToken();
    const apiToken: ApiToken = {
      id: newId(),
      name: input.name.trim() || 'API token',
      tokenHash: await hashToken(token),
      agentId: agent.id,
      createdAt: now.toISOString(),
      expiresAt: days === null ? null : new Date(now.getTime() + days * DAY_MS).toISOString(),
    };
    await this.store.apiTokens.create(apiToken);
    return { token, apiToken };
  }

  listTokens(agentId: string): Promise<ApiToken[]> {
    return this.store.apiTokens.listByAgent(agentId);
  }

  async getToken(id: string): Promise<ApiToken> {
    const token = await this.store.apiTokens.get(id);
    if (!token) throw notFound('API token', id);
    return token;
  }

  /** Revokes one token; its open WebSockets close. */
  async revokeToken(id: string): Promise<void> {
    const token = await this.getToken(id);
    await this.endCredentials(token.agentId, [token.id], 'token');
  }

  /**
   * An agent changes their own password (proving the current one). Every session and token of theirs
   * ends; the caller gets a fresh session so that the desktop stays signed in.
   */
  async changePassword(principal: Principal, current: string, next: string): Promise<SignedIn> {
    if (principal.via !== 'session') throw forbidden('passwords are changed from a signed-in session');
    const agent = await this.getAgent(principal.agent.id);
    if (!agent.passwordHash || !(await this.hasher.verify(current, agent.passwordHash)))
      throw invalid('your current password is not right', { field: 'currentPassword' });
    checkPassword(next);
    if (next === current)
      throw invalid('the new password is the same as the current one', { field: 'password' });
    const updated = { ...agent, passwordHash: await this.hasher.hash(next) };
    return this.endAccessWith(updated, async (tx) => this.startSession(tx, updated));
  }

  /** An admin (or the `agents reset-password` command) sets a password; the agent's sessions and tokens end. */
  async setPassword(agentId: string, password: string): Promise<Agent> {
    checkPassword(password);
    const agent = await this.getAgent(agentId);
    if (agent.status === 'removed') throw invalid('this agent was removed', { field: 'status' });
    const updated = { ...agent, passwordHash: await this.hasher.hash(password) };
    await this.endAccessWith(updated, async () => undefined);
    return updated;
  }

  /**
   * Deactivates, reactivates or (softly) removes an agent. Deactivated and removed agents cannot sign
   * in and are offered nothing; their conversations, cases and timeline entries keep naming them.
   */
  async setStatus(by: Principal, agentId: string, status: AgentStatus): Promise<Agent> {
    if (agentId === by.agent.id) throw forbidden('you cannot change your own status');
    const agent = await this.getAgent(agentId);
    if (agent.status === status) return agent;
    if (status === 'active') {
      const updated = { ...agent, status };
      await this.store.agents.update(updated);
      await this.bus.publish({ type: 'agent.updated', agent: publicAgent(updated) });
      return updated;
    }
    const updated: Agent = { ...agent, status, presence: 'offline' };
    await this.endAccessWith(updated, async () => undefined);
    await this.onWithdrawn(agentId);
    return updated;
  }

  /** Saves the agent and ends all their sessions and tokens in one transaction, then tells every instance. */
  private async endAccessWith<T>(agent: Agent, then: (tx: Repositories) => Promise<T>): Promise<T> {
    return inTransaction(this.store, this.bus, async (tx, emit) => {
      await tx.agents.update(agent);
      const ended = [
        ...(await tx.sessions.deleteByAgent(agent.id)),
        ...(await tx.apiTokens.deleteByAgent(agent.id)),
      ];
      emit({ type: 'agent.updated', agent: publicAgent(agent) });
      emit({ type: 'agent.access_ended', agentId: agent.id, credentialIds: ended });
      return then(tx);
    });
  }

  private async endCredentials(agentId: string, ids: string[], kind: 'session' | 'token'): Promise<void> {
    for (const id of ids) {
      if (kind === 'session') await this.store.sessions.delete(id);
      else await this.store.apiTokens.delete(id);
    }
    await this.bus.publish({ type: 'agent.access_ended', agentId, credentialIds: ids });
  }

  private async startSession(
    repos: Repositories,
    agent: Agent,
    ttlMs = this.options.sessionTtlMs,
  ): Promise<SignedIn> {
    const token = newSessionToken();
    const now = this.clock.now();
    const session: Session = {
      id: newId(),
      tokenHash: await hashToken(token),
      agentId: agent.id,
      expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
      createdAt: now.toISOString(),
    };
    await repos.sessions.create(session);
    return { agent, token, session };
  }

  private async getAgent(id: string): Promise<Agent> {
    const agent = await this.store.agents.get(id);
    if (!agent) throw notFound('agent', id);
    return agent;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}

const refused = (reason: string, clear = true): Identification => ({ kind: 'refused', reason, clear });
