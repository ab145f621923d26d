import { useEffect, useState } from 'react';
import { caseStatuses, conversationStates } from '../../../../src/core/model.ts';
import {
  type SearchHit,
  type SearchKind,
  searchKinds,
} from '../../../../src/core/ports/search-repository.ts';
import { ApiError, get } from '../../shared/api.ts';
import { ErrorNote } from '../../shared/error-note.tsx';
import { formatTime } from '../../shared/format.ts';
import type { PublicAgent, Queue } from '../../shared/types.ts';
import { ChannelIcon } from '../channel-icon.tsx';
import { useDesktop } from '../desktop-store.ts';
import { Link, navigate, useLocationSearch } from '../router.tsx';
import { HighlightedText } from './highlighted-text.tsx';

const kindHeadings: Record<SearchKind, string> = {
  conversation: 'Conversations',
  case: 'Cases',
  contact: 'Contacts',
  article: 'Articles',
};
const sourceLabels: Record<SearchHit['source'], string> = {
  message: 'message',
  case: 'subject or fields',
  note: 'internal note',
  contact: 'name or identity',
  article: 'article',
};
const channels = ['discord', 'webchat', 'sms', 'whatsapp', 'messenger', 'flex'];
const states = [...new Set<string>([...conversationStates, ...caseStatuses])];
/** The URL parameters the page keeps: the words and every filter. */
const filterKeys = ['kind', 'channel', 'state', 'queueId', 'agentId', 'from', 'to'] as const;

/** The day after a `YYYY-MM-DD`: the API's `to` is exclusive, the desktop's date field means "up to that day". */
function dayAfter(day: string): string {
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString();
}

/** The results of the top bar's search, grouped by kind, with the filters beside them. */
export function SearchPage() {
  const search = useLocationSearch();
  const params = new URLSearchParams(search);
  const q = params.get('q')?.trim() ?? '';
  const [results, setResults] = useState<SearchHit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [queues, setQueues] = useState<Queue[]>([]);
  const [agents, setAgents] = useState<PublicAgent[]>([]);
  const me = useDesktop().me;
  const supervisor = me?.role === 'supervisor' || me?.role === 'admin';

  useEffect(() => {
    get<{ queues: Queue[] }>('/queues')
      .then((r) => setQueues(r.queues))
      .catch(() => setQueues([]));
    get<{ agents: PublicAgent[] }>('/agents')
      .then((r) => setAgents(r.agents))
      .catch(() => setAgents([]));
  }, []);

  useEffect(() => {
    const current = new URLSearchParams(search);
    const words = current.get('q')?.trim() ?? '';
    if (!words) {
      setResults([]);
      return;
    }
    let live = true;
    const asked = new URLSearchParams({ q: words, limit: '20' });
    for (const key of filterKeys) {
      const value = current.get(key);
      if (value) asked.set(key, key === 'to' ? dayAfter(value) : value);
    }
    setError(null);
    setResults(null);
    get<{ results: SearchHit[] }>(`/search?${asked.toString()}`)
      .then((r) => {
        if (live) setResults(r.results);
      })
      .catch((err: unknown) => {
        if (!live) return;
        setResults([]);
        setError(err instanceof ApiError ? err.message : 'Could not search.');
      });
    return () => {
      live = false;
    };
  }, [search]);

  const setFilter = (key: (typeof filterKeys)[number], value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(key, value);
    else next.delete(key);
    navigate(`/search?${next.toString()}`, { replace: true });
  };
  const select = (key: (typeof filterKeys)[number], label: string, options: [string, string][]) => (
    <label className="field">
      <span>{label}</span>
      <select
        aria-label={label}
        value={params.get(key) ?? ''}
        onChange={(e) => setFilter(key, e.target.value)}
      >
        <option value="">Any</option>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );

  const link = (hit: SearchHit): string | null => {
    switch (hit.kind) {
      case 'conversation':
        return `/conversations/${encodeURIComponent(hit.id)}`;
      case 'case':
        return `/cases/${encodeURIComponent(hit.id)}`;
      case 'contact':
        return `/contacts/${encodeURIComponent(hit.id)}`;
      case 'article':
        // Only supervisors and admins have the article page (the editor).
        return supervisor ? `/articles/${encodeURIComponent(hit.id)}` : null;
    }
  };
  const title = (hit: SearchHit): string => {
    if (hit.kind === 'case') return `#${hit.caseNumber ?? ''} ${hit.title}`;
    return hit.title || (hit.kind === 'conversation' ? 'Conversation' : hit.kind);
  };

  return (
    <div className="page">
      <h1>Search</h1>
      <div className="filters">
        {select(
          'kind',
          'Kind',
          searchKinds.map((k) => [k, kindHeadings[k]]),
        )}
        {select(
          'channel',
          'Channel',
          channels.map((c) => [c, c]),
        )}
        {select(
          'state',
          'State',
          states.map((s) => [s, s]),
        )}
        {select(
          'queueId',
          'Queue',
          queues.map((queue) => [queue.id, queue.name]),
        )}
        {select(
          'agentId',
          'Agent',
          agents.map((a) => [a.id, a.name]),
        )}
        <label className="field">
          <span>From</span>
          <input
            type="date"
            aria-label="From"
            value={params.get('from') ?? ''}
            onChange={(e) => setFilter('from', e.target.value)}
          />
        </label>
        <label className="field">
          <span>To</span>
          <input
            type="date"
            aria-label="To"
            value={params.get('to') ?? ''}
            onChange={(e) => setFilter('to', e.target.value)}
          />
        </label>
      </div>
      <ErrorNote message={error} />
      {!q && <p className="muted">Type words in the search box above.</p>}
      {q && results === null && <p className="muted">Searching…</p>}
      {q && results?.length === 0 && !error && (
        <p className="muted" role="status">
          Nothing matches <span dir="auto">“{q}”</span>.
        </p>
      )}
      {results &&
        searchKinds.map((kind) => {
          const hits = results.filter((h) => h.kind === kind);
          if (hits.length === 0) return null;
          return (
            <section key={kind} className="search-group" aria-label={kindHeadings[kind]}>
              <h2>
                {kindHeadings[kind]} <span className="muted">{hits.length}</span>
              </h2>
              <ul className="search-results">
                {hits.map((hit) => {
                  const to = link(hit);
                  return (
                    <li key={`${hit.kind}:${hit.id}`}>
                      <div className="search-result-head">
                        {hit.channel && <ChannelIcon channel={hit.channel} />}
                        {to ? (
                          <Link to={to}>
                            <span dir="auto">{title(hit)}</span>
                          </Link>
                        ) : (
                          <strong dir="auto">{title(hit)}</strong>
                        )}
                        {hit.state && <span className="tag">{hit.state}</span>}
                        <span className="muted">
                          {sourceLabels[hit.source]} · {formatTime(hit.at)}
                        </span>
                      </div>
                      {hit.excerpt && hit.excerpt !== hit.title && (
                        <p className="search-excerpt" dir="auto">
                          <HighlightedText text={hit.excerpt} ranges={hit.highlights} />
                        </p>
                      )}
                    </li>
                  );
                })}
              </ul>
            </section>
          );
        })}
    </div>
  );
}
