import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, del, get, patch, post, put, query } from '../shared/api.ts';
import { ErrorNote } from '../shared/error-note.tsx';
import type { CannedResponse, ChannelHealth, Queue } from '../shared/types.ts';
import { AgentsAdmin } from './agents-admin.tsx';
import { AnnouncementsAdmin } from './announcements-admin.tsx';
import { ArticlesAdmin } from './article-editor.tsx';
import { desktop } from './desktop-store.ts';
import { HandoffQueueSetting } from './handoff-queue-setting.tsx';
import { Link } from './router.tsx';

const sections = [
  ['agents', 'Agents'],
  ['queues', 'Queues'],
  ['articles', 'Articles'],
  ['canned', 'Canned responses'],
  ['flow', 'Flow'],
  ['channels', 'Channels'],
  ['announcements', 'Announcements'],
] as const;

export function AdminPage({ section }: { section: string }) {
  return (
    <div className="page admin">
      <h1>Admin</h1>
      <nav className="tabs" aria-label="Admin sections">
        {sections.map(([key, label]) => (
          <Link key={key} to={`/admin/${key}`} className={key === section ? 'tab active' : 'tab'}>
            {label}
          </Link>
        ))}
      </nav>
      {section === 'agents' && <AgentsAdmin />}
      {section === 'queues' && <QueuesAdmin />}
      {section === 'articles' && <ArticlesAdmin />}
      {section === 'canned' && <CannedAdmin />}
      {section === 'flow' && <FlowAdmin />}
      {section === 'channels' && <ChannelsAdmin />}
      {section === 'announcements' && <AnnouncementsAdmin />}
    </div>
  );
}

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const message = (err: unknown) => (err instanceof ApiError ? err.message : 'failed');

