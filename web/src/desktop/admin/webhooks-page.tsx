import { type FormEvent, useEffect, useState } from 'react';
import { del, get, patch, post, query } from '../../shared/api.ts';
import { ErrorNote } from '../../shared/error-note.tsx';
import { noticesChanged } from '../admin-notices.tsx';
import { message } from './admin-form.ts';

/** The events an integrator may subscribe to, as the API names them (`src/core/webhooks/webhook.ts`). */
const eventTypes = [
  ['conversation.created', 'Conversation created'],
  ['conversation.assigned', 'Conversation assigned'],
  ['conversation.closed', 'Conversation closed'],
  ['message.created', 'Message created'],
  ['case.created', 'Case created'],
  ['case.updated', 'Case updated'],
  ['case.solved', 'Case solved'],
  ['rating.received', 'Rating received'],
] as const;

/** What `/api/v1/webhooks` lists (never the secret). */
interface Webhook {
  id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  failingSince: string | null;
  disabledAt: string | null;
  disabledReason: string | null;
  createdAt: string;
}

interface WebhookDelivery {
  id: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'delivered';
  attempts: number;
  nextAttemptAt: string;
  lastAttemptAt: string | null;
  responseStatus: number | null;
  responseExcerpt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

const time = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

/**
 * Outbound webhooks: subscribe an integrator's URL to events, see its secret once, and follow each
 * delivery (status, the endpoint's answer, attempts). An endpoint failing for a day is shown disabled here.
 */
export function WebhooksAdmin() {
  const [webhooks, setWebhooks] = useState<Webhook[]>([]);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>(eventTypes.map(([type]) => type));
  const [secret, setSecret] = useState<{ id: string; secret: string } | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () => get<{ webhooks: Webhook[] }>('/webhooks').then((r) => setWebhooks(r.webhooks));
  // biome-ignore lint/correctness/useExhaustiveDependencies: loaded on opening, then every few seconds
  useEffect(() => {
    void load().catch((err) => setError(message(err)));
    const timer = setInterval(() => void load().catch(() => {}), 5_000);
    return () => clearInterval(timer);
  }, []);
  const toggle = (type: string) =>
    setEvents((current) => (current.includes(type) ? current.filter((e) => e !== type) : [...current, type]));
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const made = await post<{ webhook: Webhook; secret: string }>('/webhooks', {
        url,
        description,
        events,
      });
      setSecret({ id: made.webhook.id, secret: made.secret });
      setUrl('');
      setDescription('');
      setOpenId(made.webhook.id);
      await load();
    } catch (err) {
      setError(message(err));
    }
  };
  const act = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      await load();
      // Turned on again: its notice in the banner ends.
      window.dispatchEvent(new Event(noticesChanged));
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <section className="card webhooks">
      <p className="muted">
        Switchboard POSTs each event to these addresses, signed with the webhook's secret (the
        X-Switchboard-Signature header), and retries until the endpoint answers 2xx. An endpoint failing for a
        day is turned off.
      </p>
      <ErrorNote message={error} />
      {secret && (
        <div className="notice" role="status" aria-label="Webhook secret">
          <p>
            The signing secret, shown only now: copy it into the receiver.
            <br />
            <code data-testid="webhook-secret">{secret.secret}</code>
          </p>
          <button type="button" onClick={() => setSecret(null)}>
            I copied it
          </button>
        </div>
      )}
      <ul className="plain webhook-list" aria-label="Webhooks">
        {webhooks.map((w) => (
          <li key={w.id} data-webhook={w.id}>
            <strong>{w.url}</strong> {w.description && <span className="muted">{w.description}</span>}{' '}
            <span className={w.enabled ? 'tag' : 'tag warn'}>{w.enabled ? 'on' : 'off'}</span>
            <div className="muted">{w.events.join(', ')}</div>
            {!w.enabled && w.disabledReason && (
              <p className="notice warn" role="alert">
                {`Off since ${time(w.disabledAt)}: ${w.disabledReason}.`}
              </p>
            )}
            {w.enabled && w.failingSince && (
              <p className="notice warn">{`Failing since ${time(w.failingSince)}; retried with back-off.`}</p>
            )}
            <div className="actions">
              <button type="button" onClick={() => setOpenId(openId === w.id ? null : w.id)}>
                {openId === w.id ? 'Hide deliveries' : 'Deliveries'}
              </button>
              <button
                type="button"
                onClick={() => act(() => patch(`/webhooks/${w.id}`, { enabled: !w.enabled }))}
              >
                {w.enabled ? 'Turn off' : 'Turn on'}
              </button>
              <button
                type="button"
                onClick={() =>
                  act(async () => {
                    const rotated = await post<{ secret: string }>(`/webhooks/${w.id}/rotate-secret`);
                    setSecret({ id: w.id, secret: rotated.secret });
                  })
                }
              >
                New secret
              </button>
              <button
                type="button"
                onClick={() => {
                  if (window.confirm(`Delete the webhook to ${w.url} and its delivery log?`))
                    void act(() => del(`/webhooks/${w.id}`));
                }}
              >
                Delete
              </button>
            </div>
            {openId === w.id && <DeliveryLog webhookId={w.id} onError={setError} />}
          </li>
        ))}
      </ul>
      <form onSubmit={create} aria-label="New webhook">
        <h2>New webhook</h2>
        <label>
          URL
          <input
            type="url"
            required
            placeholder="https://crm.example.com/hooks/switchboard"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
          />
        </label>
        <label>
          Description
          <input value={description} maxLength={200} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <fieldset>
          <legend>Events</legend>
          {eventTypes.map(([type, label]) => (
            <label key={type} className="inline">
              <input type="checkbox" checked={events.includes(type)} onChange={() => toggle(type)} /> {label}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={events.length === 0}>
          Create webhook
        </button>
      </form>
    </section>
  );
}

/** One subscription's deliveries, newest first, refreshed while open. */
function DeliveryLog({ webhookId, onError }: { webhookId: string; onError: (error: string) => void }) {
  const [deliveries, setDeliveries] = useState<WebhookDelivery[] | null>(null);
  const load = () =>
    get<{ deliveries: WebhookDelivery[] }>(`/webhooks/${webhookId}/deliveries${query({ limit: 50 })}`).then(
      (r) => setDeliveries(r.deliveries),
    );
  // biome-ignore lint/correctness/useExhaustiveDependencies: reloaded every few seconds while open
  useEffect(() => {
    void load().catch((err) => onError(message(err)));
    const timer = setInterval(() => void load().catch(() => {}), 2_000);
    return () => clearInterval(timer);
  }, [webhookId]);
  if (!deliveries) return <p className="muted">Loading deliveries…</p>;
  if (deliveries.length === 0) return <p className="muted">No deliveries yet.</p>;
  return (
    <table className="delivery-log" aria-label="Deliveries">
      <thead>
        <tr>
          <th>Event</th>
          <th>Status</th>
          <th>Response</th>
          <th>Attempts</th>
          <th>Time</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {deliveries.map((d) => (
          <tr key={d.id} data-delivery={d.id}>
            <td>{d.eventType}</td>
            <td>{d.status === 'delivered' ? 'delivered' : d.attempts > 0 ? 'retrying' : 'pending'}</td>
            <td>
              {d.responseStatus ?? '—'} <span className="muted excerpt">{d.responseExcerpt ?? ''}</span>
            </td>
            <td>{d.attempts}</td>
            <td>{time(d.deliveredAt ?? d.lastAttemptAt ?? d.createdAt)}</td>
            <td>
              <button
                type="button"
                onClick={() =>
                  void post(`/webhooks/${webhookId}/deliveries/${d.id}/redeliver`)
                    .then(load)
                    .catch((err) => onError(message(err)))
                }
              >
                Send again
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
