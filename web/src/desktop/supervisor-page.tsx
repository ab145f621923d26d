import { useEffect, useState } from 'react';
import { get, query } from '../shared/api.ts';
import { formatDuration } from '../shared/format.ts';
import type { Case, Conversation, QueueStats } from '../shared/types.ts';
import { desktop, useDesktop } from './desktop-store.ts';

interface Figures {
  queues: QueueStats[];
  open: Conversation[];
  recent: Conversation[];
  rated: Case[];
}

const startOfToday = () => {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
};
const average = (values: number[]) =>
  values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;

/**
 * Queues, agents and today's figures. The API has no statistics route yet, so today's volume, response and
 * resolution times and CSAT are computed here from the latest 200 conversations and cases.
 */
export function SupervisorPage() {
  const state = useDesktop();
  const [figures, setFigures] = useState<Figures | null>(null);

  useEffect(() => {
    let live = true;
    let pending: ReturnType<typeof setTimeout> | null = null;
    const load = async () => {
      const [queues, open, recent, cases] = await Promise.all([
        get<{ queues: QueueStats[] }>('/queues/stats'),
        get<{ conversations: Conversation[] }>(
          `/conversations${query({ state: 'assigned,wrapping', limit: 200 })}`,
        ),
        get<{ conversations: Conversation[] }>(`/conversations${query({ limit: 200 })}`),
        get<{ cases: Case[] }>(`/cases${query({ limit: 200 })}`),
      ]);
      if (live)
        setFigures({
          queues: queues.queues,
          open: open.conversations,
          recent: recent.conversations,
          rated: cases.cases.filter((c) => c.rating !== null),
        });
    };
    void load().catch(() => {});
    // Changes arrive in bursts (a hand-off is several events): reload once per burst, and every 5 s for wait times.
    const off = desktop.onEvent((event) => {
      if (event.type === 'hello') return;
      if (pending) clearTimeout(pending);
      pending = setTimeout(() => void load().catch(() => {}), 300);
    });
    const timer = setInterval(() => void load().catch(() => {}), 5_000);
    return () => {
      live = false;
      off();
      clearInterval(timer);
      if (pending) clearTimeout(pending);
    };
  }, []);

  if (!figures) return <div className="page muted">Loading figures…</div>;
  const today = startOfToday();
  const todays = figures.recent.filter((c) => c.createdAt >= today);
  const firstResponse = average(
    todays
      .filter((c) => c.firstAgentReplyAt && (c.queuedAt ?? c.assignedAt))
      .map(
        (c) => (Date.parse(c.firstAgentReplyAt ?? '') - Date.parse(c.queuedAt ?? c.assignedAt ?? '')) / 1000,
      ),
  );
  const resolution = average(
    todays
      .filter((c) => c.closedAt)
      .map((c) => (Date.parse(c.closedAt ?? '') - Date.parse(c.createdAt)) / 1000),
  );
  const csat = average(figures.rated.map((c) => c.rating ?? 0));
  const load = (agentId: string) => figures.open.filter((c) => c.agentId === agentId).length;
  const hours = Array.from(
    { length: 24 },
    (_, h) => todays.filter((c) => new Date(c.createdAt).getHours() === h).length,
  );
  const maxWaiting = Math.max(1, ...figures.queues.map((q) => q.waiting));
  const maxHour = Math.max(1, ...hours);

  return (
    <div className="page supervisor">
      <h1>Supervisor</h1>
      <div className="tiles">
        <Tile label="Conversations today" value={String(todays.length)} />
        <Tile label="Waiting now" value={String(figures.queues.reduce((n, q) => n + q.waiting, 0))} />
        <Tile
          label="Avg first response"
          value={firstResponse === null ? '—' : formatDuration(firstResponse)}
        />
        <Tile label="Avg resolution" value={resolution === null ? '—' : formatDuration(resolution)} />
        <Tile
          label="CSAT"
          value={csat === null ? '—' : `${csat.toFixed(1)} / 5`}
          note={`${figures.rated.length} ratings`}
        />
      </div>
      <div className="two-columns">
        <section className="card">
          <h2>Queues</h2>
          <table className="table" aria-label="Queues">
            <thead>
              <tr>
                <th>Queue</th>
                <th>Waiting</th>
                <th>Longest wait</th>
                <th>Available agents</th>
              </tr>
            </thead>
            <tbody>
              {figures.queues.map((q) => (
                <tr key={q.queueId} data-queue={q.name}>
                  <td>{q.name}</td>
                  <td className="waiting">
                    <span
                      className="bar"
                      style={{ width: `${(q.waiting / maxWaiting) * 60}px` }}
                      aria-hidden="true"
                    />
                    <span className="figure">{q.waiting}</span>
                  </td>
                  <td>{formatDuration(q.longestWaitSeconds)}</td>
                  <td>{q.agentsAvailable}</td>
                </tr>
              ))}
              {figures.queues.length === 0 && (
                <tr>
                  <td colSpan={4} className="muted">
                    No queues yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </section>
        <section className="card">
          <h2>Agents</h2>
          <table className="table" aria-label="Agents">
            <thead>
              <tr>
                <th>Agent</th>
                <th>Presence</th>
                <th>Load</th>
              </tr>
            </thead>
            <tbody>
              {state.agents.map((a) => (
                <tr key={a.id} data-agent={a.email}>
                  <td>{a.name}</td>
                  <td>
                    <span className={`dot presence-${a.presence}`} aria-hidden="true" /> {a.presence}
                  </td>
                  <td className="load">
                    {load(a.id)} / {a.capacity}
                    <span className="meter inline" aria-hidden="true">
                      <span
                        style={{ width: `${Math.min(100, (load(a.id) / Math.max(1, a.capacity)) * 100)}%` }}
                      />
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
      <section className="card">
        <h2>Today by hour</h2>
        <div className="hours" role="img" aria-label="Conversations per hour today">
          {hours.map((n, h) => (
            <div key={`h${String(h)}`} className="hour" title={`${h}:00 — ${n}`}>
              <div className="hour-bar" style={{ height: `${(n / maxHour) * 100}%` }} />
              <span>{h % 3 === 0 ? h : ''}</span>
            </div>
          ))}
        </div>
      </section>
    </div>
  );
}

function Tile({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div className="tile" data-tile={label}>
      <span className="tile-value">{value}</span>
      <span className="tile-label">{label}</span>
      {note && <span className="muted small">{note}</span>}
    </div>
  );
}
