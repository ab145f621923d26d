import { FormErrors } from './discord-api-error.ts';

/** The locales Discord accepts in `*_localizations` (https://discord.com/developers/docs/reference#locales). */
export const DISCORD_LOCALES: ReadonlySet<string> = new Set([
  'id',
  'da',
  'de',
  'en-GB',
  'en-US',
  'es-ES',
  'es-419',
  'fr',
  'hr',
  'it',
  'lt',
  'hu',
  'nl',
  'no',
  'pl',
  'pt-BR',
  'ro',
  'fi',
  'sv-SE',
  'vi',
  'tr',
  'cs',
  'el',
  'bg',
  'ru',
  'uk',
  'hi',
  'th',
  'zh-CN',
  'ja',
  'zh-TW',
  'ko',
]);

// Discord's documented pattern for CHAT_INPUT command and option names.
const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

const ApplicationCommandType = { ChatInput: 1, User: 2, Message: 3 } as const;
const OptionType = { SubCommand: 1, SubCommandGroup: 2 } as const;

type Path = Array<string | number>;

/**
 * Validates application command payloads the way Discord's form validation does and throws
 * 50035 Invalid Form Body with the field path of every problem.
 */
export function validateCommands(commands: unknown[]): void {
  validate(commands, (index) => [index]);
}

/** A single create/edit: Discord reports its errors from the top level, without an index. */
export function validateCommand(command: unknown): void {
  validate([command], () => []);
}

function validate(commands: unknown[], pathOf: (index: number) => Path): void {
  const errors = new FormErrors();
  const seen = new Map<string, number>();
  commands.forEach((command, index) => {
    const path = pathOf(index);
    if (typeof command !== 'object' || command === null) {
      errors.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
      return;
    }
    const c = command as Record<string, unknown>;
    const type = c.type ?? ApplicationCommandType.ChatInput;
    if (type !== 1 && type !== 2 && type !== 3 && type !== 4) {
      errors.add([...path, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4}.');
      return;
    }
    const isChatInput = type === ApplicationCommandType.ChatInput;
    validateName(errors, [...path, 'name'], c.name, isChatInput);
    validateLocalizations(errors, [...path, 'name_localizations'], c.name_localizations, (value, p) =>
      validateName(errors, p, value, isChatInput),
    );
    if (isChatInput) {
      validateDescription(errors, [...path, 'description'], c.description);
      validateLocalizations(
        errors,
        [...path, 'description_localizations'],
        c.description_localizations,
        (value, p) => validateDescription(errors, p, value),
      );
      if (c.options !== undefined) validateOptions(errors, [...path, 'options'], c.options, 0);
    } else if (c.description !== undefined && c.description !== '') {
      errors.add(
        [...path, 'description'],
        'APPLICATION_COMMAND_INVALID_DESCRIPTION',
        'Context menu commands cannot have description',
      );
    }
    if (typeof c.name === 'string') {
      const key = `${String(type)}:${c.name}`;
      if (seen.has(key)) {
        errors.add(path, 'APPLICATION_COMMANDS_DUPLICATE_NAME', `Application command names must be unique`);
      }
      seen.set(key, index);
    }
  });
  errors.throwIfAny();
}

function validateName(errors: FormErrors, path: Path, value: unknown, chatInput: boolean): void {
  if (value === undefined || value === null) {
    errors.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  if (typeof value !== 'string') {
    errors.add(path, 'BASE_TYPE_STRING', 'Could not interpret the value as string.');
    return;
  }
  if (value.length < 1 || value.length > 32) {
    errors.add(path, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 32 in length.');
    return;
  }
  if (chatInput && (!CHAT_INPUT_NAME.test(value) || value !== value.toLowerCase())) {
    errors.add(path, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  }
}

function validateDescription(errors: FormErrors, path: Path, value: unknown): void {
  if (value === undefined || value === null) {
    errors.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  if (typeof value !== 'string') {
    errors.add(path, 'BASE_TYPE_STRING', 'Could not interpret the value as string.');
    return;
  }
  if (value.length < 1 || value.length > 100) {
    errors.add(path, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
  }
}

function validateLocalizations(
  errors: FormErrors,
  path: Path,
  value: unknown,
  validateValue: (value: unknown, path: Path) => void,
): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'object' || Array.isArray(value)) {
    errors.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
    return;
  }
  for (const [locale, text] of Object.entries(value)) {
    if (!DISCORD_LOCALES.has(locale)) {
      errors.add([...path, locale], 'ENUM_TYPE_COERCE', `Value "${locale}" is not a valid enum value.`);
      continue;
    }
    validateValue(text, [...path, locale]);
  }
}

function validateOptions(errors: FormErrors, path: Path, value: unknown, depth: number): void {
  if (!Array.isArray(value)) {
    errors.add(path, 'BASE_TYPE_ARRAY', 'Could not interpret the value as a list.');
    return;
  }
  if (value.length > 25) errors.add(path, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  let sawOptional = false;
  const names = new Set<string>();
  value.forEach((option, index) => {
    const p = [...path, index];
    if (typeof option !== 'object' || option === null) {
      errors.add(p, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
      return;
    }
    const o = option as Record<string, unknown>;
    if (typeof o.type !== 'number' || o.type < 1 || o.type > 11) {
      errors.add(
        [...p, 'type'],
        'BASE_TYPE_CHOICES',
        'Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.',
      );
    }
    validateName(errors, [...p, 'name'], o.name, true);
    validateLocalizations(errors, [...p, 'name_localizations'], o.name_localizations, (v, lp) =>
      validateName(errors, lp, v, true),
    );
    validateDescription(errors, [...p, 'description'], o.description);
    validateLocalizations(errors, [...p, 'description_localizations'], o.description_localizations, (v, lp) =>
      validateDescription(errors, lp, v),
    );
    if (typeof o.name === 'string') {
      if (names.has(o.name))
        errors.add(
          [...p, 'name'],
          'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS',
          'Option names must be unique',
        );
      names.add(o.name);
    }
    const isSub = o.type === OptionType.SubCommand || o.type === OptionType.SubCommandGroup;
    if (isSub) {
      if (depth >= 2 || (o.type === OptionType.SubCommandGroup && depth >= 1)) {
        errors.add(
          [...p, 'type'],
          'APPLICATION_COMMAND_OPTION_TYPE_INVALID',
          'Sub-command nesting is too deep',
        );
      }
      if (o.options !== undefined) validateOptions(errors, [...p, 'options'], o.options, depth + 1);
    } else {
      if (o.required === true && sawOptional) {
        errors.add(
          [...p, 'required'],
          'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
          'Required options must be placed before non-required options',
        );
      }
      if (o.required !== true) sawOptional = true;
      if (o.choices !== undefined) {
        if (!Array.isArray(o.choices) || o.choices.length > 25) {
          errors.add([...p, 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
        } else {
          o.choices.forEach((choice: unknown, ci: number) => {
            const ch = (typeof choice === 'object' && choice !== null ? choice : {}) as Record<
              string,
              unknown
            >;
            if (typeof ch.name !== 'string' || ch.name.length < 1 || ch.name.length > 100) {
              errors.add(
                [...p, 'choices', ci, 'name'],
                'BASE_TYPE_BAD_LENGTH',
                'Must be between 1 and 100 in length.',
              );
            }
            validateLocalizations(
              errors,
              [...p, 'choices', ci, 'name_localizations'],
              ch.name_localizations,
              (v, lp) => {
                if (typeof v !== 'string' || v.length < 1 || v.length > 100) {
                  errors.add(lp, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
                }
              },
            );
          });
        }
      }
    }
  });
}
