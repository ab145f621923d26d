import { useEffect, useState } from 'react';
import { get } from '../../shared/api.ts';
import { ErrorNote } from '../../shared/error-note.tsx';
import type { DiscordServer } from '../../shared/types.ts';
import { message } from './admin-form.ts';

/** The Discord servers the bot is in, as the gateway knows them: each shares the queues and case numbers. */
export function ServersAdmin() {
  const [servers, setServers] = useState<DiscordServer[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<{ servers: DiscordServer[] }>('/discord/servers')
      .then((body) => setServers(body.servers))
      .catch((err: unknown) => setError(message(err)));
  }, []);
  return (
    <section className="card">
      <p className="muted">
        Run <code>/setup</code> in a server to create its channels; its texts can be edited under Bot texts.
      </p>
      <ErrorNote message={error} />
      <table className="table" aria-label="Servers">
        <thead>
          <tr>
            <th>Server</th>
            <th>Id</th>
            <th>Members</th>
            <th>Setup</th>
          </tr>
        </thead>
        <tbody>
          {(servers ?? []).map((s) => (
            <tr key={s.id} data-server={s.id}>
              <td dir="auto">{s.name}</td>
              <td>
                <code>{s.id}</code>
              </td>
              <td>{s.memberCount ?? '—'}</td>
              <td>{s.setUp ? 'done' : 'not run'}</td>
            </tr>
          ))}
          {servers?.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                The bot is in no Discord server (or Discord is not configured).
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
