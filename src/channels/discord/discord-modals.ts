import type { APIModalInteractionResponseCallbackData } from 'discord.js';
import type { CaseFields } from '../../core/model.ts';
import { customIds } from './discord-message-renderer.ts';
import { type DiscordTextKey, t } from './discord-texts.ts';

/** A text input of a modal: its custom id, label, and the limits Discord enforces (and we check again). */
interface ModalField {
  id: string;
  label: DiscordTextKey;
  paragraph: boolean;
  max: number;
  required: boolean;
}

const bugFields: ModalField[] = [
  { id: 'title', label: 'fieldTitle', paragraph: false, max: 100, required: true },
  { id: 'happened', label: 'fieldWhatHappened', paragraph: true, max: 2_000, required: true },
  { id: 'steps', label: 'fieldSteps', paragraph: true, max: 1_000, required: true },
  { id: 'expected', label: 'fieldExpected', paragraph: true, max: 1_000, required: true },
  { id: 'platform', label: 'fieldPlatform', paragraph: false, max: 100, required: true },
];

const featureFields: ModalField[] = [
  { id: 'title', label: 'fieldTitle', paragraph: false, max: 100, required: true },
  { id: 'description', label: 'fieldDescription', paragraph: true, max: 2_000, required: true },
];

function modal(
  customId: string,
  title: DiscordTextKey,
  fields: ModalField[],
  language: string,
): APIModalInteractionResponseCallbackData {
  return {
    custom_id: customId,
    title: t(title, language).slice(0, 45),
    components: fields.map((f) => ({
      type: 1,
      components: [
        {
          type: 4,
          custom_id: f.id,
          label: t(f.label, language).slice(0, 45),
          style: f.paragraph ? 2 : 1,
          max_length: f.max,
          required: f.required,
        },
      ],
    })),
  };
}

export const bugModal = (language: string) => modal(customIds.bugModal, 'bugModalTitle', bugFields, language);
export const featureModal = (language: string) =>
  modal(customIds.featureModal, 'featureModalTitle', featureFields, language);

export type ModalProblem = { problem: 'empty' | 'too_long'; field: DiscordTextKey; max?: number };
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ModalProblem };

export interface BugReport {
  kind: 'bug';
  title: string;
  fields: CaseFields;
}

export interface FeatureRequest {
  kind: 'feature';
  title: string;
  description: string;
}

/** Trims every field and checks it against the modal's own limits: a submitted modal is outside input. */
function check(fields: ModalField[], values: Record<string, string>): Parsed<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const field of fields) {
    const value = (values[field.id] ?? '').trim();
    if (field.required && !value) return { ok: false, error: { problem: 'empty', field: field.label } };
    if (value.length > field.max)
      return { ok: false, error: { problem: 'too_long', field: field.label, max: field.max } };
    out[field.id] = value;
  }
  return { ok: true, value: out };
}

export function parseBugReport(values: Record<string, string>): Parsed<BugReport> {
  const checked = check(bugFields, values);
  if (!checked.ok) return checked;
  const v = checked.value;
  // "Platform / version" is one input; "iOS 18 / 3.4.1" keeps both halves apart when given so.
  const [platform = '', ...rest] = (v.platform ?? '').split(/\s+\/\s+|\s*\|\s*/);
  const version = rest.join(' / ').trim();
  const fields: CaseFields = {
    description: v.happened ?? '',
    steps: v.steps ?? '',
    expected: v.expected ?? '',
    platform: platform.trim(),
    ...(version ? { version } : {}),
  };
  return { ok: true, value: { kind: 'bug', title: v.title ?? '', fields } };
}

export function parseFeatureRequest(values: Record<string, string>): Parsed<FeatureRequest> {
  const checked = check(featureFields, values);
  if (!checked.ok) return checked;
  return {
    ok: true,
    value: {
      kind: 'feature',
      title: checked.value.title ?? '',
      description: checked.value.description ?? '',
    },
  };
}
