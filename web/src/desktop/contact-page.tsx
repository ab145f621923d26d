import { useEffect, useState } from 'react';
import { ApiError, api, get, query } from '../shared/api.ts';
import { ErrorNote } from '../shared/error-note.tsx';
import { formatTime } from '../shared/format.ts';
import { safeUrl } from '../shared/safe-url.ts';
import type { Case, Contact, Conversation } from '../shared/types.ts';
import { ChannelIcon } from './channel-icon.tsx';
import { Link } from './router.tsx';

/** A web-chat visitor as admins see it (src/channels/webchat). */
interface WebchatVisitorView {
  id: string;
  createdAt: string;
  blocked: boolean;
  blockedAt: string | null;
}

/**
 * Whether a web-chat visitor may still write, and the admin's switch. Only admins get the visitor's
 * record; for anyone else the server says 403 and nothing is shown.
 */
function VisitorBlock({ visitorId }: { visitorId: string }) {
  const [visitor, setVisitor] = useState<WebchatVisitorView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    get<WebchatVisitorView>(`/webchat/visitors/${encodeURIComponent(visitorId)}`)
      .then(setVisitor)
      .catch((err: unknown) => {
        if (!(err instanceof ApiError && (err.status === 403 || err.status === 404)))
          setError(err instanceof Error ? err.message : 'could not load the visitor');
      });
  }, [visitorId]);
  if (!visitor) return error ? <ErrorNote message={error} /> : null;
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      const path = `/webchat/visitors/${encodeURIComponent(visitorId)}/block`;
      setVisitor(await api<WebchatVisitorView>(visitor.blocked ? 'DELETE' : 'PUT', path, {}));
    } catch (err) {
      setError(err instanceof Error ? err.message : 'not changed');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="visitor-block">
      {visitor.blocked ? (
        <span className="badge">Blocked {visitor.blockedAt ? formatTime(visitor.blockedAt) : ''}</span>
      ) : null}{' '}
      <button type="button" disabled={busy} onClick={() => void toggle()}>
        {visitor.blocked ? 'Unblock visitor' : 'Block visitor'}
      </button>
      {error && <ErrorNote message={error} />}
    </div>
  );
}

/** A contact: name and avatar, identities per channel, previous conversations and cases. */
export function ContactPage({ id }: { id: string }) {
  const [contact, setContact] = useState<Contact | null>(null);
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [cases, setCases] = useState<Case[]>([]);
  useEffect(() => {
    get<Contact>(`/contacts/${id}`)
      .then(setContact)
      .catch(() => {});
    get<{ conversations: Conversation[] }>(`/conversations${query({ contactId: id, limit: 50 })}`)
      .then((r) => setConversations(r.conversations))
      .catch(() => {});
    get<{ cases: Case[] }>(`/cases${query({ contactId: id, limit: 50 })}`)
      .then((r) => setCases(r.cases))
      .catch(() => {});
  }, [id]);
  const avatar = contact?.avatarUrl ? safeUrl(contact.avatarUrl) : null;
  return (
    <div className="page">
      <header className="contact-head">
        {avatar ? (
          <img className="avatar" src={avatar} alt="" />
        ) : (
          <span className="avatar placeholder" aria-hidden="true" />
        )}
        <div>
          <h1 dir="auto">{contact?.name ?? `Contact ${id.slice(0, 6)}`}</h1>
          <ul className="identities">
            {contact?.identities.map((i) => (
              <li key={`${i.channel}:${i.externalId}`}>
                <ChannelIcon channel={i.channel} />{' '}
                {i.channel === 'webchat' ? 'web-chat visitor' : i.externalId}
                {i.channel === 'webchat' && <VisitorBlock visitorId={i.externalId} />}
              </li>
            ))}
          </ul>
          {contact?.locale && <p className="muted">Locale {contact.locale}</p>}
        </div>
      </header>
      <div className="two-columns">
        <section className="card">
          <h2>Conversations</h2>
          <ul className="plain">
            {conversations.map((c) => (
              <li key={c.id}>
                <ChannelIcon channel={c.channel} />{' '}
                <Link to={`/conversations/${c.id}`}>{formatTime(c.createdAt)}</Link>{' '}
                <span className="muted">{c.state}</span>
              </li>
            ))}
            {conversations.length === 0 && <li className="muted">None visible to you.</li>}
          </ul>
        </section>
        <section className="card">
          <h2>Cases</h2>
          <ul className="plain">
            {cases.map((c) => (
              <li key={c.id}>
                <Link to={`/cases/${c.number}`}>#{c.number}</Link> <span dir="auto">{c.subject}</span>{' '}
                <span className="muted">{c.status}</span>
              </li>
            ))}
            {cases.length === 0 && <li className="muted">No cases.</li>}
          </ul>
        </section>
      </div>
    </div>
  );
}
