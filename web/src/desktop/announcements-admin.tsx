import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, del, get, patch, post } from '../shared/api.ts';
import { ErrorNote } from '../shared/error-note.tsx';

/** What `/api/v1/announcement-sources` lists (the webhook secret is never listed). */
interface AnnouncementSource {
  id: string;
  kind: 'feed' | 'webhook';
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
  kind: 'feed' as 'feed' | 'webhook',
  name: '',
  url: '',
  interval: '600',
  guildId: '',
  channelId: '',
};
const emptyPost = {
  guildId: '',
  channelId: '',
  title: '',
  url: '',
  summary: '',
  imageUrl: '',
  scheduledAt: '',
};

/**
 * Admin → Announcements: feed and webhook sources (with their last error and next try), and composing
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

  const load = async () => {
    const [s, p] = await Promise.all([
      get<{ sources: AnnouncementSource[] }>('/announcement-sources'),
      get<{ announcements: Announcement[] }>('/announcements/posts'),
    ]);
    setSources(s.sources);
    setPosts(p.announcements);
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: loads once, then every few seconds for the statuses
  useEffect(() => {
    void load().catch((err) => setError(message(err)));
    const timer = setInterval(() => void load().catch(() => {}), 5_000);
    return () => clearInterval(timer);
  }, []);

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
      await post('/announcements/posts', {
        ...body(),
        ...(scheduled ? { scheduledAt: new Date(draft.scheduledAt).toISOString() } : {}),
      });
      setNotice(scheduled ? 'Announcement scheduled.' : 'Announcement is being posted.');
      setDraft(emptyPost);
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
              <td>{s.kind === 'feed' ? `feed, every ${s.pollIntervalSeconds} s` : 'webhook'}</td>
              <td>
                {s.guildId}
                {s.channelId ? ` / ${s.channelId}` : ' / announcements'}
              </td>
              <td>
                {!s.enabled
                  ? 'disabled'
                  : s.lastError
                    ? `failing (${s.failures}×): ${s.lastError}`
                    : s.lastPolledAt
                      ? `ok, polled ${when(s.lastPolledAt)}`
                      : 'ok'}
              </td>
              <td>{s.kind === 'feed' && s.enabled ? when(s.nextPollAt) : '—'}</td>
              <td>
                {s.kind === 'feed' && (
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
            onChange={(e) => setForm((f) => ({ ...f, kind: e.target.value as 'feed' | 'webhook' }))}
          >
            <option value="feed">Feed (RSS, Atom, JSON Feed)</option>
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
        <label>
          Server id
          <input value={form.guildId} onChange={setF('guildId')} required pattern="\d+" />
        </label>
        <label>
          Channel id (empty: the server's announcements channel)
          <input value={form.channelId} onChange={setF('channelId')} pattern="\d*" />
        </label>
        <button type="submit">Add source</button>
      </form>

      <h2>Compose</h2>
      <form className="compose-form" onSubmit={(e) => e.preventDefault()}>
        <label>
          Server id
          <input value={draft.guildId} onChange={setD('guildId')} required pattern="\d+" />
        </label>
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
          {preview.description && <p>{preview.description}</p>}
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
            <th />
          </tr>
        </thead>
        <tbody>
          {posts.map((a) => (
            <tr key={a.id}>
              <td>{a.title}</td>
              <td>{a.sourceName ?? 'composed'}</td>
              <td>
                {a.status}
                {a.error ? ` — ${a.error}` : ''}
              </td>
              <td>{when(a.postedAt ?? a.scheduledAt)}</td>
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
