import { type FormEvent, useEffect, useState } from 'react';
import type { CasePriority, CaseStatus } from '../../../../src/core/model.ts';
import { del, get, patch, post, query } from '../../shared/api.ts';
import { ErrorNote } from '../../shared/error-note.tsx';
import type { CannedResponse } from '../../shared/types.ts';
import { describeActions } from '../macro-menu.tsx';
import { message } from './admin-form.ts';

/** The form's fields; the last four make it a macro (status, priority and tags of the case, close). */
const emptyCanned = {
  shortcut: '',
  title: '',
  text: '',
  locale: '',
  status: '',
  priority: '',
  tags: '',
  close: '',
};

const formOf = (r: CannedResponse): typeof emptyCanned => ({
  shortcut: r.shortcut,
  title: r.title,
  text: r.text,
  locale: r.locale ?? '',
  status: r.actions?.status ?? '',
  priority: r.actions?.priority ?? '',
  tags: r.actions?.tags?.join(', ') ?? '',
  close: r.actions?.close ? 'yes' : '',
});

function actionsOf(form: typeof emptyCanned): CannedResponse['actions'] | null {
  const tags = form.tags
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const actions = {
    ...(form.status ? { status: form.status as CaseStatus } : {}),
    ...(form.priority ? { priority: form.priority as CasePriority } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    ...(form.close ? { close: true } : {}),
  };
  return Object.keys(actions).length > 0 ? actions : null;
}

/** Canned responses, shared by the whole team (stored on the server); agents insert them with `/shortcut`. */
export function CannedAdmin() {
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
      actions: actionsOf(form),
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
            {r.locale && <span className="tag">{r.locale}</span>}
            {r.actions && <span className="tag macro">macro: {describeActions(r.actions)}</span>} —{' '}
            <span className="muted" dir="auto">
              {r.text}
            </span>{' '}
            <button
              type="button"
              className="link-button"
              onClick={() => {
                setEditing(r.id);
                setForm(formOf(r));
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
        <select aria-label="Case status" value={form.status} onChange={set('status')}>
          <option value="">case status: unchanged</option>
          {['open', 'pending', 'solved', 'closed'].map((v) => (
            <option key={v} value={v}>
              case {v}
            </option>
          ))}
        </select>
        <select aria-label="Priority" value={form.priority} onChange={set('priority')}>
          <option value="">priority: unchanged</option>
          {['low', 'normal', 'high', 'urgent'].map((v) => (
            <option key={v} value={v}>
              priority {v}
            </option>
          ))}
        </select>
        <input aria-label="Tags" placeholder="tags to add (a, b)" value={form.tags} onChange={set('tags')} />
        <label className="check">
          <input
            type="checkbox"
            aria-label="Close the conversation"
            checked={form.close === 'yes'}
            onChange={(e) => setForm((f) => ({ ...f, close: e.target.checked ? 'yes' : '' }))}
          />
          close
        </label>
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
