import { say } from '../core/texts.ts';
import { t } from './discord/discord-texts.ts';
import { sayMessaging } from './sms/messaging-texts.ts';

/**
 * Loads every catalog of bot texts, so that the text editor lists each one even where its connector is
 * not configured (each registers itself with `sayFrom(catalog, name)` when its module loads).
 */
export const botTextHelpers = [say, t, sayMessaging] as const;
