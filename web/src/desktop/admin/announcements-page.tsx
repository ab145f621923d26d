import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, del, get, patch, post, put } from '../../shared/api.ts';
import { ErrorNote } from '../../shared/error-note.tsx';
import { renderMarkdown } from '../../shared/markdown.ts';

/** A Discord server the bot is in (`/api/v1/announcements/servers`). */
interface Server {
  id: string;
  name: string;
}

type SourceKind = 'feed' | 'webhook' | 'x';

/** What `/api/v1/announcement-sources` lists (the webhook secret and the X token are never listed). */
interface AnnouncementSource {
  id: string;
  kind: SourceKind;
  name: string;
  url: string | null;
  pollIntervalSeconds: number;
  guildId: string;
  channelId: string | null;
  enabled: boolean;
  failures: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastPolledAt: string | null;
  nextPollAt: string | null;
  /** X sources: the account and what of it is announced. */
  x?: { account: string; handle: string | null; includeReplies: boolean; includeReposts: boolean };
}

interface Announcement {
  id: string;
  title: string;
  guildId: string;
  status: 'scheduled' | 'posting' | 'posted' | 'failed';
  scheduledAt: string;
  postedAt: string | null;
  sourceName: string | null;
  error: string | null;
  /** A release note: the numbers of the cases it closes once posted. */
  cases: number[];
}

interface EmbedPreview {
  title?: string;
  url?: string;
  description?: string;
  image?: { url: string };
  footer?: { text: string };
}

const message = (err: unknown) => (err instanceof ApiError ? err.message : 'failed');
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');
const emptySource = {
  kind: 'feed' as SourceKind,
  name: '',
  url: '',
  interval: '600',
  guildId: '',
  channelId: '',
  account: '',
  token: '',
  includeReplies: false,
  includeReposts: false,
};
/** X's timeline allows few requests per 15 minutes: an X source polls every 15 minutes unless told otherwise. */
const xDefaultInterval = '900';

/** How a source is shown in the Kind column. */
function kindText(s: AnnouncementSource): string {
  if (s.kind === 'webhook') return 'webhook';
  if (s.kind === 'feed') return `feed, every ${s.pollIntervalSeconds} s`;
  const also = [s.x?.includeReplies && 'replies', s.x?.includeReposts && 'reposts'].filter(Boolean);
  return `X @${s.x?.handle ?? s.x?.account ?? ''}, every ${s.pollIntervalSeconds} s${
    also.length ? ` (with ${also.join(' and ')})` : ''
  }`;
}

/** A source's state in words: stopped (with why) when it was disabled after a refusal. */
function statusText(s: AnnouncementSource): string {
  if (!s.enabled) return s.lastError ? `stopped: ${s.lastError}` : 'disabled';
  if (s.lastError) return `failing (${s.failures}×): ${s.lastError}`;
  return s.lastPolledAt ? `ok, polled ${when(s.lastPolledAt)}` : 'ok';
}
const emptyPost = {
  guildId: '',
  channelId: '',
  title: '',
  url: '',
  summary: '',
  imageUrl: '',
  scheduledAt: '',
  cases: '',
};

