/**
 * What an edited bot text must respect before it is stored: only the placeholders its key is given,
 * Discord's message limit when every placeholder takes its longest value, and balanced markdown (an
 * unclosed ``` or ** would swallow the rest of the message on Discord).
 */

/** Discord's limit on a message's content; also the limit where the key has none smaller. */
export const discordMessageLimit = 2_000;

/** The longest value each placeholder may take where the texts are said; others count as `otherVariableLength`. */
export const variableMaxLengths: Readonly<Record<string, number>> = {
  agent: 100,
  case: 10,
  position: 6,
  n: 1,
  thread: 22,
  member: 32,
  kind: 30,
  subject: 100,
  status: 20,
  detail: 300,
  command: 32,
  field: 45,
  max: 5,
  server: 100,
  problem: 300,
  word: 10,
  label: 80,
};
export const otherVariableLength = 100;

/** Keys said as a Discord button label, modal title or field label, thread name: Discord's smaller limits. */
const keyLimits: Readonly<Record<string, number>> = {
  'core.rateLabel': 80,
  'discord.upvote': 80,
  'discord.threadName': 100,
  'discord.bugModalTitle': 45,
  'discord.featureModalTitle': 45,
  'discord.fieldTitle': 45,
  'discord.fieldWhatHappened': 45,
  'discord.fieldSteps': 45,
  'discord.fieldExpected': 45,
  'discord.fieldPlatform': 45,
  'discord.fieldDescription': 45,
  'discord.similarTitle': 256,
};

export interface TextVariable {
  name: string;
  /** The longest value it may take, counted against the limit. */
  maxLength: number;
}

const placeholderPattern = /\{(\w+)\}/g;

export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(placeholderPattern)].map((m) => m[1] ?? '');
}

/** The variables a key may use: those its default texts use, in any language. */
export function variablesOf(defaults: Readonly<Record<string, string>>): TextVariable[] {
  const names = new Set(Object.values(defaults).flatMap(placeholdersOf));
  return [...names].map((name) => ({ name, maxLength: variableMaxLengths[name] ?? otherVariableLength }));
}

export function limitOf(catalog: string, key: string): number {
  return keyLimits[`${catalog}.${key}`] ?? discordMessageLimit;
}

/** The length of `text` when every placeholder takes its longest value. */
export function longestLength(text: string, variables: readonly TextVariable[]): number {
  const max = new Map(variables.map((v) => [v.name, v.maxLength]));
  return [
    ...text.replace(placeholderPattern, (whole, name: string) => 'x'.repeat(max.get(name) ?? whole.length)),
  ].length;
}

export type TextProblem =
  | { problem: 'empty'; message: string }
  | { problem: 'unknown_placeholder'; placeholder: string; message: string }
  | { problem: 'too_long'; length: number; limit: number; message: string }
  | { problem: 'unbalanced_markdown'; marker: string; message: string };

const count = (text: string, marker: string) => text.split(marker).length - 1;

/** The first unbalanced markdown marker, or null. */
export function unbalancedMarkdown(text: string): string | null {
  if (count(text, '```') % 2 !== 0) return '```';
  // Inside code nothing is markdown: drop the blocks, then the inline spans.
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  if (prose.includes('`')) return '`';
  for (const marker of ['**', '__', '~~', '||']) if (count(prose, marker) % 2 !== 0) return marker;
  return null;
}

/** What is wrong with `text` as the text of a key that may use `variables`; null when it may be stored. */
export function checkBotText(
  text: string,
  variables: readonly TextVariable[],
  limit: number,
): TextProblem | null {
  if (text.trim() === '') return { problem: 'empty', message: 'the text is empty' };
  const allowed = new Set(variables.map((v) => v.name));
  const unknown = placeholdersOf(text).find((name) => !allowed.has(name));
  if (unknown !== undefined) {
    const may = variables.length ? variables.map((v) => `{${v.name}}`).join(', ') : 'none';
    return {
      problem: 'unknown_placeholder',
      placeholder: unknown,
      message: `unknown placeholder {${unknown}}; this text may use: ${may}`,
    };
  }
  const length = longestLength(text, variables);
  if (length > limit)
    return {
      problem: 'too_long',
      length,
      limit,
      message: `the text can be ${length} characters long with its longest values, over the limit of ${limit}`,
    };
  const marker = unbalancedMarkdown(text);
  if (marker !== null)
    return {
      problem: 'unbalanced_markdown',
      marker,
      message: `unbalanced markdown: ${marker} is not closed`,
    };
  return null;
}
