import { type FormEvent, useEffect, useState } from 'react';
import { get, put } from '../../shared/api.ts';
import { ErrorNote } from '../../shared/error-note.tsx';
import type { Queue, RoleRoute } from '../../shared/types.ts';
import { message } from './admin-form.ts';

const priorities = ['low', 'normal', 'high', 'urgent'] as const;

/**
 * Role routing: a Discord role (by name or id) mapped to a queue, a priority and a skill. A hand-off of a
 * member with the role goes to that queue (when the flow names none), its case gets at least that priority
 * and only agents with the skill are offered it; the first route whose role the member has applies.
 */
export function RoleRoutingAdmin() {
  const [routes, setRoutes] = useState<RoleRoute[]>([]);
  const [queues, setQueues] = useState<Queue[]>([]);
  const [role, setRole] = useState('');
  const [queueId, setQueueId] = useState('');
  const [priority, setPriority] = useState('');
  const [skill, setSkill] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<{ routes: RoleRoute[] }>('/routing/role-routes')
      .then((r) => setRoutes(r.routes))
      .catch((err: unknown) => setError(message(err)));
    get<{ queues: Queue[] }>('/queues')
      .then((r) => setQueues(r.queues))
      .catch(() => {});
  }, []);
  const save = async (next: RoleRoute[]) => {
    try {
      setRoutes((await put<{ routes: RoleRoute[] }>('/routing/role-routes', { routes: next })).routes);
      setError(null);
      return true;
    } catch (err) {
      setError(message(err));
      return false;
    }
  };
  const add = async (event: FormEvent) => {
    event.preventDefault();
    const route: RoleRoute = {
      role,
      queueId: queueId || null,
      priority: (priorities as readonly string[]).includes(priority)
        ? (priority as RoleRoute['priority'])
        : null,
      skill: skill.trim() || null,
    };
    if (await save([...routes, route])) {
      setRole('');
      setQueueId('');
      setPriority('');
      setSkill('');
    }
  };
  const queueName = (id: string | null) =>
    id ? (queues.find((q) => q.id === id)?.name ?? id) : 'the flow’s queue';
  return (
    <section className="card">
      <p className="muted">
        A member’s Discord role routes their hand-off: to a queue (when the flow names none) and with at least
        a priority, offered only to agents with a skill (a <code>Partner</code> role → the{' '}
        <code>partner</code> skill). The first route whose role the member has applies.
      </p>
      <table className="table" aria-label="Role routes">
        <thead>
          <tr>
            <th>Role</th>
            <th>Queue</th>
            <th>Priority</th>
            <th>Skill</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {routes.map((r) => (
            <tr key={r.role}>
              <td>{r.role}</td>
              <td>{queueName(r.queueId)}</td>
              <td>{r.priority ?? 'as the flow says'}</td>
              <td>{r.skill ?? 'the queue’s'}</td>
              <td>
                <button
                  type="button"
                  aria-label={`Remove the route of ${r.role}`}
                  onClick={() => void save(routes.filter((other) => other !== r))}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline-form" onSubmit={(e) => void add(e)}>
        <input
          aria-label="Role"
          required
          placeholder="role name or id"
          value={role}
          onChange={(e) => setRole(e.target.value)}
        />
        <select aria-label="Queue of the role" value={queueId} onChange={(e) => setQueueId(e.target.value)}>
          <option value="">the flow’s queue</option>
          {queues.map((q) => (
            <option key={q.id} value={q.id}>
              {q.name}
            </option>
          ))}
        </select>
        <select
          aria-label="Priority of the role"
          value={priority}
          onChange={(e) => setPriority(e.target.value)}
        >
          <option value="">as the flow says</option>
          {priorities.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
        <input
          aria-label="Skill of the role"
          placeholder="skill (optional)"
          value={skill}
          onChange={(e) => setSkill(e.target.value)}
        />
        <button type="submit" className="primary">
          Add route
        </button>
      </form>
      <ErrorNote message={error} />
    </section>
  );
}
