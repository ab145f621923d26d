import { conflict, invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Agent, AgentRole, Presence } from '../model.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { PasswordHasher } from '../ports/password-hasher.ts';
import type { Store } from '../ports/repositories.ts';
import { emailAddressHint, isEmailAddress } from './email-address.ts';
import { checkPassword } from './password-rules.ts';

export interface CreateAgentInput {
  email: string;
  name: string;
  role?: AgentRole;
  skills?: string[];
  capacity?: number;
  password?: string | null;
}

export interface UpdateAgentInput {
  name?: string;
  role?: AgentRole;
  skills?: string[];
  capacity?: number;
}

export type PublicAgent = Omit<Agent, 'passwordHash'>;

export const publicAgent = ({ passwordHash: _hidden, ...agent }: Agent): PublicAgent => agent;

/** Whether the router may offer this agent work: available, and not deactivated or removed. */
export const takesWork = (agent: Pick<Agent, 'presence' | 'status'>): boolean =>
  agent.presence === 'available' && agent.status === 'active';

/**
 * Agents: desktop users with a role, skills, a capacity and a presence. Passwords, sign-in and the
 * agent's status (deactivated, removed) belong to the AccessService, which ends sessions with them.
 */
export class AgentService {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly hasher: PasswordHasher,
    /** Called when an agent may take new work (went available), so the router offers to them. */
    private readonly onAvailable: () => Promise<void> = async () => {},
    /** Called when an agent went away or offline: their pending offers go to someone who is there. */
    private readonly onUnavailable: (agentId: string) => Promise<void> = async () => {},
  ) {}

  async create(input: CreateAgentInput): Promise<Agent> {
    const email = normaliseEmail(input.email);
    if (await this.store.agents.getByEmail(email))
      throw conflict(`an agent with email ${email} already exists`);
    const capacity = input.capacity ?? 3;
    checkCapacity(capacity);
    if (input.password != null) checkPassword(input.password);
    const now = this.clock.now().toISOString();
    const agent: Agent = {
      id: newId(),
      email,
      name: input.name.trim() || email,
      role: input.role ?? 'agent',
      skills: normaliseSkills(input.skills ?? []),
      capacity,
      presence: 'offline',
      idleSince: now,
      passwordHash: input.password != null ? await this.hasher.hash(input.password) : null,
      status: 'active',
      createdAt: now,
    };
    await this.store.agents.create(agent);
    await this.bus.publish({ type: 'agent.updated', agent: publicAgent(agent) });
    return agent;
  }

  async get(id: string): Promise<Agent> {
    const agent = await this.store.agents.get(id);
    if (!agent) throw notFound('agent', id);
    return agent;
  }

  list(): Promise<Agent[]> {
    return this.store.agents.list();
  }

  async update(id: string, patch: UpdateAgentInput): Promise<Agent> {
    const agent = await this.get(id);
    if (patch.capacity !== undefined) checkCapacity(patch.capacity);
    const next: Agent = {
      ...agent,
      ...(patch.name !== undefined ? { name: patch.name.trim() || agent.name } : {}),
      ...(patch.role !== undefined ? { role: patch.role } : {}),
      ...(patch.skills !== undefined ? { skills: normaliseSkills(patch.skills) } : {}),
      ...(patch.capacity !== undefined ? { capacity: patch.capacity } : {}),
    };
    await this.store.agents.update(next);
    await this.bus.publish({ type: 'agent.updated', agent: publicAgent(next) });
    if (patch.capacity !== undefined || patch.skills !== undefined) await this.onAvailable();
    return next;
  }

  async setPresence(id: string, presence: Presence): Promise<Agent> {
    const agent = await this.get(id);
    if (agent.status !== 'active' && presence !== 'offline')
      throw conflict(`agent ${agent.email} is ${agent.status}; reactivate them first`);
    if (agent.presence === presence) return agent;
    const next: Agent = {
      ...agent,
      presence,
      // Going available starts a new idle period: the router offers to whoever has waited longest.
      ...(presence === 'available' ? { idleSince: this.clock.now().toISOString() } : {}),
    };
    await this.store.agents.update(next);
    // Going available starts the grace time in which the agent's desktop must show it is alive.
    if (presence === 'available') await this.store.agents.touch(id, this.clock.now().toISOString());
    await this.bus.publish({ type: 'agent.updated', agent: publicAgent(next) });
    if (presence === 'available') await this.onAvailable();
    else await this.onUnavailable(id);
    return next;
  }
}

function normaliseEmail(email: string): string {
  const value = email.trim().toLowerCase();
  if (!isEmailAddress(value)) throw invalid(`"${email}" ${emailAddressHint}`, { field: 'email' });
  return value;
}

function normaliseSkills(skills: string[]): string[] {
  return [...new Set(skills.map((s) => s.trim().toLowerCase()).filter(Boolean))].sort();
}

function checkCapacity(capacity: number): void {
  if (!Number.isInteger(capacity) || capacity < 0 || capacity > 100) {
    throw invalid('capacity must be a whole number from 0 to 100', { field: 'capacity' });
  }
}
