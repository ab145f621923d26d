import { useEffect, useState } from 'react';
import { ApiError, get, query } from '../shared/api.ts';
import { ErrorNote } from '../shared/error-note.tsx';
import { formatDuration } from '../shared/format.ts';
import type { ContactCenterStats } from '../shared/types.ts';
import { SupervisorTabs } from './bot-page.tsx';
import { CsatCard } from './csat-card.tsx';
import { desktop } from './desktop-store.ts';
import { SlaAttainmentCard } from './sla/attainment-table.tsx';
import { BreachList } from './sla/breach-list.tsx';
import { Tile } from './tile.tsx';

/** Midnight of the supervisor's own day: the server counts its hourly buckets from it. */
const startOfToday = () => {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
};
const hoursInView = 24;

/**
 * Queues, agents and today's figures, computed by the server (GET /api/v1/stats; the definitions of
 * first response, resolution and CSAT are in src/core/stats/stats-service.ts).
 */
export function SupervisorPage() {
  const [stats, setStats] = useState<ContactCenterStats | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [today] = useState(startOfToday);

  useEffect(() => {
    let live = true;
    let pending: ReturnType<typeof setTimeout> | null = null;
    const load = async () => {
      try {
        const figures = await get<ContactCenterStats>(`/stats${query({ since: startOfToday() })}`);
        if (!live) return;
        setStats(figures);
        setError(null);
      } catch (err) {
        if (live) setError(err instanceof ApiError ? err.message : 'could not load the figures');
      }
    };
    void load();
    // Changes arrive in bursts (a hand-off is several events): reload once per burst, and every 5 s for wait times.
    const off = desktop.onEvent((event) => {
      if (event.type === 'hello') return;
      if (pending) clearTimeout(pending);
      pending = setTimeout(() => void load(), 300);
    });
    const timer = setInterval(() => void load(), 5_000);
    return () => {
      live = false;
      off();
      clearInterval(timer);
      if (pending) clearTimeout(pending);
    };
  }, []);

  if (!stats)
    return error ? (
      <div className="page error" role="alert">
        {error}
      </div>
    ) : (
      <div className="page muted">Loading figures…</div>
    );
  const hours = [
    ...stats.hours,
    // The rest of the day, still to come, keeps the chart's width steady.
    ...Array.from({ length: Math.max(0, hoursInView - stats.hours.length) }, (_, i) => ({
      start: new Date(Date.parse(stats.since) + (stats.hours.length + i) * 3_600_000).toISOString(),
      conversations: 0,
    })),
  ];
  const maxWaiting = Math.max(1, ...stats.queues.map((q) => q.waiting));
  const maxHour = Math.max(1, ...hours.map((h) => h.conversations));
  const median = (seconds: number | null) => (seconds === null ? '—' : formatDuration(seconds));

  return (
    <div className="page supervisor">
      <h1>Supervisor</h1>
      <SupervisorTabs active="center" />
      <ErrorNote message={error} />
      <div className="tiles">
        <Tile
          label="Conversations today"
          value={String(stats.conversations.total)}
          note={`${stats.conversations.handedOff} to agents`}
        />
        <Tile label="Waiting now" value={String(stats.queues.reduce((n, q) => n + q.waiting, 0))} />
        <Tile
          label="First response"
          value={median(stats.firstResponse.medianSeconds)}
          note={`median; ${stats.firstResponse.count} answered`}
        />
        <Tile
          label="Resolution"
          value={median(stats.resolution.medianSeconds)}
          note={`median; ${stats.resolution.count} resolved`}
        />
        <Tile
          label="CSAT"
          value={stats.csat.average === null ? '—' : `${stats.csat.average.toFixed(1)} / 5`}
          note={`${stats.csat.count} ratings`}
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
              {stats.queues.map((q) => (
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
              {stats.queues.length === 0 && (
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
                <th>Closed today</th>
              </tr>
            </thead>
            <tbody>
              {stats.agents.map((a) => (
                <tr key={a.id} data-agent={a.email}>
                  <td>{a.name}</td>
                  <td>
                    <span className={`dot presence-${a.presence}`} aria-hidden="true" /> {a.presence}
                  </td>
                  <td className="load">
                    {a.load} / {a.capacity}
                    <span className="meter inline" aria-hidden="true">
                      <span
                        style={{ width: `${Math.min(100, (a.load / Math.max(1, a.capacity)) * 100)}%` }}
                      />
                    </span>
                  </td>
                  <td>{a.closed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
      <BreachList />
      <SlaAttainmentCard since={today} />
      <CsatCard csat={stats.csat} />
      {stats.servers.length > 0 && (
        <section className="card">
          <h2>By server</h2>
          <table className="table" aria-label="By server">
            <thead>
              <tr>
                <th>Server</th>
                <th>Conversations</th>
                <th>To agents</th>
                <th>Closed</th>
              </tr>
            </thead>
            <tbody>
              {stats.servers.map((s) => (
                <tr key={s.id} data-server={s.id}>
                  <td dir="auto">{s.name}</td>
                  <td>{s.total}</td>
                  <td>{s.handedOff}</td>
                  <td>{s.closed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <section className="card">
        <h2>Today by hour</h2>
        <div className="hours" role="img" aria-label="Conversations per hour today">
          {hours.map((h) => {
            const hour = new Date(h.start).getHours();
            return (
              <div key={h.start} className="hour" title={`${hour}:00 — ${h.conversations}`}>
                <div className="hour-bar" style={{ height: `${(h.conversations / maxHour) * 100}%` }} />
                <span>{hour % 3 === 0 ? hour : ''}</span>
              </div>
            );
          })}
        </div>
      </section>
    </div>
  );
}
