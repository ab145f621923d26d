import { useEffect, useState } from 'react';
import { ApiError, get, post } from '../../shared/api.ts';
import { ErrorNote } from '../../shared/error-note.tsx';
import { formatDuration, formatTime, secondsSince } from '../../shared/format.ts';
import { MessageBody } from '../../shared/message-body.tsx';
import type {
  Conversation,
  ConversationNote,
  Message,
  MonitoredConversation,
  MonitorSnapshot,
} from '../../shared/types.ts';
import { SupervisorTabs } from '../bot-page.tsx';
import { ChannelIcon } from '../channel-icon.tsx';
import { desktop, useDesktop } from '../desktop-store.ts';
import { Link } from '../router.tsx';
import { ConversationSlaBadge } from '../sla/sla-timer-badge.tsx';
import { useNow } from '../use-now.ts';

/** One entry of a read-only transcript: a message, or an internal note (agents only). */
type Entry =
  | { kind: 'message'; at: string; message: Message }
  | { kind: 'note'; at: string; note: ConversationNote };

/** Messages and notes in the order they were written. */
export function transcriptEntries(messages: Message[], notes: ConversationNote[]): Entry[] {
  return [
    ...messages
      .filter((m) => m.text.trim() || m.attachments.length > 0)
      .map((message) => ({ kind: 'message' as const, at: message.createdAt, message })),
    ...notes.map((note) => ({ kind: 'note' as const, at: note.createdAt, note })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/**
 * The supervisor monitor (GET /api/v1/monitor): every live conversation, who is online and what each agent
 * views, kept live by the realtime socket. A conversation opens read-only, with an internal note and a
 * reassignment.
 */
export function MonitorPage({ conversationId }: { conversationId: string | null }) {
  const [snapshot, setSnapshot] = useState<MonitorSnapshot | null>(null);
  const [error, setError] = useState<string | null>(null);
  const now = useNow();

  useEffect(() => {
    let live = true;
    let pending: ReturnType<typeof setTimeout> | null = null;
    const load = async () => {
      try {
        const next = await get<MonitorSnapshot>('/monitor');
        if (!live) return;
        setSnapshot(next);
        setError(null);
      } catch (err) {
        if (live) setError(err instanceof ApiError ? err.message : 'could not load the monitor');
      }
    };
    void load();
    // A change is often several events (a hand-off, a transfer): one reload per burst.
    const off = desktop.onEvent((event) => {
      if (event.type === 'hello' || event.type === 'heartbeat') return;
      if (pending) clearTimeout(pending);
      pending = setTimeout(() => void load(), 200);
    });
    return () => {
      live = false;
      off();
      if (pending) clearTimeout(pending);
    };
  }, []);

  const rows = snapshot?.conversations ?? [];
  const byId = new Map(rows.map((r) => [r.conversation.id, r]));
  const wait = (r: MonitoredConversation) =>
    r.conversation.state === 'queued' && r.conversation.queuedAt
      ? formatDuration(secondsSince(r.conversation.queuedAt, now))
      : r.waitSeconds === null
        ? '—'
        : formatDuration(r.waitSeconds);

  return (
    <div className="page supervisor monitor">
      <h1>Supervisor</h1>
      <SupervisorTabs active="monitor" />
      <ErrorNote message={error} />
      {!snapshot && !error && <p className="muted">Loading the monitor…</p>}
      {snapshot && (
        <div className="two-columns">
          <section className="card">
            <h2>Live conversations</h2>
            <table className="table" aria-label="Live conversations">
              <thead>
                <tr>
                  <th>Contact</th>
                  <th>Channel</th>
                  <th>State</th>
                  <th>Queue</th>
                  <th>Wait</th>
                  <th>Holder</th>
                  <th>SLA</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr
                    key={r.conversation.id}
                    data-conversation={r.conversation.id}
                    className={r.conversation.id === conversationId ? 'selected' : undefined}
                  >
                    <td>
                      <Link to={`/supervisor/monitor/${encodeURIComponent(r.conversation.id)}`}>
                        <span dir="auto">
                          {r.contactName ?? `Contact ${r.conversation.contactId.slice(0, 6)}`}
                        </span>
                      </Link>
                    </td>
                    <td>
                      <ChannelIcon channel={r.conversation.channel} /> {r.conversation.channel}
                    </td>
                    <td>
                      <span className={`state state-${r.conversation.state}`}>{r.conversation.state}</span>
                    </td>
                    <td>{r.queueName ?? '—'}</td>
                    <td className="wait">{wait(r)}</td>
                    <td className="holder">{r.holderName ?? '—'}</td>
                    <td className="sla">
                      <ConversationSlaBadge conversation={r.conversation} dash />
                    </td>
                  </tr>
                ))}
                {rows.length === 0 && (
                  <tr>
                    <td colSpan={7} className="muted">
                      No live conversations.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </section>
          <section className="card">
            <h2>Agents</h2>
            <table className="table" aria-label="Agents online">
              <thead>
                <tr>
                  <th>Agent</th>
                  <th>Presence</th>
                  <th>Load</th>
                  <th>Viewing</th>
                </tr>
              </thead>
              <tbody>
                {snapshot.agents.map((a) => {
                  const viewed = a.viewing ? byId.get(a.viewing.conversationId) : undefined;
                  return (
                    <tr key={a.id} data-agent={a.email}>
                      <td>{a.name}</td>
                      <td>
                        <span className={`dot presence-${a.presence}`} aria-hidden="true" /> {a.presence}
                      </td>
                      <td>
                        {a.load} / {a.capacity}
                      </td>
                      <td className="viewing">
                        {a.viewing ? (
                          <Link to={`/supervisor/monitor/${encodeURIComponent(a.viewing.conversationId)}`}>
                            <span dir="auto">{viewed?.contactName ?? 'a conversation'}</span>
                          </Link>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
        </div>
      )}
      {conversationId && <MonitoredConversationPanel key={conversationId} id={conversationId} />}
    </div>
  );
}

/** A conversation as the supervisor watches it: read-only, with a note for its agents and a reassignment. */
function MonitoredConversationPanel({ id }: { id: string }) {
  const state = useDesktop();
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [notes, setNotes] = useState<ConversationNote[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    Promise.all([
      get<Conversation>(`/conversations/${id}`),
      get<{ messages: Message[] }>(`/conversations/${id}/messages`),
      get<{ notes: ConversationNote[] }>(`/conversations/${id}/notes`),
    ])
      .then(([c, m, n]) => {
        if (!live) return;
        setConversation(c);
        setMessages(m.messages);
        setNotes(n.notes);
      })
      .catch((err: unknown) => live && setError(err instanceof ApiError ? err.message : 'could not load'));
    const off = desktop.onEvent((event) => {
      if (event.type === 'message.created' && event.message.conversationId === id) {
        setMessages((list) =>
          list.some((m) => m.id === event.message.id) ? list : [...list, event.message],
        );
        setConversation(event.conversation);
      }
      if (event.type === 'note.created' && event.note.conversationId === id)
        setNotes((list) => (list.some((n) => n.id === event.note.id) ? list : [...list, event.note]));
      if (event.type === 'conversation.updated' && event.conversation.id === id)
        setConversation(event.conversation);
    });
    return () => {
      live = false;
      off();
    };
  }, [id]);

  const agentName = (agentId: string | null) => state.agents.find((a) => a.id === agentId)?.name ?? 'Agent';
  const addNote = async () => {
    if (!note.trim()) return;
    setBusy(true);
    try {
      const created = await post<ConversationNote>(`/conversations/${id}/notes`, { text: note });
      setNotes((list) => (list.some((n) => n.id === created.id) ? list : [...list, created]));
      setNote('');
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'the note was not saved');
    } finally {
      setBusy(false);
    }
  };
  const reassign = async () => {
    const [kind, targetId] = target.split(':');
    if (!targetId) return;
    setBusy(true);
    try {
      setConversation(
        await post<Conversation>(
          `/monitor/conversations/${id}/reassign`,
          kind === 'agent' ? { agentId: targetId } : { queueId: targetId },
        ),
      );
      setTarget('');
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'could not reassign');
    } finally {
      setBusy(false);
    }
  };

  if (!conversation)
    return error ? (
      <p className="error" role="alert">
        {error}
      </p>
    ) : (
      <p className="muted">Loading the conversation…</p>
    );
  const movable = conversation.state === 'assigned' || conversation.state === 'queued';
  return (
    <section className="card monitored" aria-label="Monitored conversation">
      <h2>
        <span className={`state state-${conversation.state}`}>{conversation.state}</span>{' '}
        {conversation.agentId ? `with ${agentName(conversation.agentId)}` : ''}
      </h2>
      <p className="muted">Read-only: the holder answers the contact. Notes are seen by agents only.</p>
      <ol className="transcript" aria-label="Transcript">
        {transcriptEntries(messages, notes).map((e) =>
          e.kind === 'message' ? (
            <li
              key={e.message.id}
              className={`message from-${e.message.authorKind}`}
              data-author={e.message.authorKind}
            >
              <div className="message-meta">
                <span className="author">
                  {e.message.authorKind === 'agent' ? agentName(e.message.authorId) : e.message.authorKind}
                </span>
                <time dateTime={e.at}>{formatTime(e.at)}</time>
              </div>
              <MessageBody text={e.message.text} />
            </li>
          ) : (
            <li key={e.note.id} className="message note" data-author="note">
              <div className="message-meta">
                <span className="author">Internal note · {agentName(e.note.authorId)}</span>
                <time dateTime={e.at}>{formatTime(e.at)}</time>
              </div>
              <p className="message-text" dir="auto">
                {e.note.text}
              </p>
            </li>
          ),
        )}
      </ol>
      <label className="field">
        <span>Internal note (agents only)</span>
        <textarea
          aria-label="Internal note"
          dir="auto"
          rows={2}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
      </label>
      <div className="actions">
        <button type="button" disabled={busy || !note.trim()} onClick={() => void addNote()}>
          Add note
        </button>
      </div>
      {movable && (
        <div className="actions">
          <select aria-label="Reassign to" value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">Reassign to an agent or a queue</option>
            <optgroup label="Queues">
              {state.queues.map((q) => (
                <option key={q.id} value={`queue:${q.id}`}>
                  {q.name}
                </option>
              ))}
            </optgroup>
            <optgroup label="Agents">
              {state.agents
                .filter((a) => a.id !== conversation.agentId && a.status === 'active')
                .map((a) => (
                  <option key={a.id} value={`agent:${a.id}`}>
                    {a.name} ({a.presence})
                  </option>
                ))}
            </optgroup>
          </select>
          <button
            type="button"
            className="primary"
            disabled={busy || !target}
            onClick={() => void reassign()}
          >
            Reassign
          </button>
        </div>
      )}
      <ErrorNote message={error} />
    </section>
  );
}
