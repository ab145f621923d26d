import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { ApiError, get, patch, post, put } from '../../shared/api.ts';
import { ErrorNote } from '../../shared/error-note.tsx';
import type { PublicAgent } from '../../shared/types.ts';
import { desktop, useDesktop } from '../desktop-store.ts';

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const message = (err: unknown) => (err instanceof ApiError ? err.message : 'failed');

const statusLabels: Record<PublicAgent['status'], string> = {
  active: 'Active',
  deactivated: 'Deactivated',
  removed: 'Removed',
};

/**
 * Admin → Agents: create agents, change role, skills and capacity, and deactivate, reactivate or
 * remove them (removal is soft: history keeps their name; removed agents are listed only on request).
 */
export function AgentsAdmin() {
  const { me } = useDesktop();
  // Its own list (with removed agents), kept current by agent events from the live socket.
  const [agents, setAgents] = useState<PublicAgent[]>([]);
  const [showRemoved, setShowRemoved] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState<string | null>(null);
  const [form, setForm] = useState({
    email: '',
    name: '',
    role: 'agent',
    skills: '',
    capacity: '3',
    password: '',
  });
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    () =>
      get<{ agents: PublicAgent[] }>('/agents?includeRemoved=true')
        .then((r) => setAgents(r.agents))
        .catch((err: unknown) => setError(message(err))),
    [],
  );
  useEffect(() => {
    void load();
    return desktop.onEvent((event) => {
      if (event.type === 'agent.updated') void load();
    });
  }, [load]);
  const refresh = async () => {
    await Promise.all([load(), desktop.reload()]);
  };
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await post('/agents', {
        email: form.email,
        name: form.name,
        role: form.role,
        skills: list(form.skills),
        capacity: Number(form.capacity),
        ...(form.password ? { password: form.password } : {}),
      });
      setForm({ email: '', name: '', role: 'agent', skills: '', capacity: '3', password: '' });
      await refresh();
    } catch (err) {
      setError(message(err));
    }
  };
  const change = async (agent: PublicAgent, body: Record<string, unknown>) => {
    try {
      await patch(`/agents/${agent.id}`, body);
      await refresh();
    } catch (err) {
      setError(message(err));
    }
  };
  /** Deactivating or removing ends the agent's sessions, tokens and open desktops at once (server side). */
  const setStatus = async (agent: PublicAgent, status: PublicAgent['status']) => {
    setError(null);
    setConfirmRemove(null);
    try {
      await put(`/agents/${agent.id}/status`, { status });
      await refresh();
    } catch (err) {
      setError(message(err));
    }
  };
  const shown = agents.filter((a) => showRemoved || a.status !== 'removed');
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  return (
    <section className="card">
      <label className="check">
        <input type="checkbox" checked={showRemoved} onChange={(e) => setShowRemoved(e.target.checked)} />
        Show removed agents
      </label>
      <table className="table" aria-label="Agents">
        <thead>
          <tr>
            <th>Name</th>
            <th>Email</th>
            <th>Role</th>
            <th>Skills</th>
            <th>Capacity</th>
            <th>Presence</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {shown.map((a) => (
            <tr key={a.id} className={a.status === 'active' ? undefined : 'agent-inactive'}>
              <td>{a.name}</td>
              <td>{a.email}</td>
              <td>
                <select
                  aria-label={`Role of ${a.name}`}
                  value={a.role}
                  onChange={(e) => void change(a, { role: e.target.value })}
                >
                  <option>agent</option>
                  <option>supervisor</option>
                  <option>admin</option>
                </select>
              </td>
              <td>
                <input
                  aria-label={`Skills of ${a.name}`}
                  defaultValue={a.skills.join(', ')}
                  onBlur={(e) => {
                    if (e.target.value !== a.skills.join(', '))
                      void change(a, { skills: list(e.target.value) });
                  }}
                />
              </td>
              <td>
                <input
                  aria-label={`Capacity of ${a.name}`}
                  type="number"
                  min={0}
                  max={100}
                  defaultValue={a.capacity}
                  className="narrow"
                  onBlur={(e) => {
                    if (Number(e.target.value) !== a.capacity)
                      void change(a, { capacity: Number(e.target.value) });
                  }}
                />
              </td>
              <td>{a.presence}</td>
              <td>{statusLabels[a.status]}</td>
              <td className="actions">
                {a.id === me?.id ? (
                  <span className="muted">you</span>
                ) : confirmRemove === a.id ? (
                  <fieldset className="confirm-inline" aria-label={`Confirm removal of ${a.name}`}>
                    Remove {a.name}? They can no longer sign in; their history stays.{' '}
                    <button type="button" className="danger" onClick={() => void setStatus(a, 'removed')}>
                      Yes, remove
                    </button>{' '}
                    <button type="button" onClick={() => setConfirmRemove(null)}>
                      Cancel
                    </button>
                  </fieldset>
                ) : (
                  <>
                    {a.status === 'active' && (
                      <button
                        type="button"
                        aria-label={`Deactivate ${a.name}`}
                        onClick={() => void setStatus(a, 'deactivated')}
                      >
                        Deactivate
                      </button>
                    )}
                    {a.status === 'deactivated' && (
                      <button
                        type="button"
                        aria-label={`Reactivate ${a.name}`}
                        onClick={() => void setStatus(a, 'active')}
                      >
                        Reactivate
                      </button>
                    )}{' '}
                    {a.status !== 'removed' && (
                      <button
                        type="button"
                        aria-label={`Remove ${a.name}`}
                        onClick={() => setConfirmRemove(a.id)}
                      >
                        Remove
                      </button>
                    )}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>New agent</h2>
      <form className="inline-form" onSubmit={(e) => void create(e)}>
        <input
          aria-label="Email"
          type="email"
          required
          placeholder="email"
          value={form.email}
          onChange={set('email')}
        />
        <input aria-label="Name" required placeholder="name" value={form.name} onChange={set('name')} />
        <select aria-label="Role" value={form.role} onChange={set('role')}>
          <option>agent</option>
          <option>supervisor</option>
          <option>admin</option>
        </select>
        <input
          aria-label="Skills"
          placeholder="skills, comma separated"
          value={form.skills}
          onChange={set('skills')}
        />
        <input
          aria-label="Capacity"
          type="number"
          min={0}
          max={100}
          className="narrow"
          value={form.capacity}
          onChange={set('capacity')}
        />
        <input
          aria-label="Password"
          type="password"
          placeholder="password (8+)"
          value={form.password}
          onChange={set('password')}
        />
        <button type="submit" className="primary">
          Create agent
        </button>
      </form>
      <ErrorNote message={error} />
    </section>
  );
}
