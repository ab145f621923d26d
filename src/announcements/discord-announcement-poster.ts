import type { RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { DiscordConnector } from '../channels/discord/discord-connector.ts';
import { ConnectorError } from '../core/ports/channel-connector.ts';
import type { SettingRepository } from '../core/ports/repositories.ts';
import type { AnnouncementPoster, AnnouncementServer } from './announcement-service.ts';

/** Posts announcements through the Discord connector, in the channel `/setup` stored unless one is named. */
export class DiscordAnnouncementPoster implements AnnouncementPoster {
  constructor(
    private readonly connector: DiscordConnector | null,
    private readonly settings: SettingRepository,
  ) {}

  async servers(): Promise<AnnouncementServer[]> {
    return this.connector?.servers() ?? [];
  }

  async post(target: { guildId: string; channelId: string | null }, body: RESTPostAPIChannelMessageJSONBody) {
    if (!this.connector) throw new ConnectorError('Discord is not configured (DISCORD_TOKEN)', false);
    let channelId = target.channelId;
    if (!channelId) {
      // Imported here: the setup module loads discord.js, which an installation without Discord never needs.
      const { loadGuildSetup } = await import('../channels/discord/discord-setup.ts');
      const setup = await loadGuildSetup(this.settings, target.guildId);
      channelId = setup?.channels.announcements ?? null;
    }
    if (!channelId)
      throw new ConnectorError(
        `server ${target.guildId} has no announcements channel: run /setup or switchboard discord setup`,
        false,
      );
    const result = await this.connector.postAnnouncement(channelId, body);
    return { ...result, channelId };
  }
}
