import type { ContactCenterStats } from '../shared/types.ts';

type Csat = ContactCenterStats['csat'];

/** CSAT by agent, queue and channel, and what contacts wrote with their ratings (comments as text). */
export function CsatCard({ csat }: { csat: Csat }) {
  const groups = [
    ['Agent', csat.byAgent],
    ['Queue', csat.byQueue],
    ['Channel', csat.byChannel],
  ] as const;
  return (
    <section className="card csat" aria-label="CSAT">
      <h2>CSAT</h2>
      <div className="two-columns">
        {groups.map(([label, rows]) => (
          <table key={label} className="table" aria-label={`CSAT by ${label.toLowerCase()}`}>
            <thead>
              <tr>
                <th>{label}</th>
                <th>Average</th>
                <th>Ratings</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id}>
                  <td dir="auto">{row.name}</td>
                  <td>{row.average.toFixed(1)} / 5</td>
                  <td>{row.count}</td>
                </tr>
              ))}
              {rows.length === 0 && (
                <tr>
                  <td colSpan={3} className="muted">
                    No ratings yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        ))}
      </div>
      <h3>Comments</h3>
      <ul className="plain" aria-label="CSAT comments">
        {csat.comments.map((c) => (
          <li key={c.caseId}>
            <strong>#{c.caseNumber}</strong>{' '}
            {c.rating !== null && <span className="rating">{c.rating}/5</span>}{' '}
            <span dir="auto">{c.comment}</span>
          </li>
        ))}
        {csat.comments.length === 0 && <li className="muted">No comment yet.</li>}
      </ul>
    </section>
  );
}
