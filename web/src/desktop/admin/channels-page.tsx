import { useEffect, useState } from 'react';
import { get } from '../../shared/api.ts';
import { ErrorNote } from '../../shared/error-note.tsx';
import type { ChannelHealth } from '../../shared/types.ts';
import { message } from './admin-form.ts';

export function ChannelsAdmin() {
  const [channels, setChannels] = useState<ChannelHealth[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const load = () =>
      get<{ channels: ChannelHealth[] }>('/channels')
        .then((body) => {
          setChannels(body.channels);
          setError(null);
        })
        .catch((err: unknown) => setError(message(err)));
    void load();
    // A connector reconnects on its own: the page follows without a reload.
    const timer = setInterval(load, 5_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <section className="card">
      <ErrorNote message={error} />
      <table className="table" aria-label="Channels">
        <thead>
          <tr>
            <th>Channel</th>
            <th>State</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {(channels ?? []).map((h) => (
            <tr key={h.channel} data-channel={h.channel}>
              <td>{h.channel}</td>
              <td>
                <span className={`health health-${h.status}`}>{h.status}</span>
              </td>
              <td dir="auto">{h.detail ?? ''}</td>
            </tr>
          ))}
          {channels?.length === 0 && (
            <tr>
              <td colSpan={3} className="muted">
                No channel is configured.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
