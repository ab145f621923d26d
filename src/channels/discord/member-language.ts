import type { Guild } from 'discord.js';
import { baseLanguage, detectLanguage } from '../../core/knowledge/language-detector.ts';
import type { DiscordCore } from './discord-connector.ts';
import { CHANNEL } from './discord-context.ts';

/**
 * The member's language, the same one the core answers them in: what they write now, else the language
 * of their latest conversation (the core keeps it from what they wrote; Discord has no Arabic locale),
 * else their own Discord locale, else English. Read from the store, so that every instance and every
 * reply after a restart agrees; never from another member or the server.
 */
export async function memberLanguage(
  store: DiscordCore['store'],
  userId: string,
  locale: string | null | undefined,
  text?: string,
): Promise<string> {
  const detected = text?.trim() ? detectLanguage(text) : null;
  if (detected && detected.confidence >= 0.5) return detected.language;
  const contact = await store.contacts.findByIdentity(CHANNEL, userId);
  if (contact) {
    const [latest] = await store.conversations.list({
      contactId: contact.id,
      channel: CHANNEL,
      limit: 1,
    });
    if (latest?.language) return latest.language;
  }
  const own = locale ?? contact?.locale;
  return own ? baseLanguage(own) : 'en';
}

export function guildLanguage(guild: Guild | null): string {
  return guild?.preferredLocale ? baseLanguage(guild.preferredLocale) : 'en';
}
