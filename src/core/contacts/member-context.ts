import type { ChannelName, MemberContext } from '../model.ts';
import type { SettingRepository } from '../ports/repositories.ts';

/** What a connector gives with a message: the member context without what the core adds. */
export type MemberContextInput = Omit<MemberContext, 'channel' | 'updatedAt'>;

/**
 * One stored value per contact: their communities, the one they wrote from last first. Its key is this prefix
 * and the contact's id (the store reads it with the contact when a message arrives).
 */
export const memberContextKeyPrefix = 'contact.member-context:';
const settingKey = (contactId: string) => `${memberContextKeyPrefix}${contactId}`;

/** A contact's member contexts, the community they wrote from last first. */
export async function memberContextsOf(
  settings: SettingRepository,
  contactId: string,
): Promise<MemberContext[]> {
  return (await settings.get<MemberContext[]>(settingKey(contactId))) ?? [];
}

/** The member context of the community the contact wrote from last on this channel (what flows read). */
export async function latestMemberContext(
  settings: SettingRepository,
  contactId: string,
  channel: ChannelName,
): Promise<MemberContext | undefined> {
  return (await memberContextsOf(settings, contactId)).find((m) => m.channel === channel);
}

/**
 * Keeps what the connector told with a message (inside the receive's transaction): that community's context
 * is replaced and moves first. A message from a DM names no request channel; the last one known is kept.
 * Nothing is written when nothing changed. `known` is the contact's contexts when already read in this
 * transaction (with the contact); else they are read here.
 */
export async function rememberMemberContextIn(
  settings: SettingRepository,
  contactId: string,
  channel: ChannelName,
  input: MemberContextInput,
  at: string,
  known?: readonly MemberContext[],
): Promise<MemberContext> {
  const stored = known ?? (await memberContextsOf(settings, contactId));
  const same = (m: MemberContext) => m.channel === channel && m.server.id === input.server.id;
  const previous = stored.find(same);
  const next: MemberContext = {
    channel,
    server: input.server,
    roles: input.roles,
    joinedAt: input.joinedAt,
    boostingSince: input.boostingSince,
    accountCreatedAt: input.accountCreatedAt,
    requestChannel: input.requestChannel ?? previous?.requestChannel ?? null,
    updatedAt: at,
  };
  const list = [next, ...stored.filter((m) => !same(m))];
  const unchanged =
    stored[0] === previous &&
    previous !== undefined &&
    sameContent(previous, next) &&
    list.length === stored.length;
  if (!unchanged) await settings.set(settingKey(contactId), list);
  return unchanged ? previous : next;
}

function sameContent(a: MemberContext, b: MemberContext): boolean {
  return JSON.stringify({ ...a, updatedAt: '' }) === JSON.stringify({ ...b, updatedAt: '' });
}
