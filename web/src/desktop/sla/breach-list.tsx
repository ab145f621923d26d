import { useEffect, useState } from 'react';
import { ApiError, get, query } from '../../shared/api.ts';
import { ErrorNote } from '../../shared/error-note.tsx';
import { formatTime } from '../../shared/format.ts';
import type { SlaTimerView } from '../../shared/types.ts';
import { desktop, useDesktop } from '../desktop-store.ts';
import { Link } from '../router.tsx';
import { metricLabel } from './time-left.ts';

const shown = 20;

/** The latest breached SLA clocks (GET /api/v1/sla/breaches), with the new ones as they happen. */
export function BreachList() {
  const state = useDesktop();
  const [breaches, setBreaches] = useState<SlaTimerView[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const load = () =>
      get<{ breaches: SlaTimerView[] }>(`/sla/breaches${query({ limit: shown })}`)
        .then((r) => {
          if (!live) return;
          setBreaches(r.breaches);
          setError(null);
        })
        .catch((err: unknown) => live && setError(err instanceof ApiError ? err.message : 'could not load'));
    void load();
    // A breach, or a breached clock that was met since.
    const off = desktop.onEvent((event) => {
      if (event.type === 'sla.timer' && event.timer.breachedAt) void load();
    });
    return () => {
      live = false;
      off();
    };
  }, []);

  const holder = (id: string | null) =>
    id ? (state.agents.find((a) => a.id === id)?.name ?? 'an agent') : '—';
  return (
    <section className="card" aria-label="SLA breaches">
      <h2>SLA breaches</h2>
      <ErrorNote message={error} />
      <table className="table" aria-label="Breaches">
        <thead>
          <tr>
            <th>Case</th>
            <th>Target</th>
            <th>Breached</th>
            <th>Holder</th>
            <th>Now</th>
          </tr>
        </thead>
        <tbody>
          {(breaches ?? []).map((b) => (
            <tr key={b.id} data-case={b.caseNumber ?? ''}>
              <td>
                <Link to={`/cases/${b.caseNumber ?? encodeURIComponent(b.caseId)}`}>
                  #{b.caseNumber ?? '?'}
                </Link>{' '}
                <span dir="auto">{b.caseSubject ?? ''}</span>
              </td>
              <td>
                {metricLabel(b.metric)}, {b.targetMinutes} min
              </td>
              <td>{b.breachedAt ? formatTime(b.breachedAt) : ''}</td>
              <td>{holder(b.agentId)}</td>
              <td>{b.status === 'running' || b.status === 'paused' ? `still ${b.status}` : b.status}</td>
            </tr>
          ))}
          {breaches?.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                No breach.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
