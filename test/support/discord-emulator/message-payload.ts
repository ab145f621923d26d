import type { ApiAttachment, JsonObject } from './api-objects.ts';
import { DiscordApiError, FormErrors } from './discord-api-error.ts';
import { MessageFlag } from './emulator-state.ts';

/** A file part of a multipart request (`files[n]`). */
export interface UploadedFile {
  field: string;
  filename: string;
  size: number;
  contentType: string;
  /** The file's bytes, kept so tests can read what the bot uploaded. */
  data: Buffer;
}

/** A message body after Discord's validation; absent fields were not sent. */
export interface MessagePayload {
  content?: string;
  embeds?: JsonObject[];
  components?: JsonObject[];
  flags?: number;
  nonce?: string | number;
  /** With a nonce: a repeat of a recent message (same author, channel and nonce) returns that message. */
  enforceNonce?: boolean;
  messageReference?: JsonObject;
  files: UploadedFile[];
}

export interface MessagePayloadRules {
  /** Interaction replies and follow-ups may be ephemeral; channel messages may not. */
  allowEphemeral: boolean;
  /** Edits may leave every field out; creates must carry something to show. */
  requireSomething: boolean;
}

const CHANNEL_FLAGS =
  MessageFlag.SuppressEmbeds | MessageFlag.SuppressNotifications | MessageFlag.IsComponentsV2;