/** "1002, #1003 1004" → [1002, 1003, 1004]; anything else is left for the server to refuse. */
function caseNumbers(text: string): number[] {
  return text
    .split(/[\s,]+/)
    .map((t) => t.replace(/^#/, ''))
    .filter(Boolean)
    .map(Number);
}

/**
 * Admin → Announcements: feed, X and webhook sources (with their last error and next try), and composing
 * an announcement with a preview, posted now or scheduled.
 */
export function AnnouncementsAdmin() {
  const [sources, setSources] = useState<AnnouncementSource[]>([]);
  const [posts, setPosts] = useState<Announcement[]>([]);
  const [form, setForm] = useState(emptySource);
  const [draft, setDraft] = useState(emptyPost);
  const [preview, setPreview] = useState<EmbedPreview | null>(null);
  const [secret, setSecret] = useState<{ name: string; id: string; secret: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [servers, setServers] = useState<Server[]>([]);
  /** The X source whose bearer token is being replaced, and the new token typed. */
  const [retoken, setRetoken] = useState<{ id: string; token: string } | null>(null);
  /** The announcement just posted or scheduled: its notice follows its real status. */
  const [sent, setSent] = useState<string | null>(null);

  const load = async () => {
    const [s, p, g] = await Promise.all([
      get<{ sources: AnnouncementSource[] }>('/announcement-sources'),
      get<{ announcements: Announcement[] }>('/announcements/posts'),
      get<{ servers: Server[] }>('/announcements/servers'),
    ]);
    setSources(s.sources);
    setPosts(p.announcements);
    setServers(g.servers);
    // With one server there is nothing to choose.
    const only = g.servers.length === 1 ? g.servers[0]!.id : '';
    setForm((f) => (f.guildId ? f : { ...f, guildId: only }));
    setDraft((d) => (d.guildId ? d : { ...d, guildId: only }));
  };
  const serverName = (id: string) => servers.find((s) => s.id === id)?.name ?? id;
  const sentPost = sent ? posts.find((a) => a.id === sent) : undefined;
  const sentPending =
    sentPost?.status === 'posting' || (sentPost?.status === 'scheduled' && !draftScheduled(sentPost));
  // biome-ignore lint/correctness/useExhaustiveDependencies: loads once, then every few seconds for the statuses
  useEffect(() => {
    void load().catch((err) => setError(message(err)));
    const timer = setInterval(() => void load().catch(() => {}), 5_000);
    return () => clearInterval(timer);
  }, []);
  // While the post just sent is on its way, its status is checked every second.
  // biome-ignore lint/correctness/useExhaustiveDependencies: load is stable in effect
  useEffect(() => {
    if (!sentPending) return;
    const timer = setInterval(() => void load().catch(() => {}), 1_000);
    return () => clearInterval(timer);
  }, [sentPending]);

  const run = async (work: () => Promise<void>) => {
    setError(null);
    setNotice(null);
    try {
      await work();
      await load();
    } catch (err) {
      setError(message(err));
    }
  };

  const createSource = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const created = await post<{ source: AnnouncementSource; secret: string | null }>(
        '/announcement-sources',
        {
          kind: form.kind,
          name: form.name,
          guildId: form.guildId.trim(),
          ...(form.channelId.trim() ? { channelId: form.channelId.trim() } : {}),
          ...(form.kind === 'feed'
            ? { url: form.url.trim(), pollIntervalSeconds: Number(form.interval) }
            : {}),
          ...(form.kind === 'x'
            ? {
                account: form.account.trim(),
                token: form.token.trim(),
                pollIntervalSeconds: Number(form.interval),
                includeReplies: form.includeReplies,
                includeReposts: form.includeReposts,
              }
            : {}),
        },
      );
      if (created.secret)
        setSecret({ name: created.source.name, id: created.source.id, secret: created.secret });
      setForm(emptySource);
    });
  };

  const body = () => ({
    guildId: draft.guildId.trim(),
    title: draft.title,
    ...(draft.channelId.trim() ? { channelId: draft.channelId.trim() } : {}),
    ...(draft.url.trim() ? { url: draft.url.trim() } : {}),
    ...(draft.summary.trim() ? { summary: draft.summary } : {}),
    ...(draft.imageUrl.trim() ? { imageUrl: draft.imageUrl.trim() } : {}),
  });
  const showPreview = () =>
    void run(async () => {
      const result = await post<{ message: { embeds?: EmbedPreview[] } }>('/announcements/preview', body());
      setPreview(result.message.embeds?.[0] ?? null);
    });
  const send = (scheduled: boolean) =>
    void run(async () => {
      if (scheduled && !draft.scheduledAt)
        throw new ApiError(400, 'invalid', 'choose a date and time to schedule', undefined);
      const cases = caseNumbers(draft.cases);
      const created = await post<Announcement>('/announcements/posts', {
        ...body(),
        ...(scheduled ? { scheduledAt: new Date(draft.scheduledAt).toISOString() } : {}),
        ...(cases.length > 0 ? { cases } : {}),
      });
      setSent(created.id);
      setPosts((p) => [created, ...p.filter((a) => a.id !== created.id)]);
      setDraft((d) => ({ ...emptyPost, guildId: d.guildId }));
      setPreview(null);
    });
  const setD = (key: keyof typeof emptyPost) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [key]: e.target.value }));
  const setF = (key: keyof typeof emptySource) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));

  return (
    <section className="announcements-admin">
      <ErrorNote message={error} />
      {notice && <p className="notice">{notice}</p>}
      {sentPost && (
        <p className={`notice status-${sentPost.status}`} role="status">
          {sentNotice(sentPost, serverName(sentPost.guildId))}
        </p>
      )}

      <h2>Sources</h2>
      {secret && (
        <div className="secret-once" role="status">
          <p>
            Webhook secret for <strong>{secret.name}</strong> (source id <code>{secret.id}</code>). It is
            shown only now: store it in the sender. Sign <code>&lt;timestamp&gt;.&lt;raw body&gt;</code> with
            HMAC-SHA256 and send <code>X-Switchboard-Source</code>, <code>X-Switchboard-Timestamp</code> and{' '}
            <code>X-Switchboard-Signature: sha256=&lt;hex&gt;</code>.
          </p>
          <code className="secret">{secret.secret}</code>
          <button type="button" onClick={() => setSecret(null)}>
            I stored it
          </button>
        </div>
      )}
      <table className="sources">
        <thead>
          <tr>
            <th>Name</th>
            <th>Kind</th>
            <th>Server / channel</th>
            <th>Status</th>
            <th>Next try</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {sources.map((s) => (
            <tr key={s.id} className={s.lastError ? 'failing' : undefined}>
              <td>
                {s.name}
                {s.url && <div className="muted">{s.url}</div>}
              </td>
              <td>{kindText(s)}</td>
              <td>
                {serverName(s.guildId)}
                {s.channelId ? ` / ${s.channelId}` : ' / announcements'}
              </td>
              <td className="source-status">{statusText(s)}</td>
              <td>{s.kind !== 'webhook' && s.enabled ? when(s.nextPollAt) : '—'}</td>
              <td>
                {s.kind === 'x' &&
                  (retoken?.id === s.id ? (
                    <form
                      className="retoken"
                      onSubmit={(e) => {
                        e.preventDefault();
                        const token = retoken.token.trim();
                        void run(async () => {
                          await patch(`/announcement-sources/${s.id}`, { token, enabled: true });
                          setRetoken(null);
                        });
                      }}
                    >
                      <input
                        type="password"
                        aria-label="New bearer token"
                        autoComplete="off"
                        value={retoken.token}
                        onChange={(e) => setRetoken({ id: s.id, token: e.target.value })}
                        required
                      />
                      <button type="submit">Save token</button>
                    </form>
                  ) : (
                    <button type="button" onClick={() => setRetoken({ id: s.id, token: '' })}>
                      New token
                    </button>
                  ))}
                {s.kind !== 'webhook' && (
                  <button
                    type="button"
                    onClick={() => void run(() => post(`/announcement-sources/${s.id}/poll`))}
                  >
                    Poll now
                  </button>
                )}
                <button
                  type="button"
                  onClick={() =>
                    void run(() => patch(`/announcement-sources/${s.id}`, { enabled: !s.enabled }))
                  }
                >
                  {s.enabled ? 'Disable' : 'Enable'}
                </button>
                <button type="button" onClick={() => void run(() => del(`/announcement-sources/${s.id}`))}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="source-form" onSubmit={createSource}>
        <label>
          Kind
          <select
            value={form.kind}
            onChange={(e) => {
              const kind = e.target.value as SourceKind;
              setForm((f) => ({
                ...f,
                kind,
                // X's rate limits call for a longer default interval than a feed's.
                interval:
                  kind === 'x' && f.interval === emptySource.interval
                    ? xDefaultInterval
                    : kind === 'feed' && f.interval === xDefaultInterval
                      ? emptySource.interval
                      : f.interval,
              }));
            }}
          >
            <option value="feed">Feed (RSS, Atom, JSON Feed)</option>
            <option value="x">X account</option>
            <option value="webhook">Signed webhook</option>
          </select>
        </label>
        <label>
          Name
          <input value={form.name} onChange={setF('name')} required maxLength={100} />
        </label>
        {form.kind === 'feed' && (
          <>
            <label>
              Feed URL
              <input type="url" value={form.url} onChange={setF('url')} required />
            </label>
            <label>
              Poll every (seconds)
              <input type="number" min={1} max={86400} value={form.interval} onChange={setF('interval')} />
            </label>
          </>
        )}
        {form.kind === 'x' && (
          <>
            <label>
              Account (@handle or user id)
              <input
                value={form.account}
                onChange={setF('account')}
                required
                placeholder="@brand"
                pattern="@?[A-Za-z0-9_]{1,15}|\d{1,25}"
              />
            </label>
            <label>
              Bearer token (of the brand's X app; stored, never shown again)
              <input
                type="password"
                autoComplete="off"
                value={form.token}
                onChange={setF('token')}
                required
              />
            </label>
            <label>
              Poll every (seconds)
              <input type="number" min={1} max={86400} value={form.interval} onChange={setF('interval')} />
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={form.includeReplies}
                onChange={(e) => setForm((f) => ({ ...f, includeReplies: e.target.checked }))}
              />
              Also announce replies
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={form.includeReposts}
                onChange={(e) => setForm((f) => ({ ...f, includeReposts: e.target.checked }))}
              />
              Also announce reposts
            </label>
          </>
        )}
        <ServerPicker servers={servers} value={form.guildId} onChange={setF('guildId')} />
        <label>
          Channel id (empty: the server's announcements channel)
          <input value={form.channelId} onChange={setF('channelId')} pattern="\d*" />
        </label>
        <button type="submit">Add source</button>
      </form>

      <h2>Compose</h2>
      <form className="compose-form" onSubmit={(e) => e.preventDefault()}>
        <ServerPicker servers={servers} value={draft.guildId} onChange={setD('guildId')} />
        <label>
          Channel id (optional)
          <input value={draft.channelId} onChange={setD('channelId')} pattern="\d*" />
        </label>
        <label>
          Title
          <input value={draft.title} onChange={setD('title')} required maxLength={256} />
        </label>
        <label>
          Link
          <input type="url" value={draft.url} onChange={setD('url')} />
        </label>
        <label>
          Text
          <textarea value={draft.summary} onChange={setD('summary')} maxLength={4000} rows={5} />
        </label>
        <label>
          Image URL
          <input type="url" value={draft.imageUrl} onChange={setD('imageUrl')} />
        </label>
        <label>
          Schedule for
          <input type="datetime-local" value={draft.scheduledAt} onChange={setD('scheduledAt')} />
        </label>
        <label>
          Closes cases (release note)
          <input
            value={draft.cases}
            onChange={setD('cases')}
            placeholder="1042, 1057"
            title="Bug reports and feature requests, by number: solved when this is posted, their members told once"
          />
        </label>
        <div className="actions">
          <button type="button" onClick={showPreview}>
            Preview
          </button>
          <button type="button" onClick={() => send(false)}>
            Post now
          </button>
          <button type="button" onClick={() => send(true)} disabled={!draft.scheduledAt}>
            Schedule
          </button>
        </div>
      </form>
      {preview && (
        <section className="embed-preview" aria-label="Preview">
          {preview.url ? (
            <a href={preview.url} target="_blank" rel="noreferrer noopener">
              <strong>{preview.title}</strong>
            </a>
          ) : (
            <strong>{preview.title}</strong>
          )}
          {preview.description && (
            <div
              className="embed-description markdown"
              // The admin's own text, Markdown as Discord shows it; renderMarkdown sanitises the HTML.
              // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised by DOMPurify in renderMarkdown
              dangerouslySetInnerHTML={{ __html: renderMarkdown(preview.description) }}
            />
          )}
          {preview.image && <img src={preview.image.url} alt="" />}
          {preview.footer && <small>{preview.footer.text}</small>}
        </section>
      )}

      <h2>Recent and scheduled</h2>
      <table className="announcements">
        <thead>
          <tr>
            <th>Title</th>
            <th>From</th>
            <th>Status</th>
            <th>When</th>
            <th>Closes</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {posts.map((a) => (
            <tr key={a.id}>
              <td>{a.title}</td>
              <td>
                {a.sourceName ?? 'composed'}
                <div className="muted">{serverName(a.guildId)}</div>
              </td>
              <td>
                {a.status}
                {a.error ? ` — ${a.error}` : ''}
              </td>
              <td>{when(a.postedAt ?? a.scheduledAt)}</td>
              <td className="release-cases">
                {a.cases.length > 0 ? a.cases.map((n) => `#${n}`).join(', ') : '—'}
                {a.status === 'scheduled' && (
                  <button
                    type="button"
                    className="link"
                    onClick={() => {
                      const answer = window.prompt(
                        'Cases this release note closes (numbers, comma-separated; empty: none)',
                        a.cases.join(', '),
                      );
                      if (answer === null) return;
                      void run(async () => {
                        const linked = await put<Announcement>(`/announcements/posts/${a.id}/cases`, {
                          cases: caseNumbers(answer),
                        });
                        setPosts((p) => p.map((x) => (x.id === linked.id ? linked : x)));
                      });
                    }}
                  >
                    Link cases
                  </button>
                )}
              </td>
              <td>
                {a.status === 'scheduled' && (
                  <button
                    type="button"
                    onClick={() => void run(() => post(`/announcements/posts/${a.id}/cancel`))}
                  >
                    Cancel
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A scheduled post whose time has not come is not "on its way". */
function draftScheduled(a: Announcement): boolean {
  return Date.parse(a.scheduledAt) > Date.now();
}

/** What happened to the announcement just sent, in words: its real status, not what was asked. */
function sentNotice(a: Announcement, server: string): string {
  switch (a.status) {
    case 'scheduled':
      return draftScheduled(a)
        ? `“${a.title}” is scheduled for ${when(a.scheduledAt)} in ${server}.`
        : `“${a.title}” is about to be posted in ${server}…`;
    case 'posting':
      return `“${a.title}” is being posted in ${server}…`;
    case 'posted':
      return `“${a.title}” was posted in ${server} at ${when(a.postedAt)}.`;
    case 'failed':
      return a.error === 'cancelled'
        ? `“${a.title}” was cancelled.`
        : `“${a.title}” could not be posted: ${a.error ?? 'unknown error'}`;
  }
}

/** The server to post in, picked by name from the servers the bot is in (an id only when it is in none). */
function ServerPicker({
  servers,
  value,
  onChange,
}: {
  servers: Server[];
  value: string;
  onChange: (e: { target: { value: string } }) => void;
}) {
  if (servers.length === 0)
    return (
      <label>
        Server id (the bot is in no server yet: is Discord connected?)
        <input value={value} onChange={onChange} required pattern="\d+" />
      </label>
    );
  return (
    <label>
      Server
      <select aria-label="Server" value={value} onChange={onChange} required>
        <option value="" disabled>
          Choose a server
        </option>
        {servers.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
    </label>
  );
}
