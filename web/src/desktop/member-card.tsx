import { useEffect, useState } from 'react';
import { get } from '../shared/api.ts';
import type { MemberContext } from '../shared/types.ts';
import { desktop } from './desktop-store.ts';

/** A day as `2024-05-06`: the same for every agent, whatever their locale. */
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : null);

/**
 * Who the contact is in the community they wrote from (a Discord server): the server, when they joined,
 * their roles and boost. Read again whenever they write in the conversation, so that a role given meanwhile
 * shows. A case's card shows the member in the case's server (where they filed it), else the latest.
 */
export function MemberCard({
  contactId,
  conversationId = null,
  serverId = null,
}: {
  contactId: string;
  conversationId?: string | null;
  serverId?: string | null;
}) {
  const [member, setMember] = useState<MemberContext | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      get<{ servers: MemberContext[] }>(`/contacts/${contactId}/member-context`)
        .then(
          (r) => live && setMember(r.servers.find((m) => m.server.id === serverId) ?? r.servers[0] ?? null),
        )
        .catch(() => {});
    void load();
    const off = desktop.onEvent((event) => {
      if (
        event.type === 'message.created' &&
        conversationId !== null &&
        event.message.conversationId === conversationId &&
        event.message.authorKind === 'contact'
      )
        void load();
    });
    return () => {
      live = false;
      off();
    };
  }, [contactId, conversationId, serverId]);
  if (!member) return null;
  const joined = day(member.joinedAt);
  const boosting = day(member.boostingSince);
  return (
    <dl className="member-card" aria-label="Member">
      <dt>Server</dt>
      <dd className="member-server">{member.server.name}</dd>
      {joined && (
        <>
          <dt>Joined</dt>
          <dd className="member-joined">{joined}</dd>
        </>
      )}
      <dt>Roles</dt>
      <dd className="member-roles">
        {member.roles.length === 0
          ? 'none'
          : member.roles.map((r) => (
              <span key={r.id} className="tag">
                {r.name}
              </span>
            ))}
      </dd>
      {boosting && (
        <>
          <dt>Boosting since</dt>
          <dd>{boosting}</dd>
        </>
      )}
      {member.requestChannel && (
        <>
          <dt>Asked in</dt>
          <dd>#{member.requestChannel.name}</dd>
        </>
      )}
    </dl>
  );
}
