import type { RepliableInteraction } from 'discord.js';

/**
 * The last `/helpme` or `/agent` of each member, kept so that the reply can say where the conversation
 * went (the DM, or a support thread opened meanwhile).
 */
export class PendingReplies {
  private readonly replies = new Map<string, { interaction: RepliableInteraction; at: number }>();

  set(userId: string, interaction: RepliableInteraction): void {
    this.replies.set(userId, { interaction, at: Date.now() });
    this.prune();
  }

  /** The member's pending interaction, taken (a reply is edited once). */
  take(userId: string): RepliableInteraction | null {
    const pending = this.replies.get(userId);
    if (!pending) return null;
    this.replies.delete(userId);
    return pending.interaction;
  }

  isPending(userId: string, interaction: RepliableInteraction): boolean {
    return this.replies.get(userId)?.interaction === interaction;
  }

  clear(): void {
    this.replies.clear();
  }

  private prune(): void {
    // Interaction tokens last 15 minutes; older replies can no longer be edited.
    const cutoff = Date.now() - 14 * 60_000;
    for (const [userId, pending] of this.replies) if (pending.at < cutoff) this.replies.delete(userId);
  }
}
