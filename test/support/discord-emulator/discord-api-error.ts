/** Discord JSON error codes the emulator produces (https://discord.com/developers/docs/topics/opcodes-and-status-codes). */
export const DiscordErrorCode = {
  General: 0,
  UnknownChannel: 10003,
  UnknownGuild: 10004,
  UnknownMember: 10007,
  UnknownMessage: 10008,
  UnknownOverwrite: 10009,
  UnknownUser: 10013,
  UnknownWebhook: 10015,
  UnknownApplicationCommand: 10063,
  UnknownInteraction: 10062,
  MessageAlreadyCrossposted: 40033,
  InteractionAlreadyAcknowledged: 40060,
  MissingAccess: 50001,
  CannotEditOtherUsersMessage: 50005,
  CannotSendEmptyMessage: 50006,
  CannotSendMessagesToUser: 50007,
  CannotSendInNonTextChannel: 50008,
  MissingPermissions: 50013,
  InvalidFormBody: 50035,
  CannotExecuteOnChannelType: 50024,
  InvalidWebhookToken: 50027,
  ThreadArchived: 50083,
  CannotSendInForumChannel: 40058,
  ThreadLocked: 160005,
  MaxActiveThreads: 160006,
  InvalidJson: 50109,
} as const;
export type DiscordErrorCode = (typeof DiscordErrorCode)[keyof typeof DiscordErrorCode];

/** One entry of Discord's nested `errors` tree: `{ field: { _errors: [{ code, message }] } }`. */
export interface FormErrorEntry {
  code: string;
  message: string;
}
export interface FormErrorTree {
  _errors?: FormErrorEntry[];
  [key: string]: FormErrorTree | FormErrorEntry[] | undefined;
}

/** The body Discord returns for every error: `{ code, message, errors? }`. */
export interface DiscordErrorBody {
  code: number;
  message: string;
  errors?: FormErrorTree;
}

