/** One figure of a dashboard: its value, what it is, and an optional note. */
export function Tile({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div className="tile" data-tile={label}>
      <span className="tile-value">{value}</span>
      <span className="tile-label">{label}</span>
      {note && <span className="muted small">{note}</span>}
    </div>
  );
}
