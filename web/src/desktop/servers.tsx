import { useEffect, useState } from 'react';
import { get } from '../shared/api.ts';
import type { DiscordServer, ServerRef } from '../shared/types.ts';

/**
 * The servers the bot is in (GET /api/v1/discord/servers), loaded once per page: the filters by server
 * offer them. Empty without the Discord channel (or while it answers nothing).
 */
export function useServers(): DiscordServer[] {
  const [servers, setServers] = useState<DiscordServer[]>([]);
  useEffect(() => {
    let live = true;
    get<{ servers: DiscordServer[] }>('/discord/servers')
      .then((body) => live && setServers(body.servers))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);
  return servers;
}

/** "All servers" or one of them; hidden when the bot is in fewer than two servers and none is chosen. */
export function ServerSelect(props: {
  servers: DiscordServer[];
  value: string;
  onChange: (serverId: string) => void;
}) {
  if (props.servers.length < 2 && !props.value) return null;
  return (
    <select aria-label="Server" value={props.value} onChange={(e) => props.onChange(e.target.value)}>
      <option value="">All servers</option>
      {props.servers.map((s) => (
        <option key={s.id} value={s.id}>
          {s.name}
        </option>
      ))}
    </select>
  );
}

/** The server a conversation or case came through, as a small label (its name is the server's, shown as text). */
export function ServerBadge({ server }: { server: ServerRef | null | undefined }) {
  if (!server) return null;
  return (
    <span className="server-badge" title="Server" data-server={server.id} dir="auto">
      {server.name}
    </span>
  );
}
