import { useEffect, useState } from 'react';
import { ApiError, get } from '../shared/api.ts';
import { ErrorNote } from '../shared/error-note.tsx';
import { formatDuration, secondsSince } from '../shared/format.ts';
import type { Case, Conversation, Reservation } from '../shared/types.ts';
import { CasePanel } from './case-panel.tsx';
import { ChannelIcon } from './channel-icon.tsx';
import { ConversationView } from './conversation-view.tsx';
import { contactName, type DesktopState, desktop, useDesktop } from './desktop-store.ts';
import { navigate } from './router.tsx';
import { ServerBadge, ServerSelect, useServers } from './servers.tsx';
import { ConversationSlaBadge } from './sla/sla-timer-badge.tsx';
import { useNow } from './use-now.ts';

/** The inbox list (offers, my conversations, the queue) beside the open conversation and its case. */
export function InboxPage({ conversationId }: { conversationId: string | null }) {
  const state = useDesktop();
  const [caseId, setCaseId] = useState<string | null>(null);

  useEffect(() => {
    desktop.markSeen();
    const onFocus = () => desktop.markSeen();
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, []);

  return (
    <div className={conversationId ? 'inbox with-conversation' : 'inbox'}>
      <InboxList state={state} selected={conversationId} />
      {conversationId ? (
        <>
          <ConversationView key={conversationId} id={conversationId} onCase={setCaseId} />
          <aside className="case-column" aria-label="Case">
            {caseId ? (
              <CasePanel key={caseId} id={caseId} />
            ) : (
              <p className="muted pad">No case is linked.</p>
            )}
          </aside>
        </>
      ) : (
        <div className="empty-conversation">
          <p className="muted">Select a conversation, or wait for an offer.</p>
        </div>
      )}
    </div>
  );
}

function InboxList({ state, selected }: { state: DesktopState; selected: string | null }) {
  const now = useNow();
  const me = state.me;
  const servers = useServers();
  const [server, setServer] = useState('');
  // Offers are never filtered away: an offer left unseen would time out.
  const all = [...state.conversations.values()].filter((c) => !server || c.server?.id === server);
  const mine = all
    .filter((c) => c.agentId === me?.id && (c.state === 'assigned' || c.state === 'wrapping'))
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  const offered = new Set(state.reservations.map((r) => r.conversationId));
  const queued = all
    .filter((c) => c.state === 'queued' && !offered.has(c.id))
    .sort((a, b) => (a.queuedAt ?? '').localeCompare(b.queuedAt ?? ''));
  const queueName = (id: string | null) => state.queues.find((q) => q.id === id)?.name ?? '';

  return (
    <section className="inbox-list" aria-label="Inbox">
      <ServerSelect servers={servers} value={server} onChange={setServer} />
      <h2>
        Offers <span className="count">{state.reservations.length}</span>
      </h2>
      <ul className="rows" aria-label="Offers">
        {state.reservations.length === 0 && <li className="muted empty-row">No offers right now.</li>}
        {state.reservations.map((r) => (
          <OfferRow key={r.id} reservation={r} state={state} now={now} />
        ))}
      </ul>
      <h2>
        My conversations <span className="count">{mine.length}</span>
      </h2>
      <ul className="rows" aria-label="My conversations">
        {mine.length === 0 && <li className="muted empty-row">Nothing assigned to you.</li>}
        {mine.map((c) => (
          <ConversationRow key={c.id} conversation={c} state={state} now={now} selected={c.id === selected} />
        ))}
      </ul>
      <h2>
        Queue <span className="count">{queued.length}</span>
      </h2>
      <ul className="rows" aria-label="Queue">
        {queued.length === 0 && <li className="muted empty-row">Nobody is waiting.</li>}
        {queued.map((c) => (
          <ConversationRow
            key={c.id}
            conversation={c}
            state={state}
            now={now}
            selected={c.id === selected}
            note={queueName(c.queueId)}
          />
        ))}
      </ul>
    </section>
  );
}

function ConversationRow(props: {
  conversation: Conversation;
  state: DesktopState;
  now: number;
  selected: boolean;
  note?: string;
}) {
  const { conversation: c, state, now } = props;
  const last = state.lastMessage.get(c.id);
  const since = c.state === 'queued' ? c.queuedAt : (last?.createdAt ?? c.updatedAt);
  return (
    <li>
      <button
        type="button"
        className={props.selected ? 'row selected' : 'row'}
        onClick={() => navigate(`/conversations/${c.id}`)}
        data-conversation={c.id}
      >
        <ChannelIcon channel={c.channel} />
        <span className="row-main">
          <span className="row-title">
            <span className="name">{contactName(state, c.contactId)}</span>
            <span className="wait" title="Waiting time">
              {formatDuration(secondsSince(since, now))}
            </span>
          </span>
          <span className="preview" dir="auto">
            {last ? last.text : ''}
          </span>
          <ConversationSlaBadge conversation={c} />
          <ServerBadge server={c.server} />
          {(props.note || c.state === 'wrapping') && (
            <span className="row-note">{c.state === 'wrapping' ? 'wrapping up' : props.note}</span>
          )}
        </span>
      </button>
    </li>
  );
}

function OfferRow({
  reservation,
  state,
  now,
}: {
  reservation: Reservation;
  state: DesktopState;
  now: number;
}) {
  const [error, setError] = useState<string | null>(null);
  const conversation = state.conversations.get(reservation.conversationId);
  const question = useContactQuestion(conversation, state);
  const total = Math.max(
    1,
    (new Date(reservation.expiresAt).getTime() - new Date(reservation.createdAt).getTime()) / 1000,
  );
  // Clamped: the browser's clock may run a little behind the server's.
  const left = Math.min(total, Math.max(0, (new Date(reservation.expiresAt).getTime() - now) / 1000));
  const act = async (what: 'accept' | 'reject') => {
    setError(null);
    try {
      if (what === 'accept') {
        const accepted = await desktop.accept(reservation);
        navigate(`/conversations/${accepted.id}`);
      } else {
        await desktop.reject(reservation);
      }
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'failed');
    }
  };
  return (
    <li className="offer" data-reservation={reservation.id}>
      <div className="offer-head">
        {conversation && <ChannelIcon channel={conversation.channel} />}
        <span className="name">
          {conversation ? contactName(state, conversation.contactId) : 'New conversation'}
        </span>
        <span className="countdown" role="timer" aria-label="Time left to accept">
          {Math.ceil(left)}s
        </span>
      </div>
      <div className="meter" aria-hidden="true">
        <div style={{ width: `${(left / total) * 100}%` }} />
      </div>
      {question && (
        <p className="preview" dir="auto" title="The contact's question">
          {question}
        </p>
      )}
      {conversation?.queuedAt && (
        <p className="muted small">waiting {formatDuration(secondsSince(conversation.queuedAt, now))}</p>
      )}
      <div className="actions">
        <button type="button" className="primary" onClick={() => void act('accept')}>
          Accept
        </button>
        <button type="button" onClick={() => void act('reject')}>
          Reject
        </button>
      </div>
      <ErrorNote message={error} />
    </li>
  );
}

/**
 * What the contact asked: the subject of the conversation's case (their last question before the hand-off,
 * not "talk to a person"), else their own last message; never the bot's text.
 */
function useContactQuestion(conversation: Conversation | undefined, state: DesktopState): string | null {
  const caseId = conversation?.caseId ?? null;
  const [subject, setSubject] = useState<string | null>(null);
  useEffect(() => {
    setSubject(null);
    if (!caseId) return;
    let current = true;
    get<{ case: Case }>(`/cases/${encodeURIComponent(caseId)}`)
      .then((found) => {
        if (current) setSubject(found.case.subject);
      })
      .catch(() => {});
    return () => {
      current = false;
    };
  }, [caseId]);
  const fromContact = conversation ? state.lastContactMessage.get(conversation.id) : undefined;
  return subject ?? fromContact?.text ?? null;
}
