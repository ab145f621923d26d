import { type KeyboardEvent, useEffect, useReducer, useRef, useState } from 'react';
import { ApiError, get, post, query, type Upload, upload } from '../shared/api.ts';
import { ErrorNote } from '../shared/error-note.tsx';
import { formatTime, isRtl } from '../shared/format.ts';
import { MessageBody } from '../shared/message-body.tsx';
import { OutsideLink } from '../shared/outside-link.tsx';
import { safeLinkUrl, safeUrl } from '../shared/safe-url.ts';
import type {
  ArticleSearchResult,
  ChannelStatusReport,
  Contact,
  Conversation,
  ConversationNote,
  Message,
} from '../shared/types.ts';
import { CannedResponseCache } from './canned-responses.ts';
import { ChannelIcon } from './channel-icon.tsx';
import { contactName, desktop, useDesktop } from './desktop-store.ts';
import { InternalNoteForm } from './internal-note-form.tsx';
import { MacroMenu } from './macro-menu.tsx';
import { MemberCard } from './member-card.tsx';
import { Link, navigate } from './router.tsx';
import { ServerBadge } from './servers.tsx';
import { ConversationSlaBadge } from './sla/sla-timer-badge.tsx';

const authorLabels: Record<Message['authorKind'], string> = {
  contact: 'Contact',
  bot: 'Virtual agent',
  agent: 'Agent',
  system: 'System',
};

