import { useEffect, useState } from 'react';
import { ApiError, get, query } from '../shared/api.ts';
import { ErrorNote } from '../shared/error-note.tsx';
import { formatTime } from '../shared/format.ts';
import type { Contact } from '../shared/types.ts';
import { ChannelIcon } from './channel-icon.tsx';
import { Link } from './router.tsx';

const pageSize = 50;

/** Every contact, newest first, searchable by name or channel identity; each opens the contact page. */
export function ContactsPage() {
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  const [contacts, setContacts] = useState<Contact[]>([]);
  const [more, setMore] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // Typing waits a moment before asking, so each keystroke is not a request.
  useEffect(() => {
    const timer = setTimeout(() => setSearch(text.trim()), 250);
    return () => clearTimeout(timer);
  }, [text]);

  useEffect(() => {
    let current = true;
    setError(null);
    get<{ contacts: Contact[] }>(`/contacts${query({ query: search, limit: pageSize + 1 })}`)
      .then((r) => {
        if (!current) return;
        setContacts(r.contacts.slice(0, pageSize));
        setMore(r.contacts.length > pageSize);
        setLoaded(true);
      })
      .catch((err: unknown) => {
        if (current) setError(err instanceof ApiError ? err.message : 'Could not load contacts.');
      });
    return () => {
      current = false;
    };
  }, [search]);

  const loadMore = async () => {
    try {
      const r = await get<{ contacts: Contact[] }>(
        `/contacts${query({ query: search, limit: pageSize + 1, offset: contacts.length })}`,
      );
      setContacts((known) => [...known, ...r.contacts.slice(0, pageSize)]);
      setMore(r.contacts.length > pageSize);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not load more contacts.');
    }
  };

  return (
    <div className="page">
      <h1>Contacts</h1>
      <div className="filters">
        <input
          type="search"
          aria-label="Search contacts"
          placeholder="Name, Discord name or id, visitor id, phone"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      <ErrorNote message={error} />
      <div className="table-wrap">
        <table className="table" aria-label="Contacts">
          <thead>
            <tr>
              <th>Name</th>
              <th>Channels</th>
              <th>Since</th>
            </tr>
          </thead>
          <tbody>
            {contacts.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`/contacts/${encodeURIComponent(c.id)}`}>
                    <span dir="auto">{c.name}</span>
                  </Link>
                </td>
                <td>
                  <ul className="identities">
                    {c.identities.map((i) => (
                      <li key={`${i.channel}:${i.externalId}`}>
                        <ChannelIcon channel={i.channel} />{' '}
                        {i.channel === 'webchat' ? 'visitor' : i.externalId}
                      </li>
                    ))}
                  </ul>
                </td>
                <td>{formatTime(c.createdAt)}</td>
              </tr>
            ))}
            {loaded && contacts.length === 0 && (
              <tr>
                <td colSpan={3} className="muted">
                  {search ? `No contact matches “${search}”.` : 'No contacts yet.'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {more && (
        <button type="button" onClick={() => void loadMore()}>
          Show more
        </button>
      )}
    </div>
  );
}
