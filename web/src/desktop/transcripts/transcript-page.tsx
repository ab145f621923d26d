import { useEffect, useState } from 'react';
import type { Transcript } from '../../../../src/core/transcripts/transcript.ts';
import { ApiError, get } from '../../shared/api.ts';
import { ErrorNote } from '../../shared/error-note.tsx';
import { safeLinkUrl } from '../../shared/safe-url.ts';
import { Link } from '../router.tsx';
import './transcript.css';

const time = (iso: string) => new Date(iso).toLocaleString();

/**
 * The transcript of one conversation, at `/conversations/<id>/transcript`: a page to read, link to and
 * print (the print stylesheet leaves only the transcript), with its HTML and JSON downloads.
 */
export function TranscriptPage({ id }: { id: string }) {
  const [transcript, setTranscript] = useState<Transcript | null>(null);
  const [error, setError] = useState<string | null>(null);
  const api = `/api/v1/conversations/${encodeURIComponent(id)}/transcript`;

  useEffect(() => {
    setTranscript(null);
    setError(null);
    get<Transcript>(`/conversations/${encodeURIComponent(id)}/transcript?format=json`)
      .then(setTranscript)
      .catch((err: unknown) =>
        setError(err instanceof ApiError ? err.message : 'the transcript did not load'),
      );
  }, [id]);

  if (error)
    return (
      <div className="page">
        <ErrorNote message={error} />
      </div>
    );
  if (!transcript) return <div className="page">Loading the transcript…</div>;
  const { conversation, contact, queue, agent } = transcript;
  const kase = transcript.case;
  const title = kase
    ? `Case #${kase.number}: ${kase.subject}`
    : `Conversation with ${contact?.name ?? 'a contact'}`;

  return (
    <article className="page transcript" aria-label="Transcript">
      <div className="transcript-actions">
        <Link to={`/conversations/${encodeURIComponent(id)}`}>Back to the conversation</Link>
        <button type="button" onClick={() => window.print()}>
          Print
        </button>
        <a className="button" href={`${api}?format=html`} download>
          Download HTML
        </a>
        <a className="button" href={`${api}?format=json`} download>
          Download JSON
        </a>
      </div>
      <h1>{title}</h1>
      <dl className="transcript-facts">
        <dt>Contact</dt>
        <dd>{contact ? <Link to={`/contacts/${contact.id}`}>{contact.name}</Link> : '—'}</dd>
        <dt>Channel</dt>
        <dd>{conversation.channel}</dd>
        <dt>Started</dt>
        <dd>{time(conversation.createdAt)}</dd>
        <dt>Closed</dt>
        <dd>{conversation.closedAt ? time(conversation.closedAt) : 'not closed'}</dd>
        <dt>Queue</dt>
        <dd>{queue?.name ?? '—'}</dd>
        <dt>Agent</dt>
        <dd>{agent?.name ?? '—'}</dd>
        {kase && (
          <>
            <dt>Case</dt>
            <dd>
              <Link to={`/cases/${kase.id}`}>#{kase.number}</Link> {kase.subject} ({kase.status},{' '}
              {kase.priority})
            </dd>
          </>
        )}
        {conversation.wrapUpNote && (
          <>
            <dt>Wrap-up note</dt>
            <dd>{conversation.wrapUpNote}</dd>
          </>
        )}
      </dl>
      <h2>Messages</h2>
      <ol className="transcript-entries" aria-label="Transcript entries" dir="auto">
        {transcript.entries.map((entry) =>
          entry.type === 'event' ? (
            <li key={`${entry.event}-${entry.at}`} className="transcript-event">
              {entry.text} <time dateTime={entry.at}>{time(entry.at)}</time>
            </li>
          ) : (
            <li key={entry.id} className={`transcript-message ${entry.authorKind}`}>
              <span className="who">{entry.authorName}</span>{' '}
              <time dateTime={entry.at}>{time(entry.at)}</time>
              <div className="text">{entry.text}</div>
              {entry.attachments.length > 0 && (
                <ul aria-label="Attachments">
                  {entry.attachments.map((a) => (
                    <li key={a.url}>
                      <OutsideLink url={a.url}>{a.name}</OutsideLink>
                    </li>
                  ))}
                </ul>
              )}
              {entry.articles.length > 0 && (
                <ul aria-label="Suggested articles">
                  {entry.articles.map((a) => (
                    <li key={a.id}>
                      Suggested: <OutsideLink url={a.url}>{a.title}</OutsideLink>
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ),
        )}
      </ol>
      {transcript.caseTimeline.length > 0 && (
        <>
          <h2>Case timeline</h2>
          <ol className="transcript-timeline" aria-label="Case timeline">
            {transcript.caseTimeline.map((e) => (
              <li key={e.id}>
                {e.type === 'note' ? `Note: ${String(e.data.text ?? '')}` : e.type}{' '}
                <time dateTime={e.at}>{time(e.at)}</time>
              </li>
            ))}
          </ol>
        </>
      )}
    </article>
  );
}

/** A link only for a safe URL (http, https, same-origin path); any other stays text. */
function OutsideLink({ url, children }: { url: string; children: React.ReactNode }) {
  const href = safeLinkUrl(url);
  return href ? (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  ) : (
    <span>{children}</span>
  );
}
