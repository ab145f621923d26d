import { invalid } from '../errors.ts';
import type { Attachment } from '../model.ts';
import type { Clock } from '../ports/clock.ts';
import type { Store } from '../ports/repositories.ts';

/** The admin's retention setting: off, or delete what is older than `days`. */
export interface RetentionSetting {
  enabled: boolean;
  days: number;
}

export const retentionSettingKey = 'retention';
export const defaultRetentionSetting: RetentionSetting = { enabled: false, days: 365 };
export const maxRetentionDays = 36_500;

/** Removes an uploaded file an attachment points to; false when the URL is not one of ours (or is gone). */
export interface UploadRemover {
  remove(attachment: Attachment): Promise<boolean>;
}

export interface RetentionLog {
  info(context: Record<string, unknown>, message: string): void;
  warn(context: Record<string, unknown>, message: string): void;
}

export interface RetentionResult {
  conversations: number;
  messages: number;
  uploads: number;
  cutoff: string;
}

export const defaultRetentionOptions = {
  /** How often an instance tries to take the pass (one instance runs it; the lease decides which). */
  intervalMs: 60 * 60 * 1000,
  /** Conversations deleted per transaction. */
  batchSize: 200,
  /** The pass's lease: longer than a pass takes, so that no second instance starts one meanwhile. */
  leaseMs: 10 * 60 * 1000,
  owner: 'retention',
};

const dayMs = 24 * 60 * 60 * 1000;

/**
 * Applies the retention setting: deletes conversations (with their messages and uploads) whose last change
 * is older than the setting's days. Cases stay, with their timelines. One instance at a time runs a pass.
 */
export class RetentionService {
  readonly #options: typeof defaultRetentionOptions;
  #timer: ReturnType<typeof setInterval> | null = null;
  #running: Promise<unknown> | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly uploads: UploadRemover | null,
    private readonly log: RetentionLog,
    options: Partial<typeof defaultRetentionOptions> = {},
  ) {
    this.#options = { ...defaultRetentionOptions, ...options };
  }

  async setting(): Promise<RetentionSetting> {
    const stored = await this.store.settings.get<Partial<RetentionSetting>>(retentionSettingKey);
    return { ...defaultRetentionSetting, ...stored };
  }

  async saveSetting(setting: RetentionSetting): Promise<RetentionSetting> {
    if (!Number.isInteger(setting.days) || setting.days < 1 || setting.days > maxRetentionDays)
      throw invalid(`days must be a whole number from 1 to ${maxRetentionDays}`, { field: 'days' });
    await this.store.settings.set(retentionSettingKey, setting);
    return setting;
  }

  /** One pass now, if the setting is on and no other instance holds the pass; null when nothing ran. */
  async runOnce(): Promise<RetentionResult | null> {
    const setting = await this.setting();
    if (!setting.enabled) return null;
    const now = this.clock.now();
    const lease = await this.store.leases.acquire({
      name: 'retention',
      owner: this.#options.owner,
      now: now.toISOString(),
      ttlMs: this.#options.leaseMs,
    });
    if (!lease) return null;
    const cutoff = new Date(now.getTime() - setting.days * dayMs).toISOString();
    const result: RetentionResult = { conversations: 0, messages: 0, uploads: 0, cutoff };
    try {
      for (;;) {
        const ids = await this.store.retention.listExpired(cutoff, this.#options.batchSize);
        if (ids.length === 0) break;
        const deleted = await this.store.retention.deleteConversations(ids);
        result.conversations += deleted.conversations;
        result.messages += deleted.messages;
        // Files after the rows: a file left behind by a crash is unreachable; a row without its file would not be.
        for (const attachment of deleted.attachments) {
          try {
            if (await this.uploads?.remove(attachment)) result.uploads += 1;
          } catch (error) {
            this.log.warn(
              { url: attachment.url, error: (error as Error).message },
              'retention: an uploaded file could not be deleted',
            );
          }
        }
        if (ids.length < this.#options.batchSize) break;
      }
    } finally {
      await this.store.leases.release(lease).catch(() => false);
    }
    this.log.info({ ...result, days: setting.days }, 'retention: old conversations deleted');
    return result;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      if (this.#running) return;
      this.#running = this.runOnce()
        .catch((error: unknown) =>
          this.log.warn(
            { error: (error as Error).message },
            'retention pass failed; the next one tries again',
          ),
        )
        .finally(() => {
          this.#running = null;
        });
    }, this.#options.intervalMs);
    this.#timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}
