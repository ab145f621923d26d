import { invalid } from '../errors.ts';
import { type CasePriority, casePriorities, type MemberContext } from '../model.ts';
import type { SettingRepository, Store } from '../ports/repositories.ts';

/**
 * A community role mapped to routing (a Discord `VIP` role → the priority queue, `Partner` → the partner
 * team's queue): a hand-off of a member with the role goes to `queueId` (when the flow's `send-to-queue`
 * names no queue) and its case gets at least `priority`.
 */
export interface RoleRoute {
  /** The role's id or name (names match in any case). */
  role: string;
  queueId: string | null;
  priority: CasePriority | null;
}

export const roleRoutesSetting = 'routing.role-routes';

const MAX_ROUTES = 100;

export async function loadRoleRoutes(settings: SettingRepository): Promise<RoleRoute[]> {
  return (await settings.get<RoleRoute[]>(roleRoutesSetting)) ?? [];
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

/** Admins' mapping of community roles to queues and priorities, kept as one ordered list. */
export class RoleRouteService {
  constructor(private readonly store: Store) {}

  list(): Promise<RoleRoute[]> {
    return loadRoleRoutes(this.store.settings);
  }

  /** Replaces the whole list; every queue must exist and every route must route somewhere. */
  async replace(routes: RoleRoute[]): Promise<RoleRoute[]> {
    if (routes.length > MAX_ROUTES) throw invalid(`at most ${MAX_ROUTES} role routes`, { field: 'routes' });
    const seen = new Set<string>();
    const clean: RoleRoute[] = [];
    for (const [i, route] of routes.entries()) {
      const role = route.role.trim();
      if (!role) throw invalid('every route names a role', { field: `routes[${i}].role` });
      if (seen.has(role.toLowerCase()))
        throw invalid(`the role "${role}" is mapped twice`, { field: `routes[${i}].role` });
      seen.add(role.toLowerCase());
      if (!route.queueId && !route.priority)
        throw invalid('a route needs a queue, a priority or both', { field: `routes[${i}]` });
      if (route.queueId && !(await this.store.queues.get(route.queueId)))
        throw invalid(`there is no queue ${route.queueId}`, { field: `routes[${i}].queueId` });
      clean.push({ role, queueId: route.queueId ?? null, priority: route.priority ?? null });
    }
    await this.store.settings.set(roleRoutesSetting, clean);
    return clean;
  }
}
