/** Discord's limit for a message's content. */
export const DISCORD_MESSAGE_MAX = 2_000;

const FENCE = '```';

/**
 * Splits text into parts of at most `max` characters at the most sensible boundary available: a blank
 * line, then a line break, then the end of a sentence, then a space; a code block cut in two is closed
 * and reopened so both halves still render as code.
 */
export function splitMessage(text: string, max = DISCORD_MESSAGE_MAX): string[] {
  const parts: string[] = [];
  let rest = text;
  let reopen = '';
  while (rest.length > 0) {
    const budget = max - reopen.length;
    if (rest.length <= budget) {
      parts.push(reopen + rest);
      break;
    }
    // Room for a closing fence in case this part ends inside a code block.
    const window = rest.slice(0, budget - FENCE.length - 1);
    const cut = boundary(window);
    let part = rest.slice(0, cut).trimEnd();
    rest = rest.slice(cut).replace(/^[ \t]*\n?/, '');
    part = reopen + part;
    const open = (part.match(/```/g)?.length ?? 0) % 2 === 1;
    if (open) {
      const language = /```([\w+-]*)\n?[^`]*$/.exec(part)?.[1] ?? '';
      parts.push(`${part}\n${FENCE}`);
      reopen = `${FENCE}${language}\n`;
    } else {
      parts.push(part);
      reopen = '';
    }
  }
  return parts.filter((p) => p.trim().length > 0);
}

function boundary(window: string): number {
  const min = Math.floor(window.length / 2);
  for (const pattern of [/\n\s*\n/g, /\n/g, /[.!?؟。](?=\s)/g, /\s/g]) {
    let best = -1;
    for (const match of window.matchAll(pattern)) {
      const end = match.index + (pattern.source.startsWith('[') ? 1 : 0);
      if (end >= min) best = end;
    }
    if (best > 0) return best;
  }
  // No boundary in the second half: cut hard, but never between the halves of a surrogate pair.
  const code = window.charCodeAt(window.length - 1);
  return code >= 0xd800 && code <= 0xdbff ? window.length - 1 : window.length;
}
