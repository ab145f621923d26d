import { useCallback, useEffect, useState } from 'react';
import { ApiError, get, patch, post } from '../shared/api.ts';
import { ErrorNote } from '../shared/error-note.tsx';
import { formatTime } from '../shared/format.ts';
import { MessageBody } from '../shared/message-body.tsx';
import { OutsideLink } from '../shared/outside-link.tsx';
import { safeLinkUrl } from '../shared/safe-url.ts';
import type { Case, SlaMetric, TimelineEntry } from '../shared/types.ts';
import { contactName, type DesktopState, desktop, useDesktop } from './desktop-store.ts';
import { MemberCard } from './member-card.tsx';
import { Link } from './router.tsx';
import { ServerBadge } from './servers.tsx';
import { CaseSlaBadge } from './sla/sla-timer-badge.tsx';
import { metricLabel } from './sla/time-left.ts';

const statuses = ['new', 'open', 'pending', 'solved', 'closed'] as const;
const priorities = ['low', 'normal', 'high', 'urgent'] as const;
/** A feature request's stages (they set its status and show on its public post). */
const stages = [
  ['planned', 'planned'],
  ['in_progress', 'in progress'],
  ['shipped', 'shipped'],
  ['declined', 'declined'],
] as const;

/** A case, editable: status, priority, assignee, tags, internal notes; and its timeline. */
export function CasePanel({ id, wide = false }: { id: string; wide?: boolean }) {
  const state = useDesktop();
  const [kase, setCase] = useState<Case | null>(null);
  const [timeline, setTimeline] = useState<TimelineEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [tags, setTags] = useState('');
  const [mergeInto, setMergeInto] = useState('');

  const load = useCallback(async () => {
    try {
      const found = await get<{ case: Case; timeline: TimelineEntry[] }>(`/cases/${encodeURIComponent(id)}`);
      setCase(found.case);
      setTimeline(found.timeline);
      if (found.case.contactId) desktop.loadContact(found.case.contactId);
      setTags(found.case.tags.join(', '));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'could not load the case');
    }
  }, [id]);

  useEffect(() => {
    void load();
    return desktop.onEvent((event) => {
      if (
        (event.type === 'case.updated' || event.type === 'case.created') &&
        (event.case.id === id || String(event.case.number) === id)
      )
        void load();
    });
  }, [id, load]);

  const change = async (body: Record<string, unknown>) => {
    if (!kase) return;
    setError(null);
    try {
      setCase(await patch<Case>(`/cases/${kase.id}`, body));
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'not saved');
    }
  };

  const addNote = async () => {
    if (!kase || !note.trim()) return;
    try {
      await post(`/cases/${kase.id}/notes`, { text: note });
      setNote('');
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'note not saved');
    }
  };

  const merge = async () => {
    if (!kase || !mergeInto.trim()) return;
    setError(null);
    try {
      const into = mergeInto.trim().replace(/^#/, '');
      const result = await post<{ duplicate: Case }>(`/cases/${kase.id}/merge`, { into });
      setCase(result.duplicate);
      setMergeInto('');
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'not merged');
    }
  };

  if (!kase)
    return <div className="case-panel pad">{error ? <p className="error">{error}</p> : 'Loading case…'}</div>;
  const agentName = (agentId: string | null) =>
    agentId ? (state.agents.find((a) => a.id === agentId)?.name ?? 'an agent') : 'nobody';
  const fieldEntries = Object.entries(kase.fields).filter(([, v]) => v);
  const duplicateOf = kase.fields.duplicateOf;
  const mayMerge =
    (state.me?.role === 'supervisor' || state.me?.role === 'admin') &&
    kase.kind !== 'support' &&
    !duplicateOf;

  return (
    <div className={wide ? 'case-panel wide' : 'case-panel'} data-case={kase.number}>
      <div className="case-title">
        <Link to={`/cases/${kase.number}`} className="case-number">
          #{kase.number}
        </Link>
        <span className={`kind kind-${kase.kind}`}>{kase.kind}</span>
        {kase.votes > 0 && <span className="votes">▲ {kase.votes}</span>}
        {kase.rating !== null && <span className="rating">CSAT {kase.rating}/5</span>}
        <ServerBadge server={kase.server} />
      </div>
      <div className="case-sla">
        <CaseSlaBadge caseId={kase.id} />
      </div>
      <p className="subject" dir="auto">
        {kase.subject}
      </p>
      {/* Beside a conversation (the inbox) its own card shows the member; on the cases page this one does. */}
      {wide && kase.contactId && <MemberCard contactId={kase.contactId} serverId={kase.server?.id ?? null} />}
      {kase.ratingComment && (
        <blockquote className="rating-comment" aria-label="Rating comment" dir="auto">
          {kase.ratingComment}
        </blockquote>
      )}
      <p className="case-origin">
        <span data-opened-by={kase.openedBy?.kind ?? ''}>{openedByText(kase, state)}</span>
        {kase.postUrl && (
          <>
            {' · '}
            <OutsideLink href={safeLinkUrl(kase.postUrl)}>{postLabel(kase.postUrl)}</OutsideLink>
          </>
        )}
      </p>
      {duplicateOf && (
        <p className="duplicate-of">
          Duplicate of <Link to={`/cases/${duplicateOf}`}>#{duplicateOf}</Link>
        </p>
      )}
      {kase.fields.fixedIn && (
        <p className="fixed-in">
          Fixed in{' '}
          {kase.fields.fixedInUrl ? (
            <OutsideLink href={safeLinkUrl(kase.fields.fixedInUrl)}>{kase.fields.fixedIn}</OutsideLink>
          ) : (
            kase.fields.fixedIn
          )}
        </p>
      )}
      <div className="case-fields">
        {kase.kind === 'feature' && (
          <label className="field">
            <span>Stage</span>
            <select
              aria-label="Feature stage"
              value={kase.fields.stage ?? ''}
              onChange={(e) => e.target.value && void change({ stage: e.target.value })}
            >
              <option value="">—</option>
              {stages.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="field">
          <span>Status</span>
          <select
            aria-label="Case status"
            value={kase.status}
            onChange={(e) => void change({ status: e.target.value })}
          >
            {statuses.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Priority</span>
          <select
            aria-label="Case priority"
            value={kase.priority}
            onChange={(e) => void change({ priority: e.target.value })}
          >
            {priorities.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Assignee</span>
          <select
            aria-label="Case assignee"
            value={kase.assigneeId ?? ''}
            onChange={(e) => void change({ assigneeId: e.target.value || null })}
          >
            <option value="">nobody</option>
            {state.agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Tags</span>
          <input
            aria-label="Case tags"
            value={tags}
            placeholder="billing, vip"
            onChange={(e) => setTags(e.target.value)}
            onBlur={() => {
              const next = tags
                .split(',')
                .map((t) => t.trim())
                .filter(Boolean);
              if (next.join(',') !== kase.tags.join(',')) void change({ tags: next });
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
            }}
          />
        </label>
      </div>
      {fieldEntries.length > 0 && (
        <dl className="custom-fields">
          {fieldEntries.map(([key, value]) => (
            <div key={key}>
              <dt>{key}</dt>
              <dd>
                <MessageBody text={value ?? ''} />
              </dd>
            </div>
          ))}
        </dl>
      )}
      {mayMerge && (
        <form
          className="merge-form"
          onSubmit={(e) => {
            e.preventDefault();
            void merge();
          }}
        >
          <label>
            <span>Duplicate of</span>
            <input
              aria-label="Merge into case"
              placeholder="#1042"
              value={mergeInto}
              onChange={(e) => setMergeInto(e.target.value)}
            />
          </label>
          <button type="submit" disabled={!mergeInto.trim()}>
            Merge
          </button>
        </form>
      )}
      <ErrorNote message={error} />
      <div className="note-form">
        <textarea
          aria-label="Internal note"
          placeholder="Internal note (not sent to the contact)"
          dir="auto"
          rows={2}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void addNote();
          }}
        />
        <button type="button" onClick={() => void addNote()} disabled={!note.trim()}>
          Add note
        </button>
      </div>
      <h3>Timeline</h3>
      <ol className="timeline" aria-label="Timeline">
        {[...timeline].reverse().map((entry) => (
          <li key={entry.id} className={`entry entry-${entry.type}`}>
            <div className="entry-meta">
              <span>{describeEntry(entry, agentName)}</span>
              <time dateTime={entry.at}>{formatTime(entry.at)}</time>
            </div>
            {entry.type === 'note' && typeof entry.data.text === 'string' && (
              <MessageBody text={entry.data.text} className="note-text" />
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** "Opened by Layla", "Opened by Sam (agent)", "Opened by the bot for Layla (hand-off)". */
function openedByText(kase: Case, state: DesktopState): string {
  const opener = kase.openedBy;
  if (!opener) return 'Opened by Switchboard';
  if (opener.kind === 'agent') {
    const agent = state.agents.find((a) => a.id === opener.id);
    return `Opened by ${agent?.name ?? 'an agent'} (agent)`;
  }
  const contact = opener.id ?? kase.contactId;
  const who = contact ? contactName(state, contact) : 'the contact';
  return opener.kind === 'bot' ? `Opened by the bot for ${who} (hand-off)` : `Opened by ${who}`;
}

function postLabel(url: string): string {
  return /^https:\/\/(\w+\.)?discord\.com\//.test(url) ? 'View the post on Discord' : 'View the post';
}

function describeEntry(entry: TimelineEntry, agentName: (id: string | null) => string): string {
  const who =
    entry.actor.kind === 'agent'
      ? agentName(entry.actor.id)
      : entry.actor.kind === 'contact'
        ? 'the contact'
        : 'Switchboard';
  const d = entry.data as Record<string, unknown>;
  const to = (key: string) =>
    d[key] !== undefined ? String(d[key]) : d.to !== undefined ? String(d.to) : '';
  switch (entry.type) {
    case 'created':
      return `${who} opened the case`;
    case 'status':
      return `${who} set status ${to('status')}`;
    case 'priority':
      return `${who} set priority ${to('priority')}`;
    case 'assignee':
      return `${who} assigned it to ${agentName((d.to ?? d.assigneeId ?? null) as string | null)}`;
    case 'tags':
      return `${who} changed tags`;
    case 'subject':
      return `${who} changed the subject`;
    case 'fields':
      return `${who} changed fields`;
    case 'note':
      if (d.handoffSummary)
        return d.by === 'model' ? 'Hand-off summary (written by the model)' : 'Hand-off summary';
      return d.wrapUp ? `${who} wrapped up` : `${who} noted`;
    case 'conversation_linked':
      return `${who} linked a conversation`;
    case 'rating':
      return `rated ${String(d.rating ?? d.to ?? '')}/5`;
    case 'rating_comment':
      return `commented on the rating: ${String(d.comment ?? '')}`;
    case 'vote':
      return 'a member voted';
    case 'sla_breach':
      return `SLA breached: ${metricLabel(d.metric as SlaMetric).toLowerCase()} (target ${String(d.targetMinutes)} min)`;
    case 'merged':
      return d.into
        ? `${who} merged it into #${String(d.number ?? '')} (${String(d.carried ?? 0)} votes carried)`
        : `${who} merged #${String(d.number ?? '')} into it (${String(d.carried ?? 0)} votes carried)`;
    case 'released':
      return `fixed in ${String(d.title ?? 'a release note')}`;
    default:
      return entry.type;
  }
}
