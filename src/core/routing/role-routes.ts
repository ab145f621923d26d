import { invalid } from '../errors.ts';
import { type CasePriority, casePriorities, type MemberContext } from '../model.ts';
import type { SettingRepository, Store } from '../ports/repositories.ts';

/**
 * A community role mapped to routing (a Discord `VIP` role → the priority queue, `Partner` → the partner
 * team's queue): a hand-off of a member with the role goes to `queueId` (when the flow's `send-to-queue`
 * names no queue), its case gets at least `priority`, and it is offered only to agents with `skill`.
 */
export interface RoleRoute {
  /** The role's id or name (names match in any case). */
  role: string;
  queueId: string | null;
  priority: CasePriority | null;
  /** A skill (lower case) the agent must have, beyond the queue's: `Partner` → `partner`. */
  skill: string | null;
}

export const roleRoutesSetting = 'routing.role-routes';

const MAX_ROUTES = 100;

export async function loadRoleRoutes(settings: SettingRepository): Promise<RoleRoute[]> {
  const stored = (await settings.get<Partial<RoleRoute>[]>(roleRoutesSetting)) ?? [];
  // Routes saved before they could name a skill read as naming none.
  return stored.map((r) => ({
    role: r.role ?? '',
    queueId: r.queueId ?? null,
    priority: r.priority ?? null,
    skill: r.skill ?? null,
  }));
}

/** The first route (in the admin's order) whose role the member has, by id or by name. */
export function roleRouteFor(routes: RoleRoute[], member: MemberContext | undefined): RoleRoute | undefined {
  if (!member) return undefined;
  const held = new Set(member.roles.flatMap((r) => [r.id, r.name.toLowerCase()]));
  return routes.find((route) => held.has(route.role) || held.has(route.role.toLowerCase()));
}

/** The more pressing of two priorities (`urgent` over `high` over `normal` over `low`). */
export function higherPriority(a: CasePriority, b: CasePriority | null | undefined): CasePriority {
  return b && casePriorities.indexOf(b) > casePriorities.indexOf(a) ? b : a;
}

/** Admins' mapping of community roles to queues, priorities and skills, kept as one ordered list. */
export class RoleRouteService {
  constructor(private readonly store: Store) {}

  list(): Promise<RoleRoute[]> {
    return loadRoleRoutes(this.store.settings);
  }

  /**
   * Replaces the whole list; every queue must exist, every skill must be one an agent or a queue has (else
   * nobody could ever be offered the hand-off), and every route must route somewhere.
   */
  async replace(routes: (Omit<RoleRoute, 'skill'> & { skill?: string | null })[]): Promise<RoleRoute[]> {
    if (routes.length > MAX_ROUTES) throw invalid(`at most ${MAX_ROUTES} role routes`, { field: 'routes' });
    const seen = new Set<string>();
    const clean: RoleRoute[] = [];
    for (const [i, route] of routes.entries()) {
      const role = route.role.trim();
      if (!role) throw invalid('every route names a role', { field: `routes[${i}].role` });
      if (seen.has(role.toLowerCase()))
        throw invalid(`the role "${role}" is mapped twice`, { field: `routes[${i}].role` });
      seen.add(role.toLowerCase());
      const skill = route.skill == null ? null : route.skill.trim().toLowerCase();
      if (skill === '') throw invalid('a skill cannot be empty', { field: `routes[${i}].skill` });
      if (!route.queueId && !route.priority && !skill)
        throw invalid('a route needs a queue, a priority or a skill', { field: `routes[${i}]` });
      if (route.queueId && !(await this.store.queues.get(route.queueId)))
        throw invalid(`there is no queue ${route.queueId}`, { field: `routes[${i}].queueId` });
      if (skill && !(await this.knownSkills()).has(skill))
        throw invalid(`no agent or queue has the skill "${skill}"`, { field: `routes[${i}].skill` });
      clean.push({ role, queueId: route.queueId ?? null, priority: route.priority ?? null, skill });
    }
    await this.store.settings.set(roleRoutesSetting, clean);
    return clean;
  }

  private async knownSkills(): Promise<Set<string>> {
    const [agents, queues] = await Promise.all([this.store.agents.list(), this.store.queues.list()]);
    return new Set([...agents.flatMap((a) => a.skills), ...queues.flatMap((q) => q.skills)]);
  }
}
