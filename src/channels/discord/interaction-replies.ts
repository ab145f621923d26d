import { type Interaction, MessageFlags, type RepliableInteraction } from 'discord.js';
import { DomainError } from '../../core/errors.ts';
import type { DiscordLog } from './discord-connector.ts';
import { DiscordErrorCode, discordCode } from './discord-errors.ts';
import { type DiscordTextKey, t } from './discord-texts.ts';

export async function replyEphemeral(interaction: RepliableInteraction, content: string): Promise<void> {
  if (interaction.deferred && !interaction.replied) await interaction.editReply({ content });
  else if (interaction.replied || interaction.deferred)
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
  else await interaction.reply({ content, flags: MessageFlags.Ephemeral });
}

/** The one place a failure becomes what the member sees: the Discord twin of src/http/error-handler.ts. */
export async function replyError(
  log: DiscordLog,
  interaction: RepliableInteraction,
  error: unknown,
  language: string,
): Promise<void> {
  const code = discordCode(error);
  const context = {
    err: error,
    interactionId: interaction.id,
    userId: interaction.user.id,
    type: interaction.type,
  };
  if (
    code === DiscordErrorCode.UnknownInteraction ||
    code === DiscordErrorCode.InteractionAlreadyAcknowledged
  ) {
    log.warn(context, 'interaction could not be answered');
    return;
  }
  let content: string;
  if (error instanceof DomainError) {
    const key: DiscordTextKey = (
      {
        not_found: 'errorNotFound',
        invalid: 'errorInvalid',
        conflict: 'errorConflict',
        forbidden: 'errorForbidden',
        unauthorized: 'errorForbidden',
        rate_limited: 'errorRateLimited',
        unavailable: 'errorGeneric',
      } as const
    )[error.kind];
    content = t(key, language, { detail: error.message });
    log.info({ ...context, kind: error.kind }, 'interaction refused');
  } else {
    content = t('errorGeneric', language);
    log.error(context, 'interaction failed');
  }
  await replyEphemeral(interaction, content).catch((replyError: unknown) =>
    log.warn({ ...context, replyError }, 'error reply not sent'),
  );
}

export function logUnsupported(log: DiscordLog, interaction: Interaction, command: string | null): void {
  log.warn(
    {
      interactionType: interaction.type,
      command,
      guildId: interaction.guildId,
      userId: interaction.user.id,
      interactionId: interaction.id,
    },
    'Discord interaction not supported',
  );
}