/** An error a route throws; the HTTP layer turns it into Discord's JSON error shape. */
export class DiscordApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: FormErrorTree,
  ) {
    super(message);
    this.name = 'DiscordApiError';
  }

  toBody(): DiscordErrorBody {
    return this.errors
      ? { code: this.code, message: this.message, errors: this.errors }
      : { code: this.code, message: this.message };
  }

  static unknownChannel(): DiscordApiError {
    return new DiscordApiError(404, DiscordErrorCode.UnknownChannel, 'Unknown Channel');
  }
  static unknownGuild(): DiscordApiError {
    return new DiscordApiError(404, DiscordErrorCode.UnknownGuild, 'Unknown Guild');
  }
  static unknownMember(): DiscordApiError {
    return new DiscordApiError(404, DiscordErrorCode.UnknownMember, 'Unknown Member');
  }
  static unknownMessage(): DiscordApiError {
    return new DiscordApiError(404, DiscordErrorCode.UnknownMessage, 'Unknown Message');
  }
  static unknownUser(): DiscordApiError {
    return new DiscordApiError(404, DiscordErrorCode.UnknownUser, 'Unknown User');
  }
  static unknownWebhook(): DiscordApiError {
    return new DiscordApiError(404, DiscordErrorCode.UnknownWebhook, 'Unknown Webhook');
  }
  static unknownInteraction(): DiscordApiError {
    return new DiscordApiError(404, DiscordErrorCode.UnknownInteraction, 'Unknown interaction');
  }
  static unknownCommand(): DiscordApiError {
    return new DiscordApiError(
      404,
      DiscordErrorCode.UnknownApplicationCommand,
      'Unknown application command',
    );
  }
  static alreadyAcknowledged(): DiscordApiError {
    return new DiscordApiError(
      400,
      DiscordErrorCode.InteractionAlreadyAcknowledged,
      'Interaction has already been acknowledged.',
    );
  }
  static missingAccess(): DiscordApiError {
    return new DiscordApiError(403, DiscordErrorCode.MissingAccess, 'Missing Access');
  }
  static missingPermissions(): DiscordApiError {
    return new DiscordApiError(403, DiscordErrorCode.MissingPermissions, 'Missing Permissions');
  }
  static cannotMessageUser(): DiscordApiError {
    return new DiscordApiError(
      403,
      DiscordErrorCode.CannotSendMessagesToUser,
      'Cannot send messages to this user',
    );
  }
  static emptyMessage(): DiscordApiError {
    return new DiscordApiError(400, DiscordErrorCode.CannotSendEmptyMessage, 'Cannot send an empty message');
  }
  static invalidFormBody(errors: FormErrorTree): DiscordApiError {
    return new DiscordApiError(400, DiscordErrorCode.InvalidFormBody, 'Invalid Form Body', errors);
  }
  static cannotExecuteOnChannelType(): DiscordApiError {
    return new DiscordApiError(
      400,
      DiscordErrorCode.CannotExecuteOnChannelType,
      'Cannot execute action on this channel type',
    );
  }
  static cannotSendInNonTextChannel(): DiscordApiError {
    return new DiscordApiError(
      400,
      DiscordErrorCode.CannotSendInNonTextChannel,
      'Cannot send messages in a non-text channel',
    );
  }
  static cannotEditOtherUsersMessage(): DiscordApiError {
    return new DiscordApiError(
      403,
      DiscordErrorCode.CannotEditOtherUsersMessage,
      'Cannot edit a message authored by another user',
    );
  }
  static invalidWebhookToken(): DiscordApiError {
    return new DiscordApiError(401, DiscordErrorCode.InvalidWebhookToken, 'Invalid Webhook Token');
  }
  static threadArchived(): DiscordApiError {
    return new DiscordApiError(400, DiscordErrorCode.ThreadArchived, 'Thread is archived');
  }
  static cannotSendInForumChannel(): DiscordApiError {
    return new DiscordApiError(
      400,
      DiscordErrorCode.CannotSendInForumChannel,
      'Cannot send messages in a forum channel',
    );
  }
  static threadLocked(): DiscordApiError {
    return new DiscordApiError(400, DiscordErrorCode.ThreadLocked, 'Thread is locked');
  }
  static maxActiveThreads(): DiscordApiError {
    return new DiscordApiError(
      400,
      DiscordErrorCode.MaxActiveThreads,
      'Maximum number of active threads reached',
    );
  }
  static alreadyCrossposted(): DiscordApiError {
    return new DiscordApiError(
      400,
      DiscordErrorCode.MessageAlreadyCrossposted,
      'This message has already been crossposted.',
    );
  }
  static invalidJson(): DiscordApiError {
    return new DiscordApiError(400, DiscordErrorCode.InvalidJson, 'The request body contains invalid JSON.');
  }
  static unauthorized(): DiscordApiError {
    return new DiscordApiError(401, DiscordErrorCode.General, '401: Unauthorized');
  }
  static notFound(): DiscordApiError {
    return new DiscordApiError(404, DiscordErrorCode.General, '404: Not Found');
  }
  static methodNotAllowed(): DiscordApiError {
    return new DiscordApiError(405, DiscordErrorCode.General, '405: Method Not Allowed');
  }
}

/**
 * Collects field errors into Discord's nested tree, e.g. `add(['0', 'name_localizations', 'ar'], ...)`
 * gives `{ "0": { "name_localizations": { "ar": { "_errors": [...] } } } }`.
 */
export class FormErrors {
  readonly tree: FormErrorTree = {};
  #count = 0;

  add(path: ReadonlyArray<string | number>, code: string, message: string): void {
    let node = this.tree;
    for (const key of path) {
      const k = String(key);
      const next = node[k];
      if (next === undefined || Array.isArray(next)) {
        const created: FormErrorTree = {};
        node[k] = created;
        node = created;
      } else {
        node = next;
      }
    }
    node._errors ??= [];
    node._errors.push({ code, message });
    this.#count += 1;
  }

  get isEmpty(): boolean {
    return this.#count === 0;
  }

  throwIfAny(): void {
    if (!this.isEmpty) throw DiscordApiError.invalidFormBody(this.tree);
  }
}
