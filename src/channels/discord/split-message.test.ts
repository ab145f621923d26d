import { describe, expect, it } from 'vitest';
import { DISCORD_MESSAGE_MAX, splitMessage } from './split-message.ts';

describe('splitMessage', () => {
  it('keeps a short message whole', () => {
    expect(splitMessage('hello')).toEqual(['hello']);
  });

  it('splits at paragraph, then line, then sentence, then word boundaries, within the limit', () => {
    const paragraph = `${'word '.repeat(300).trim()}.`;
    const text = [paragraph, paragraph, paragraph].join('\n\n');
    const parts = splitMessage(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(DISCORD_MESSAGE_MAX);
    expect(parts[0]?.endsWith('.')).toBe(true);
    expect(parts.join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' '));

    const sentences = 'This is a sentence. '.repeat(200).trim();
    const bySentence = splitMessage(sentences);
    expect(bySentence[0]?.endsWith('.')).toBe(true);

    const words = 'abcdefghi '.repeat(450).trim();
    const byWord = splitMessage(words);
    expect(byWord.every((p) => !p.startsWith(' ') && !p.endsWith(' '))).toBe(true);
    expect(byWord.join(' ')).toBe(words);
  });

  it('cuts text without spaces hard and keeps emoji whole', () => {
    const text = '😀'.repeat(1500);
    const parts = splitMessage(text);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(DISCORD_MESSAGE_MAX);
      expect(part).toMatch(/^(😀)+$/u);
    }
    expect(parts.join('')).toBe(text);
  });

  it('closes and reopens a code block cut in two', () => {
    const code = Array.from({ length: 150 }, (_, i) => `const line${i} = ${i};`).join('\n');
    const parts = splitMessage(`Here:\n\`\`\`ts\n${code}\n\`\`\``);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(DISCORD_MESSAGE_MAX);
      expect((part.match(/```/g)?.length ?? 0) % 2).toBe(0);
    }
    expect(parts[1]?.startsWith('```ts\n')).toBe(true);
  });
});