function QueuesAdmin() {
  const [queues, setQueues] = useState<Queue[]>([]);
  const [name, setName] = useState('');
  const [skills, setSkills] = useState('');
  const [error, setError] = useState<string | null>(null);
  const load = () => get<{ queues: Queue[] }>('/queues').then((r) => setQueues(r.queues));
  // biome-ignore lint/correctness/useExhaustiveDependencies: loaded once; saving reloads explicitly
  useEffect(() => {
    void load();
  }, []);
  const create = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await post('/queues', { name, skills: list(skills) });
      setName('');
      setSkills('');
      await load();
      await desktop.reload();
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <section className="card">
      <HandoffQueueSetting queues={queues} />
      <table className="table" aria-label="Queues">
        <thead>
          <tr>
            <th>Queue</th>
            <th>Required skills</th>
          </tr>
        </thead>
        <tbody>
          {queues.map((q) => (
            <tr key={q.id}>
              <td>{q.name}</td>
              <td>
                <input
                  aria-label={`Skills of ${q.name}`}
                  defaultValue={q.skills.join(', ')}
                  onBlur={(e) => {
                    if (e.target.value !== q.skills.join(', '))
                      void patch(`/queues/${q.id}`, { skills: list(e.target.value) }).catch((err: unknown) =>
                        setError(message(err)),
                      );
                  }}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline-form" onSubmit={(e) => void create(e)}>
        <input
          aria-label="Queue name"
          required
          placeholder="queue name"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <input
          aria-label="Queue skills"
          placeholder="skills, comma separated"
          value={skills}
          onChange={(e) => setSkills(e.target.value)}
        />
        <button type="submit" className="primary">
          Create queue
        </button>
      </form>
      <ErrorNote message={error} />
    </section>
  );
}

const emptyCanned = { shortcut: '', title: '', text: '', locale: '' };

/** Canned responses, shared by the whole team (stored on the server); agents insert them with `/shortcut`. */
function CannedAdmin() {
  const [responses, setResponses] = useState<CannedResponse[]>([]);
  const [search, setSearch] = useState('');
  const [form, setForm] = useState(emptyCanned);
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = async (q = search) => {
    const found = await get<{ cannedResponses: CannedResponse[] }>(
      `/canned-responses${query({ q: q.trim(), limit: 200 })}`,
    );
    setResponses(found.cannedResponses);
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: reloads when the search changes, not when `load` is recreated
  useEffect(() => {
    const timer = setTimeout(() => void load(search).catch((err) => setError(message(err))), 150);
    return () => clearTimeout(timer);
  }, [search]);
  const set = (key: keyof typeof emptyCanned) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const body = {
      shortcut: form.shortcut,
      title: form.title,
      text: form.text,
      locale: form.locale.trim() || null,
    };
    try {
      if (editing) await patch(`/canned-responses/${editing}`, body);
      else await post('/canned-responses', body);
      setForm(emptyCanned);
      setEditing(null);
      await load();
    } catch (err) {
      setError(message(err));
    }
  };
  const remove = async (response: CannedResponse) => {
    setError(null);
    try {
      await del(`/canned-responses/${response.id}`);
      if (editing === response.id) {
        setEditing(null);
        setForm(emptyCanned);
      }
      await load();
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <section className="card">
      <p className="muted">Shared by every agent: type / and the shortcut in a reply to insert the text.</p>
      <input
        type="search"
        aria-label="Search canned responses"
        placeholder="Search by shortcut, title or text"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      <ul className="plain canned-list" aria-label="Canned responses">
        {responses.map((r) => (
          <li key={r.id} data-shortcut={r.shortcut}>
            <strong>/{r.shortcut}</strong> <span dir="auto">{r.title}</span>
            {r.locale && <span className="tag">{r.locale}</span>} —{' '}
            <span className="muted" dir="auto">
              {r.text}
            </span>{' '}
            <button
              type="button"
              className="link-button"
              onClick={() => {
                setEditing(r.id);
                setForm({ shortcut: r.shortcut, title: r.title, text: r.text, locale: r.locale ?? '' });
              }}
            >
              Edit
            </button>{' '}
            <button type="button" className="link-button" onClick={() => void remove(r)}>
              Remove
            </button>
          </li>
        ))}
        {responses.length === 0 && (
          <li className="muted">No canned response{search ? ' matches' : ' yet'}.</li>
        )}
      </ul>
      <form className="inline-form" onSubmit={(e) => void save(e)} aria-label="Canned response">
        <input
          aria-label="Shortcut"
          placeholder="shortcut"
          value={form.shortcut}
          onChange={set('shortcut')}
        />
        <input aria-label="Title" dir="auto" placeholder="title" value={form.title} onChange={set('title')} />
        <input
          aria-label="Text"
          className="grow"
          dir="auto"
          placeholder="text"
          value={form.text}
          onChange={set('text')}
        />
        <input
          aria-label="Locale"
          placeholder="locale (optional)"
          size={8}
          value={form.locale}
          onChange={set('locale')}
        />
        <button type="submit" className="primary">
          {editing ? 'Save' : 'Add'}
        </button>
        {editing && (
          <button
            type="button"
            onClick={() => {
              setEditing(null);
              setForm(emptyCanned);
            }}
          >
            Cancel
          </button>
        )}
      </form>
      <ErrorNote message={error} />
    </section>
  );
}

interface FlowProblem {
  path: string;
  message: string;
}

function FlowAdmin() {
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<FlowProblem[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => {
    get<{ definition: unknown }>('/flows/active')
      .then((flow) => setText(JSON.stringify(flow.definition, null, 2)))
      .catch(() => {});
  }, []);
  const parse = (): unknown => {
    try {
      return JSON.parse(text);
    } catch (err) {
      setProblems([{ path: '(json)', message: err instanceof Error ? err.message : 'not JSON' }]);
      setStatus(null);
      return undefined;
    }
  };
  const validate = async () => {
    const definition = parse();
    if (definition === undefined) return;
    try {
      const result = await post<{ valid: boolean; problems: FlowProblem[] }>('/flows/validate', {
        definition,
      });
      setProblems(result.problems);
      setStatus(result.valid ? 'The flow is valid.' : null);
    } catch (err) {
      setProblems(problemsOf(err));
      setStatus(null);
    }
  };
  const save = async () => {
    const definition = parse();
    if (definition === undefined) return;
    try {
      await put('/flows/active', { definition });
      setProblems([]);
      setStatus('Saved: this flow is now active.');
    } catch (err) {
      setProblems(problemsOf(err));
      setStatus(null);
    }
  };
  const lines = text.split('\n');
  const flagged = new Set(
    problems.map((p) => lineOfPath(lines, p.path)).filter((n): n is number => n !== null),
  );
  return (
    <section className="card flow-editor">
      <div className="flow-grid">
        <div className="gutter" aria-hidden="true">
          {lines.map((_, i) => (
            <div key={`l${String(i)}`} className={flagged.has(i) ? 'flagged' : ''}>
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          aria-label="Flow JSON"
          spellCheck={false}
          value={text}
          rows={Math.max(20, lines.length + 1)}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      <ul className="problems" aria-label="Flow problems">
        {problems.map((p) => (
          <li key={`${p.path}:${p.message}`} className="error">
            <code>{p.path}</code>
            {lineOfPath(lines, p.path) !== null && (
              <span> (line {(lineOfPath(lines, p.path) ?? 0) + 1})</span>
            )}
            : {p.message}
          </li>
        ))}
      </ul>
      {status && (
        <p className="ok" role="status">
          {status}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={() => void validate()}>
          Validate
        </button>
        <button type="button" className="primary" onClick={() => void save()}>
          Save and activate
        </button>
      </div>
    </section>
  );
}

function problemsOf(err: unknown): FlowProblem[] {
  const details = err instanceof ApiError ? err.details : undefined;
  const problems = (details?.problems ?? details?.issues) as FlowProblem[] | undefined;
  if (Array.isArray(problems))
    return problems.map((p) => ({ path: String(p.path), message: String(p.message) }));
  return [{ path: '(flow)', message: message(err) }];
}

/** The line of the editor a problem's JSON path (`states[2].next`) points at, found by the state's name. */
function lineOfPath(lines: string[], path: string): number | null {
  const state = /^states\[(\d+)\](?:\.(\w+))?/.exec(path);
  if (!state) return null;
  let seen = -1;
  let depth = 0;
  for (const [i, line] of lines.entries()) {
    // Each state object opens at depth 2 inside "states": [ … ].
    const opens = (line.match(/[{[]/g) ?? []).length;
    const closes = (line.match(/[}\]]/g) ?? []).length;
    if (depth === 2 && line.trim().startsWith('{')) seen += 1;
    if (seen === Number(state[1])) {
      const key = state[2];
      if (!key) return i;
      for (let j = i; j < lines.length; j++) {
        if (lines[j]?.includes(`"${key}"`)) return j;
        if (j > i && lines[j]?.trim().startsWith('}') && lines[j]?.search(/\S/) === line.search(/\S/))
          return i;
      }
      return i;
    }
    depth += opens - closes;
  }
  return null;
}

function ChannelsAdmin() {
  const [channels, setChannels] = useState<ChannelHealth[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const load = () =>
      get<{ channels: ChannelHealth[] }>('/channels')
        .then((body) => {
          setChannels(body.channels);
          setError(null);
        })
        .catch((err: unknown) => setError(message(err)));
    void load();
    // A connector reconnects on its own: the page follows without a reload.
    const timer = setInterval(load, 5_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <section className="card">
      <ErrorNote message={error} />
      <table className="table" aria-label="Channels">
        <thead>
          <tr>
            <th>Channel</th>
            <th>State</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {(channels ?? []).map((h) => (
            <tr key={h.channel} data-channel={h.channel}>
              <td>{h.channel}</td>
              <td>
                <span className={`health health-${h.status}`}>{h.status}</span>
              </td>
              <td dir="auto">{h.detail ?? ''}</td>
            </tr>
          ))}
          {channels?.length === 0 && (
            <tr>
              <td colSpan={3} className="muted">
                No channel is configured.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