/** Parses and validates a message body the way Discord does (2,000 characters, 10 embeds, 5 rows, ...). */
export function parseMessagePayload(
  body: unknown,
  files: UploadedFile[],
  rules: MessagePayloadRules,
): MessagePayload {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const errors = new FormErrors();
  const result: MessagePayload = { files };

  if (b.content !== undefined && b.content !== null) {
    if (typeof b.content !== 'string') {
      errors.add(['content'], 'BASE_TYPE_STRING', 'Could not interpret the value as string.');
    } else if ([...b.content].length > 2000) {
      errors.add(['content'], 'BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
    } else {
      result.content = b.content;
    }
  }

  if (b.embeds !== undefined && b.embeds !== null) {
    if (!Array.isArray(b.embeds)) {
      errors.add(['embeds'], 'BASE_TYPE_ARRAY', 'Could not interpret the value as a list.');
    } else if (b.embeds.length > 10) {
      errors.add(['embeds'], 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
    } else {
      let total = 0;
      b.embeds.forEach((embed: unknown, i: number) => {
        const e = (typeof embed === 'object' && embed !== null ? embed : {}) as Record<string, unknown>;
        const title = typeof e.title === 'string' ? e.title : '';
        const description = typeof e.description === 'string' ? e.description : '';
        if (title.length > 256)
          errors.add(['embeds', i, 'title'], 'BASE_TYPE_MAX_LENGTH', 'Must be 256 or fewer in length.');
        if (description.length > 4096) {
          errors.add(
            ['embeds', i, 'description'],
            'BASE_TYPE_MAX_LENGTH',
            'Must be 4096 or fewer in length.',
          );
        }
        const fields = Array.isArray(e.fields) ? (e.fields as Array<Record<string, unknown>>) : [];
        if (fields.length > 25)
          errors.add(['embeds', i, 'fields'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
        total += title.length + description.length;
        for (const f of fields) total += String(f.name ?? '').length + String(f.value ?? '').length;
      });
      if (total > 6000)
        errors.add(['embeds'], 'MESSAGE_EMBED_TOO_LONG', 'Embed size exceeds maximum size of 6000');
      result.embeds = b.embeds as JsonObject[];
    }
  }

  let flags = 0;
  if (b.flags !== undefined && b.flags !== null) {
    const allowed = CHANNEL_FLAGS | (rules.allowEphemeral ? MessageFlag.Ephemeral : 0);
    if (typeof b.flags !== 'number' || !Number.isInteger(b.flags) || (b.flags & ~allowed) !== 0) {
      errors.add(['flags'], 'MESSAGE_FLAGS_INVALID', 'Invalid flags');
    } else {
      flags = b.flags;
      result.flags = b.flags;
    }
  }

  if (b.components !== undefined && b.components !== null) {
    if (!Array.isArray(b.components)) {
      errors.add(['components'], 'BASE_TYPE_ARRAY', 'Could not interpret the value as a list.');
    } else {
      validateComponents(errors, b.components, (flags & MessageFlag.IsComponentsV2) !== 0);
      result.components = b.components as JsonObject[];
    }
  }

  if (b.nonce !== undefined && b.nonce !== null) {
    if ((typeof b.nonce !== 'string' && typeof b.nonce !== 'number') || String(b.nonce).length > 25) {
      errors.add(['nonce'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    } else {
      result.nonce = b.nonce;
    }
  }
  if (b.enforce_nonce !== undefined && b.enforce_nonce !== null) {
    if (typeof b.enforce_nonce !== 'boolean')
      errors.add(['enforce_nonce'], 'BASE_TYPE_BOOLEAN', 'Must be either true or false.');
    else result.enforceNonce = b.enforce_nonce;
  }

  if (typeof b.message_reference === 'object' && b.message_reference !== null) {
    result.messageReference = b.message_reference as JsonObject;
  }

  errors.throwIfAny();

  if (rules.requireSomething) {
    const hasContent = (result.content ?? '').length > 0;
    const hasEmbeds = (result.embeds ?? []).length > 0;
    const hasComponents = (result.components ?? []).length > 0;
    const hasStickers = Array.isArray(b.sticker_ids) && b.sticker_ids.length > 0;
    if (!hasContent && !hasEmbeds && !hasComponents && files.length === 0 && !hasStickers && !b.poll) {
      throw DiscordApiError.emptyMessage();
    }
  }
  return result;
}

function validateComponents(errors: FormErrors, components: unknown[], v2: boolean): void {
  if (!v2 && components.length > 5) {
    errors.add(['components'], 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
    return;
  }
  const customIds = new Set<string>();
  components.forEach((row: unknown, r: number) => {
    const rowObject = (typeof row === 'object' && row !== null ? row : {}) as Record<string, unknown>;
    if (!v2 && rowObject.type !== 1) {
      errors.add(
        ['components', r, 'type'],
        'UNION_TYPE_CHOICES',
        'Value of field "type" must be one of (1,).',
      );
      return;
    }
    const children = Array.isArray(rowObject.components) ? (rowObject.components as unknown[]) : [];
    if (rowObject.type === 1 && (children.length < 1 || children.length > 5)) {
      errors.add(
        ['components', r, 'components'],
        'BASE_TYPE_BAD_LENGTH',
        'Must be between 1 and 5 in length.',
      );
    }
    children.forEach((child: unknown, c: number) => {
      const o = (typeof child === 'object' && child !== null ? child : {}) as Record<string, unknown>;
      const path = ['components', r, 'components', c];
      if (o.type === 2) {
        const style = o.style;
        if (style === 5) {
          if (typeof o.url !== 'string')
            errors.add([...path, 'url'], 'BASE_TYPE_REQUIRED', 'This field is required');
        } else if (style !== 6) {
          if (typeof o.custom_id !== 'string' || o.custom_id.length < 1 || o.custom_id.length > 100) {
            errors.add(
              [...path, 'custom_id'],
              'BASE_TYPE_BAD_LENGTH',
              'Must be between 1 and 100 in length.',
            );
          }
        }
        if (typeof o.label === 'string' && o.label.length > 80) {
          errors.add([...path, 'label'], 'BASE_TYPE_MAX_LENGTH', 'Must be 80 or fewer in length.');
        }
      }
      if (typeof o.custom_id === 'string') {
        if (customIds.has(o.custom_id)) {
          errors.add(
            [...path, 'custom_id'],
            'COMPONENT_CUSTOM_ID_DUPLICATED',
            'Component custom id cannot be duplicated',
          );
        }
        customIds.add(o.custom_id);
      }
    });
  });
}

/**
 * Attachment objects for uploaded files, named by the emulator's own (fake) CDN path; their bytes go into
 * `uploads` by that URL.
 */
export function attachmentsFor(
  files: UploadedFile[],
  channelId: string,
  nextId: () => string,
  baseUrl: string,
  uploads: Map<string, Buffer>,
): ApiAttachment[] {
  return files.map((file) => {
    const id = nextId();
    const url = `${baseUrl}/attachments/${channelId}/${id}/${encodeURIComponent(file.filename)}`;
    uploads.set(url, file.data);
    return {
      id,
      filename: file.filename,
      size: file.size,
      url,
      proxy_url: url,
      content_type: file.contentType,
    };
  });
}

/** Finds a component (button, select, text input) by custom id anywhere in a component tree. */
export function findComponent(components: unknown[], customId: string): JsonObject | null {
  for (const component of components) {
    if (typeof component !== 'object' || component === null) continue;
    const c = component as JsonObject;
    if (c.custom_id === customId) return c;
    for (const key of ['components', 'accessory', 'component'] as const) {
      const child = c[key];
      const list = Array.isArray(child) ? child : child ? [child] : [];
      const found = findComponent(list, customId);
      if (found) return found;
    }
  }
  return null;
}
