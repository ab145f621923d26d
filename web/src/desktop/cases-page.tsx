import { useEffect, useState } from 'react';
import { ApiError, get, query } from '../shared/api.ts';
import { ErrorNote } from '../shared/error-note.tsx';
import { formatTime } from '../shared/format.ts';
import type { Case, Conversation } from '../shared/types.ts';
import { CasePanel } from './case-panel.tsx';
import { ChannelIcon } from './channel-icon.tsx';
import { desktop, useDesktop } from './desktop-store.ts';
import { Link, navigate } from './router.tsx';
import { ServerBadge, ServerSelect, useServers } from './servers.tsx';
import { CaseSlaBadge } from './sla/sla-timer-badge.tsx';

interface Filters {
  kind: string;
  status: string;
  priority: string;
  assignee: string;
  text: string;
  /** `''` newest first, `votes` most voted first. */
  sort: string;
  server: string;
}

/** Every case (support, bug reports, feature requests), filtered. */
export function CasesPage() {
  const state = useDesktop();
  const [filters, setFilters] = useState<Filters>({
    kind: '',
    status: '',
    priority: '',
    assignee: '',
    text: '',
    sort: '',
    server: '',
  });
  const servers = useServers();
  const [cases, setCases] = useState<Case[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [refresh, setRefresh] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `refresh` re-runs the query when a case changes
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      get<{ cases: Case[] }>(`/cases${query({ ...filters, limit: 100 })}`)
        .then((r) => {
          if (!live) return;
          setCases(r.cases);
          setError(null);
        })
        .catch((err: unknown) => live && setError(err instanceof ApiError ? err.message : 'could not load'));
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [filters, refresh]);

  useEffect(
    () =>
      desktop.onEvent((event) => {
        if (event.type === 'case.created' || event.type === 'case.updated') setRefresh((n) => n + 1);
      }),
    [],
  );

  const set = (key: keyof Filters) => (event: { target: { value: string } }) =>
    setFilters((f) => ({ ...f, [key]: event.target.value }));
  const agentName = (id: string | null) => (id ? (state.agents.find((a) => a.id === id)?.name ?? '—') : '—');

  return (
    <div className="page">
      <h1>Cases</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <input
          type="search"
          aria-label="Search cases"
          placeholder="Search subject, fields or #number"
          value={filters.text}
          onChange={set('text')}
        />
        <select aria-label="Kind" value={filters.kind} onChange={set('kind')}>
          <option value="">All kinds</option>
          <option value="support">support</option>
          <option value="bug">bug</option>
          <option value="feature">feature</option>
        </select>
        <select aria-label="Status" value={filters.status} onChange={set('status')}>
          <option value="">All statuses</option>
          {['new', 'open', 'pending', 'solved', 'closed'].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <select aria-label="Priority" value={filters.priority} onChange={set('priority')}>
          <option value="">All priorities</option>
          {['low', 'normal', 'high', 'urgent'].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <select aria-label="Assignee" value={filters.assignee} onChange={set('assignee')}>
          <option value="">Anyone</option>
          <option value="me">Me</option>
          {state.agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
        <select aria-label="Sort" value={filters.sort} onChange={set('sort')}>
          <option value="">Newest first</option>
          <option value="votes">Most votes first</option>
        </select>
        <ServerSelect
          servers={servers}
          value={filters.server}
          onChange={(server) => setFilters((f) => ({ ...f, server }))}
        />
      </form>
      <ErrorNote message={error} />
      <div className="table-wrap">
        <table className="table cases">
          <thead>
            <tr>
              <th>#</th>
              <th>Subject</th>
              <th>Kind</th>
              <th>Status</th>
              <th>Priority</th>
              <th>Assignee</th>
              <th>SLA</th>
              <th>Votes</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {cases.map((c) => (
              <tr key={c.id} onClick={() => navigate(`/cases/${c.number}`)} className="clickable">
                <td>
                  <Link to={`/cases/${c.number}`}>#{c.number}</Link>
                </td>
                <td dir="auto" className="subject-cell">
                  {c.subject} <ServerBadge server={c.server} />
                </td>
                <td>
                  <span className={`kind kind-${c.kind}`}>{c.kind}</span>
                </td>
                <td>{c.status}</td>
                <td className={`priority-${c.priority}`}>{c.priority}</td>
                <td>{agentName(c.assigneeId)}</td>
                <td className="sla">
                  <CaseSlaBadge caseId={c.id} dash />
                </td>
                <td>{c.votes}</td>
                <td>{formatTime(c.updatedAt)}</td>
              </tr>
            ))}
            {cases.length === 0 && (
              <tr>
                <td colSpan={9} className="muted">
                  No case matches.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** One case: the editable panel and the conversations linked to it. */
export function CaseDetailPage({ id }: { id: string }) {
  const [conversations, setConversations] = useState<Conversation[]>([]);
  useEffect(() => {
    get<{ case: Case }>(`/cases/${encodeURIComponent(id)}`)
      .then((r) => get<{ conversations: Conversation[] }>(`/conversations${query({ caseId: r.case.id })}`))
      .then((r) => setConversations(r.conversations))
      .catch(() => {});
  }, [id]);
  return (
    <div className="page case-page">
      <p>
        <Link to="/cases">← All cases</Link>
      </p>
      <div className="case-layout">
        <CasePanel id={id} wide />
        <section className="card">
          <h2>Conversations</h2>
          <ul className="plain">
            {conversations.map((c) => (
              <li key={c.id}>
                <ChannelIcon channel={c.channel} /> <Link to={`/conversations/${c.id}`}>{c.state}</Link>{' '}
                <span className="muted">{formatTime(c.createdAt)}</span>
              </li>
            ))}
            {conversations.length === 0 && <li className="muted">None visible to you.</li>}
          </ul>
        </section>
      </div>
    </div>
  );
}
