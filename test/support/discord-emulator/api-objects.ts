/**
 * The JSON shapes the emulator sends and stores, trimmed to what Discord sends and discord.js reads.
 * Kept local (rather than importing discord-api-types) so the emulator states Discord's wire format
 * itself instead of borrowing the client's idea of it.
 */

export type JsonObject = { [key: string]: unknown };

export interface ApiUser {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: string | null;
  bot?: boolean;
  public_flags: number;
  flags: number;
}

export interface ApiRole {
  id: string;
  name: string;
  color: number;
  colors: { primary_color: number; secondary_color: null; tertiary_color: null };
  hoist: boolean;
  icon: null;
  unicode_emoji: null;
  position: number;
  permissions: string;
  managed: boolean;
  mentionable: boolean;
  flags: number;
  tags?: { bot_id: string };
}

export interface ApiMember {
  user: ApiUser;
  nick: string | null;
  avatar: null;
  roles: string[];
  joined_at: string;
  /** Since when the member boosts the server; null when they do not. */
  premium_since: string | null;
  deaf: boolean;
  mute: boolean;
  flags: number;
  pending: boolean;
  communication_disabled_until: null;
  permissions?: string;
}

export interface ApiOverwrite {
  id: string;
  type: 0 | 1;
  allow: string;
  deny: string;
}

export interface ApiChannel {
  id: string;
  type: number;
  guild_id?: string;
  name?: string | null;
  topic?: string | null;
  position?: number;
  parent_id?: string | null;
  permission_overwrites?: ApiOverwrite[];
  nsfw?: boolean;
  rate_limit_per_user?: number;
  last_message_id: string | null;
  recipients?: ApiUser[];
  owner_id?: string;
  message_count?: number;
  member_count?: number;
  total_message_sent?: number;
  thread_metadata?: {
    archived: boolean;
    auto_archive_duration: number;
    archive_timestamp: string;
    locked: boolean;
    invitable: boolean;
    create_timestamp: string;
  };
  flags: number;
}

export interface ApiAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type?: string;
}

export interface ApiMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: ApiUser;
  member?: Omit<ApiMember, 'user'>;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  tts: boolean;
  mention_everyone: boolean;
  mentions: ApiUser[];
  mention_roles: string[];
  attachments: ApiAttachment[];
  embeds: JsonObject[];
  components: JsonObject[];
  pinned: boolean;
  type: number;
  flags: number;
  nonce?: string | number;
  webhook_id?: string;
  application_id?: string;
  message_reference?: JsonObject;
  interaction_metadata?: JsonObject;
}

export interface ApiApplicationCommand {
  id: string;
  application_id: string;
  guild_id?: string;
  type: number;
  name: string;
  name_localizations?: Record<string, string> | null;
  description: string;
  description_localizations?: Record<string, string> | null;
  options?: JsonObject[];
  default_member_permissions: string | null;
  dm_permission?: boolean;
  contexts?: number[] | null;
  integration_types?: number[];
  nsfw: boolean;
  version: string;
}