/** One conversation: the whole transcript (bot part included), the composer and the agent's actions. */
export function ConversationView({ id, onCase }: { id: string; onCase: (caseId: string | null) => void }) {
  const state = useDesktop();
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [contact, setContact] = useState<Contact | null>(null);
  const [notes, setNotes] = useState<ConversationNote[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'close' | 'transfer' | null>(null);
  const transcriptRef = useRef<HTMLOListElement>(null);

  useEffect(() => {
    let live = true;
    Promise.all([
      get<Conversation>(`/conversations/${id}`),
      get<{ messages: Message[] }>(`/conversations/${id}/messages`),
    ])
      .then(([c, m]) => {
        if (!live) return;
        setConversation(c);
        setMessages(m.messages);
        onCase(c.caseId);
        desktop.loadContact(c.contactId);
        get<Contact>(`/contacts/${c.contactId}`)
          .then((found) => live && setContact(found))
          .catch(() => {});
      })
      .catch((err: unknown) => live && setError(err instanceof ApiError ? err.message : 'could not load'));
    // Internal notes (a supervisor's guidance): agents only, never sent to the contact.
    get<{ notes: ConversationNote[] }>(`/conversations/${id}/notes`)
      .then((n) => live && setNotes(n.notes))
      .catch(() => {});
    desktop.reportViewing(id);
    const off = desktop.onEvent((event) => {
      if (event.type === 'note.created' && event.note.conversationId === id)
        setNotes((list) => (list.some((n) => n.id === event.note.id) ? list : [...list, event.note]));
      if (event.type === 'message.created' && event.message.conversationId === id) {
        setMessages((list) =>
          list.some((m) => m.id === event.message.id) ? list : [...list, event.message],
        );
        setConversation(event.conversation);
      }
      if (event.type === 'message.delivery' && event.conversation.id === id) {
        setMessages((list) =>
          list.map((m) => (m.id === event.messageId ? { ...m, delivery: event.delivery } : m)),
        );
      }
      if (event.type === 'conversation.updated' && event.conversation.id === id) {
        setConversation(event.conversation);
        onCase(event.conversation.caseId);
      }
    });
    return () => {
      live = false;
      off();
      desktop.reportViewing(null);
    };
  }, [id, onCase]);

  useEffect(() => {
    const list = transcriptRef.current;
    if (list && messages.length > 0) list.scrollTop = list.scrollHeight;
  }, [messages.length]);

  if (error)
    return (
      <section className="conversation">
        <p className="error" role="alert">
          {error}
        </p>
      </section>
    );
  if (!conversation) return <section className="conversation muted pad">Loading…</section>;

  const me = state.me;
  const name = contact?.name ?? contactName(state, conversation.contactId);
  // Handed to an outside contact center (Flex): read-only here, its agents answer there.
  const bridge = conversation.bridge ?? null;
  const bridgeLabel = bridge?.target === 'flex' ? 'Flex' : (bridge?.target ?? '');
  const mayAct =
    !!me &&
    !bridge &&
    conversation.state !== 'closed' &&
    (conversation.agentId === me.id || me.role !== 'agent');
  const agentName = (agentId: string | null) => state.agents.find((a) => a.id === agentId)?.name ?? 'Agent';
  // The server allows the same people: the agent holding the conversation, supervisors and admins.
  const mayResend = !!me && (conversation.agentId === me.id || me.role !== 'agent');
  const rtl = isRtl(
    messages
      .filter((m) => m.authorKind === 'contact')
      .map((m) => m.text)
      .join(' '),
  );

  return (
    <section className="conversation" aria-label="Conversation">
      <header className="conversation-head">
        <ChannelIcon channel={conversation.channel} />
        <div className="who">
          <Link to={`/contacts/${conversation.contactId}`} className="contact-link">
            {name}
          </Link>
          <span className={`state state-${conversation.state}`}>{conversation.state}</span>
          <ConversationSlaBadge conversation={conversation} />
          <ServerBadge server={conversation.server} />
          <Link
            to={`/conversations/${encodeURIComponent(conversation.id)}/transcript`}
            className="transcript-link"
          >
            Transcript
          </Link>
          {bridge && (
            <span className="bridge" title={`Handed to ${bridgeLabel}`}>
              <span className="tag">in {bridgeLabel}</span>{' '}
              {bridge.ref && <code title={`${bridgeLabel} conversation`}>{bridge.ref}</code>}
            </span>
          )}
        </div>
        {mayAct && (
          <div className="head-actions">
            <button type="button" onClick={() => setDialog('transfer')} aria-keyshortcuts="Alt+T">
              Transfer
            </button>
            <button
              type="button"
              className="primary"
              onClick={() => setDialog('close')}
              aria-keyshortcuts="Alt+C"
            >
              Close
            </button>
          </div>
        )}
      </header>
      <MemberCard contactId={conversation.contactId} conversationId={conversation.id} />
      <ol
        className={rtl ? 'transcript rtl' : 'transcript'}
        ref={transcriptRef}
        aria-label="Transcript"
        aria-live="polite"
      >
        {messages
          .filter((m) => m.text.trim() || m.attachments.length > 0)
          .map((m) => (
            <li key={m.id} className={`message from-${m.authorKind}`} data-author={m.authorKind}>
              <div className="message-meta">
                <span className="author">
                  {m.authorKind === 'contact'
                    ? name
                    : m.authorKind === 'agent'
                      ? bridge && !m.authorId
                        ? `${bridgeLabel} agent`
                        : agentName(m.authorId)
                      : authorLabels[m.authorKind]}
                </span>
                <time dateTime={m.createdAt}>{formatTime(m.createdAt)}</time>
              </div>
              <MessageBody text={m.text} />
              {m.delivery?.status === 'failed' && (
                <NotDelivered
                  conversationId={id}
                  delivery={m.delivery}
                  mayResend={mayResend}
                  onResent={(delivery) =>
                    setMessages((list) => list.map((x) => (x.id === m.id ? { ...x, delivery } : x)))
                  }
                />
              )}
              {m.delivery?.channelStatus && m.delivery.status !== 'failed' && (
                <ChannelStatusNote report={m.delivery.channelStatus} />
              )}
              {m.attachments.length > 0 && (
                <ul className="attachments" aria-label="Attachments">
                  {m.attachments.map((a) => {
                    const href = safeLinkUrl(a.url);
                    return (
                      <li key={a.url}>
                        <OutsideLink href={href}>{a.name}</OutsideLink>
                      </li>
                    );
                  })}
                </ul>
              )}
              {m.articles.length > 0 && (
                <ul className="suggested" aria-label="Suggested articles">
                  {m.articles.map((a) => {
                    const href = safeUrl(a.url);
                    return (
                      <li key={a.id}>
                        <span className="tag">suggested</span>{' '}
                        <OutsideLink href={href}>{a.title}</OutsideLink>
                      </li>
                    );
                  })}
                </ul>
              )}
            </li>
          ))}
      </ol>
      <div className="notes">
        {notes.length > 0 && (
          <ul aria-label="Internal notes">
            {notes.map((n) => (
              <li key={n.id} className="note">
                <span className="author">Internal note · {agentName(n.authorId)}</span>{' '}
                <time dateTime={n.createdAt}>{formatTime(n.createdAt)}</time>
                <p dir="auto">{n.text}</p>
              </li>
            ))}
          </ul>
        )}
        <InternalNoteForm
          conversationId={id}
          onAdded={(note) =>
            setNotes((list) => (list.some((n) => n.id === note.id) ? list : [...list, note]))
          }
        />
      </div>
      {conversation.state === 'assigned' && mayAct ? (
        <Composer conversationId={id} />
      ) : (
        <p className="muted pad composer-note">
          {bridge && conversation.state !== 'closed'
            ? `Handled in ${bridgeLabel}: the ${bridgeLabel} agent answers there; read-only here.`
            : conversation.state === 'closed'
              ? `Closed${conversation.wrapUpNote ? ` — wrap-up: ${conversation.wrapUpNote}` : ''}`
              : conversation.state === 'queued'
                ? 'Waiting in the queue.'
                : conversation.state === 'bot'
                  ? 'With the virtual agent.'
                  : conversation.state === 'wrapping'
                    ? 'Wrapping up.'
                    : 'Assigned to another agent.'}
        </p>
      )}
      {dialog === 'close' && (
        <CloseDialog
          conversation={conversation}
          onDone={(closed) => {
            setDialog(null);
            if (closed) navigate('/inbox');
          }}
        />
      )}
      {dialog === 'transfer' && (
        <TransferDialog
          conversation={conversation}
          onDone={(moved) => {
            setDialog(null);
            if (moved) navigate('/inbox');
          }}
        />
      )}
      <ShortcutKeys
        onClose={() => mayAct && setDialog('close')}
        onTransfer={() => mayAct && setDialog('transfer')}
      />
    </section>
  );
}

function ShortcutKeys({ onClose, onTransfer }: { onClose: () => void; onTransfer: () => void }) {
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (!event.altKey) return;
      if (event.key === 'c' || event.key === 'C') {
        event.preventDefault();
        onClose();
      }
      if (event.key === 't' || event.key === 'T') {
        event.preventDefault();
        onTransfer();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose, onTransfer]);
  return null;
}

