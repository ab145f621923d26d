import { useEffect, useState } from 'react';
import { ApiError, get, query } from '../../shared/api.ts';
import { ErrorNote } from '../../shared/error-note.tsx';
import type { AttainmentFigure, SlaAttainment } from '../../shared/types.ts';
import { desktop } from '../desktop-store.ts';
import { Tile } from '../tile.tsx';
import { metricLabel } from './time-left.ts';

const percent = (f: AttainmentFigure) => (f.attainment === null ? '—' : `${Math.round(f.attainment * 100)}%`);

/** One attainment table (by queue, by agent): the share of clocks met in time. */
function AttainmentTable({
  label,
  rows,
}: {
  label: string;
  rows: ({ id: string; name: string } & AttainmentFigure)[];
}) {
  return (
    <table className="table" aria-label={`SLA attainment by ${label.toLowerCase()}`}>
      <thead>
        <tr>
          <th>{label}</th>
          <th>Attainment</th>
          <th>Met</th>
          <th>Breached</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.id} data-name={row.name}>
            <td dir="auto">{row.name}</td>
            <td className="attainment">{percent(row)}</td>
            <td>{row.met}</td>
            <td>{row.breached}</td>
          </tr>
        ))}
        {rows.length === 0 && (
          <tr>
            <td colSpan={4} className="muted">
              No clock ended yet.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

/**
 * SLA attainment since `since` (GET /api/v1/stats/sla): per metric, queue and agent, of the clocks that were
 * met or breached. Reloaded when a clock changes.
 */
export function SlaAttainmentCard({ since }: { since: string }) {
  const [figures, setFigures] = useState<SlaAttainment | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    let pending: ReturnType<typeof setTimeout> | null = null;
    const load = () =>
      get<SlaAttainment>(`/stats/sla${query({ since })}`)
        .then((f) => {
          if (!live) return;
          setFigures(f);
          setError(null);
        })
        .catch((err: unknown) => live && setError(err instanceof ApiError ? err.message : 'could not load'));
    void load();
    const off = desktop.onEvent((event) => {
      if (event.type !== 'sla.timer') return;
      if (pending) clearTimeout(pending);
      pending = setTimeout(() => void load(), 300);
    });
    return () => {
      live = false;
      off();
      if (pending) clearTimeout(pending);
    };
  }, [since]);

  return (
    <section className="card sla-attainment" aria-label="SLA attainment">
      <h2>SLA attainment</h2>
      <ErrorNote message={error} />
      {figures && (
        <>
          <div className="tiles">
            <Tile
              label="All SLAs"
              value={percent(figures.overall)}
              note={`${figures.overall.breached} breached`}
            />
            {(Object.keys(figures.byMetric) as (keyof typeof figures.byMetric)[]).map((metric) => (
              <Tile
                key={metric}
                label={metricLabel(metric)}
                value={percent(figures.byMetric[metric])}
                note={`${figures.byMetric[metric].met} of ${figures.byMetric[metric].total} in time`}
              />
            ))}
          </div>
          <div className="two-columns">
            <AttainmentTable
              label="Queue"
              rows={figures.queues.map(({ queueId, ...f }) => ({ id: queueId, ...f }))}
            />
            <AttainmentTable
              label="Agent"
              rows={figures.agents.map(({ agentId, ...f }) => ({ id: agentId, ...f }))}
            />
          </div>
        </>
      )}
    </section>
  );
}
