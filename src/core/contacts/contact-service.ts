import { invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { ChannelIdentity, ChannelName, Contact, MemberContext } from '../model.ts';
import type { Clock } from '../ports/clock.ts';
import type { ContactFilter, Repositories, Store } from '../ports/repositories.ts';
import { memberContextsOf } from './member-context.ts';

/** How a channel knows a person: its own id for them plus what it can tell about them. */
export interface ContactProfile {
  externalId: string;
  name: string;
  avatarUrl?: string | null;
  locale?: string | null;
  /** Other identities of the same person (one phone number on SMS and WhatsApp); see `resolveContactIn`. */
  sameAs?: ChannelIdentity[];
}

/**
 * Finds the Contact a channel identity belongs to, creating it on first sight and refreshing name,
 * avatar and locale when the channel reports new ones. Used by `receive` and by connectors that open
 * cases outside a conversation (e.g. a Discord `/bug` report).
 */
export async function resolveContactIn(
  tx: Repositories,
  channel: ChannelName,
  profile: ContactProfile,
  at: string,
): Promise<Contact> {
  if (!profile.externalId) throw invalid('a contact needs the channel id', { field: 'contact.externalId' });
  const existing =
    (await tx.contacts.findByIdentity(channel, profile.externalId)) ??
    (await sameContact(tx, channel, profile));
  if (existing) return refreshContactIn(tx, existing, profile);
  const contact: Contact = {
    id: newId(),
    name: profile.name || profile.externalId,
    avatarUrl: profile.avatarUrl ?? null,
    locale: profile.locale ?? null,
    identities: [{ channel, externalId: profile.externalId }],
    createdAt: at,
  };
  // A first message of the same member handled at once elsewhere (another instance) may create it first.
  // Then it is theirs, refreshed from this profile like any existing contact.
  const stored = await tx.contacts.createIfAbsent(contact);
  return stored.id === contact.id ? stored : resolveContactIn(tx, channel, profile, at);
}

/** A known contact with what the channel says of them now (name, avatar, locale), stored when it changed. */
export async function refreshContactIn(
  tx: Repositories,
  existing: Contact,
  profile: ContactProfile,
): Promise<Contact> {
  const next: Contact = {
    ...existing,
    name: profile.name || existing.name,
    avatarUrl: profile.avatarUrl !== undefined ? profile.avatarUrl : existing.avatarUrl,
    locale: profile.locale ?? existing.locale,
  };
  const changed =
    next.name !== existing.name || next.avatarUrl !== existing.avatarUrl || next.locale !== existing.locale;
  if (changed) await tx.contacts.update(next);
  return next;
}

/**
 * The contact who already has one of the profile's other identities, with this identity added: the
 * person's first SMS joins the contact they are on WhatsApp (same number), and agents see one person.
 */
async function sameContact(
  tx: Repositories,
  channel: ChannelName,
  profile: ContactProfile,
): Promise<Contact | undefined> {
  for (const other of profile.sameAs ?? []) {
    if (other.channel === channel) continue;
    const found = await tx.contacts.findByIdentity(other.channel, other.externalId);
    if (!found) continue;
    const linked: Contact = {
      ...found,
      identities: [...found.identities, { channel, externalId: profile.externalId }],
    };
    await tx.contacts.update(linked);
    return linked;
  }
  return undefined;
}

/** Contacts by channel identity. */
export class ContactService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** The contact for this channel identity, created on first sight (in its own transaction). */
  resolve(channel: ChannelName, profile: ContactProfile): Promise<Contact> {
    return this.store.transaction((tx) =>
      resolveContactIn(tx, channel, profile, this.clock.now().toISOString()),
    );
  }

  async get(id: string): Promise<Contact> {
    const contact = await this.store.contacts.get(id);
    if (!contact) throw notFound('contact', id);
    return contact;
  }

  /** The contact's communities (Discord servers) with their roles there, the one they wrote from last first. */
  async memberContexts(id: string): Promise<MemberContext[]> {
    await this.get(id);
    return memberContextsOf(this.store.settings, id);
  }

  /** Contacts whose name or channel identity contains `text` (any case), newest first. */
  list(filter: ContactFilter): Promise<Contact[]> {
    return this.store.contacts.list(filter);
  }

  /** The contact's id on a channel (e.g. the Discord user id), if they have one. */
  static identityOn(contact: Contact, channel: ChannelName): string | undefined {
    return contact.identities.find((i) => i.channel === channel)?.externalId;
  }
}