/** As the server allows (src/http/routes/upload-routes.ts, the reply body's 10 attachments). */
const maxAttachmentBytes = 10 * 1024 * 1024;
const maxAttachments = 10;

function Composer({ conversationId }: { conversationId: string }) {
  const [text, setText] = useState('');
  // Each chosen file with a key of its own: the same file may be chosen twice.
  const [files, setFiles] = useState<{ key: number; file: File }[]>([]);
  const nextKey = useRef(0);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const filePicker = useRef<HTMLInputElement>(null);
  const [kbOpen, setKbOpen] = useState(false);
  const [, cannedChanged] = useReducer((n: number) => n + 1, 0);
  const [canned] = useState(() => new CannedResponseCache(cannedChanged));
  const box = useRef<HTMLTextAreaElement>(null);
  const slash = /(?:^|\s)\/([\w-]*)$/.exec(text);
  const term = slash ? (slash[1] ?? '').toLowerCase() : null;
  const matches = term === null ? [] : canned.match(term);

  useEffect(() => {
    canned.load().catch(() => {});
  }, [canned]);
  // A term nothing known matches may still be on the server (a team with many responses).
  useEffect(() => {
    if (term && matches.length === 0) canned.search(term).catch(() => {});
  }, [canned, term, matches.length]);

  const ready = (text.trim() !== '' || files.length > 0) && !sending;
  const send = async () => {
    if (!ready) return;
    setSending(true);
    setError(null);
    try {
      // Uploaded when sent, not when chosen: a file removed from the chips never reaches the server.
      const uploaded: Upload[] = [];
      for (const { file } of files) uploaded.push(await upload(file));
      await post(`/conversations/${conversationId}/messages`, {
        text,
        ...(uploaded.length > 0
          ? { attachments: uploaded.map((u) => ({ url: u.url, name: u.name, contentType: u.contentType })) }
          : {}),
      });
      setText('');
      setFiles([]);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'not sent');
    } finally {
      setSending(false);
      box.current?.focus();
    }
  };

  const insert = (snippet: string, replaceSlash = false) => {
    setText((current) => {
      if (replaceSlash) return current.replace(/\/[\w-]*$/, snippet);
      return current && !current.endsWith(' ') && !current.endsWith('\n')
        ? `${current} ${snippet}`
        : current + snippet;
    });
    box.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      const first = matches[0];
      if (first) insert(first.text, true);
      else void send();
    }
  };

  return (
    <div className="composer">
      {matches.length > 0 && (
        <ul className="canned" aria-label="Canned responses">
          {matches.map((c) => (
            <li key={c.id}>
              <button type="button" onClick={() => insert(c.text, true)}>
                <strong>/{c.shortcut}</strong> <span dir="auto">{c.title}</span>{' '}
                <span className="muted" dir="auto">
                  {c.text}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {kbOpen && <KnowledgeSearch onPick={(link) => insert(link)} onClose={() => setKbOpen(false)} />}
      <textarea
        ref={box}
        aria-label="Reply"
        placeholder="Write a reply — Enter sends, Shift+Enter for a new line, / for canned responses"
        dir="auto"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        rows={3}
      />
      {files.length > 0 && (
        <ul className="attachment-chips" aria-label="Files to send">
          {files.map(({ key, file }) => (
            <li key={key} className="chip">
              <span dir="auto">{file.name}</span>
              <button
                type="button"
                aria-label={`Remove ${file.name}`}
                disabled={sending}
                onClick={() => setFiles((list) => list.filter((f) => f.key !== key))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="composer-bar">
        <div className="composer-tools">
          <button type="button" onClick={() => setKbOpen((open) => !open)} aria-expanded={kbOpen}>
            Knowledge base
          </button>
          <button type="button" onClick={() => filePicker.current?.click()} disabled={sending}>
            Attach
          </button>
          <MacroMenu
            conversationId={conversationId}
            onApplied={(c) => {
              if (c.state === 'closed') navigate('/inbox');
            }}
          />
        </div>
        {/* Hidden: the Attach button opens it, so the keyboard reaches it as an ordinary button. */}
        <input
          ref={filePicker}
          type="file"
          multiple
          hidden
          aria-label="Files to attach"
          onChange={(e) => {
            const chosen = Array.from(e.target.files ?? []);
            // Reset, so that choosing the same file again after removing it fires a change.
            e.target.value = '';
            const tooLarge = chosen.find((f) => f.size > maxAttachmentBytes);
            if (tooLarge) setError(`${tooLarge.name} is larger than 10 MiB`);
            setFiles((list) =>
              [
                ...list,
                ...chosen
                  .filter((f) => f.size <= maxAttachmentBytes)
                  .map((file) => ({ key: nextKey.current++, file })),
              ].slice(0, maxAttachments),
            );
          }}
        />
        {error && (
          <span className="error" role="alert">
            {error}
          </span>
        )}
        <button type="button" className="primary" disabled={!ready} onClick={() => void send()}>
          Send
        </button>
      </div>
    </div>
  );
}

function KnowledgeSearch({ onPick, onClose }: { onPick: (link: string) => void; onClose: () => void }) {
  const [results, setResults] = useState<ArticleSearchResult[]>([]);
  const [term, setTerm] = useState('');
  const [searched, setSearched] = useState('');
  useEffect(() => {
    const q = term.trim();
    if (!q) {
      setResults([]);
      setSearched('');
      return;
    }
    let live = true;
    // The same index the virtual agent answers from (stemming, typos, Arabic); one request per pause in typing.
    const timer = setTimeout(() => {
      get<{ results: ArticleSearchResult[] }>(`/articles/search${query({ q, limit: 8 })}`)
        .then((r) => {
          if (!live) return;
          setResults(r.results);
          setSearched(q);
        })
        .catch(() => {});
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [term]);
  const link = (r: ArticleSearchResult) =>
    `${r.article.title}: ${window.location.origin}/kb/${encodeURIComponent(r.article.id)}`;
  return (
    <div className="kb-search" role="dialog" aria-label="Knowledge base search">
      <input
        // biome-ignore lint/a11y/noAutofocus: the search opens on request, to type in at once
        autoFocus
        type="search"
        aria-label="Search articles"
        placeholder="Search articles"
        value={term}
        onChange={(e) => setTerm(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onClose();
          const first = results[0];
          if (e.key === 'Enter' && first) {
            e.preventDefault();
            onPick(link(first));
            onClose();
          }
        }}
      />
      <ul aria-label="Articles found">
        {results.map((r) => (
          <li key={r.article.id}>
            <button
              type="button"
              onClick={() => {
                onPick(link(r));
                onClose();
              }}
            >
              <span dir="auto">{r.article.title}</span>
              {r.excerpt && (
                <span className="muted small excerpt" dir="auto">
                  {r.excerpt}
                </span>
              )}
            </button>
          </li>
        ))}
        {results.length === 0 && (
          <li className="muted">{searched ? 'No article matches.' : 'Type to search the knowledge base.'}</li>
        )}
      </ul>
    </div>
  );
}

function CloseDialog({
  conversation,
  onDone,
}: {
  conversation: Conversation;
  onDone: (closed: boolean) => void;
}) {
  const [note, setNote] = useState('');
  const [caseStatus, setCaseStatus] = useState<'solved' | 'pending' | 'open'>('solved');
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    try {
      await post(`/conversations/${conversation.id}/close`, { note: note.trim() || null, caseStatus });
      onDone(true);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'could not close');
    }
  };
  return (
    <Dialog title="Close the conversation" onCancel={() => onDone(false)}>
      <label className="field">
        <span>Wrap-up note</span>
        <textarea autoFocus dir="auto" rows={4} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      {conversation.caseId && (
        <label className="field">
          <span>Case becomes</span>
          <select value={caseStatus} onChange={(e) => setCaseStatus(e.target.value as typeof caseStatus)}>
            <option value="solved">solved</option>
            <option value="pending">pending</option>
            <option value="open">open</option>
          </select>
        </label>
      )}
      <ErrorNote message={error} />
      <div className="actions">
        <button type="button" onClick={() => onDone(false)}>
          Cancel
        </button>
        <button type="button" className="primary" onClick={() => void submit()}>
          Close conversation
        </button>
      </div>
    </Dialog>
  );
}

function TransferDialog({
  conversation,
  onDone,
}: {
  conversation: Conversation;
  onDone: (moved: boolean) => void;
}) {
  const state = useDesktop();
  const [target, setTarget] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const [kind, targetId] = target.split(':');
    if (!targetId) return;
    try {
      await post(
        `/conversations/${conversation.id}/transfer`,
        kind === 'agent' ? { agentId: targetId } : { queueId: targetId },
      );
      onDone(true);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'could not transfer');
    }
  };
  return (
    <Dialog title="Transfer" onCancel={() => onDone(false)}>
      <label className="field">
        <span>To</span>
        <select
          // biome-ignore lint/a11y/noAutofocus: the dialog's only field
          autoFocus
          value={target}
          onChange={(e) => setTarget(e.target.value)}
        >
          <option value="">Choose an agent or a queue</option>
          <optgroup label="Queues">
            {state.queues.map((q) => (
              <option key={q.id} value={`queue:${q.id}`}>
                {q.name}
              </option>
            ))}
          </optgroup>
          <optgroup label="Agents">
            {state.agents
              .filter((a) => a.id !== state.me?.id)
              .map((a) => (
                <option key={a.id} value={`agent:${a.id}`}>
                  {a.name} ({a.presence})
                </option>
              ))}
          </optgroup>
        </select>
      </label>
      <ErrorNote message={error} />
      <div className="actions">
        <button type="button" onClick={() => onDone(false)}>
          Cancel
        </button>
        <button type="button" className="primary" disabled={!target} onClick={() => void submit()}>
          Transfer
        </button>
      </div>
    </Dialog>
  );
}

export function Dialog(props: { title: string; onCancel: () => void; children: React.ReactNode }) {
  return (
    <div className="backdrop">
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
        onKeyDown={(e) => {
          if (e.key === 'Escape') props.onCancel();
        }}
      >
        <h2>{props.title}</h2>
        {props.children}
      </div>
    </div>
  );
}

/** A message the channel refused for good: why, and (for those who may) a way to send it again. */
function NotDelivered({
  conversationId,
  delivery,
  mayResend,
  onResent,
}: {
  conversationId: string;
  delivery: NonNullable<Message['delivery']>;
  mayResend: boolean;
  onResent: (delivery: NonNullable<Message['delivery']>) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const resend = async () => {
    setBusy(true);
    setError(null);
    try {
      onResent(
        await post<NonNullable<Message['delivery']>>(
          `/conversations/${conversationId}/outbox/${delivery.seq}/resend`,
        ),
      );
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'could not resend');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="delivery-failed" role="status">
      <span>Not delivered: {delivery.lastError ?? 'refused by the channel'}</span>
      {mayResend && (
        <>
          {' · '}
          <button type="button" onClick={resend} disabled={busy}>
            Resend
          </button>
        </>
      )}
      <ErrorNote message={error} />
    </div>
  );
}

const channelStatusLabels: Record<ChannelStatusReport['status'], string> = {
  queued: 'Queued',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Failed',
  undelivered: 'Undelivered',
};

/** What the channel (SMS, WhatsApp) reported of a message it accepted: sent, delivered, or failed + code. */
function ChannelStatusNote({ report }: { report: ChannelStatusReport }) {
  const failed = report.status === 'failed' || report.status === 'undelivered';
  return (
    <div
      className={failed ? 'channel-status channel-status-failed' : 'channel-status'}
      role="status"
      aria-label="Channel status"
    >
      {channelStatusLabels[report.status]}
      {failed && report.errorCode ? ` (error ${report.errorCode})` : ''}
    </div>
  );
}
