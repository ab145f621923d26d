import { afterEach, describe, expect, it } from 'vitest';
import { sayFrom } from '../texts.ts';
import { replaceTextEdits } from './bot-text-registry.ts';

const say = sayFrom({ greet: { en: 'Hello {name}', ar: 'مرحباً {name}' } }, 'bot-text-registry-test');
const edit = (language: string, text: string, serverId?: string) => ({
  catalog: 'bot-text-registry-test',
  key: 'greet',
  language,
  text,
  updatedAt: '2026-01-01T00:00:00.000Z',
  updatedBy: null,
  ...(serverId ? { serverId } : {}),
});

afterEach(() => replaceTextEdits([]));

describe('bot texts per server', () => {
  it("say a server's own edit there, else the global edit, else the default, language by language", () => {
    replaceTextEdits([
      edit('en', 'Hi {name}'),
      edit('en', 'Olá {name}', '222'),
      edit('ar', 'أهلاً {name}', '333'),
    ]);
    expect(say('greet', 'en', { name: 'Ana' }, '222')).toBe('Olá Ana');
    // Another server, and no server: the global edit.
    expect(say('greet', 'en', { name: 'Ana' }, '111')).toBe('Hi Ana');
    expect(say('greet', 'en', { name: 'Ana' })).toBe('Hi Ana');
    // Server 222 edited only English: its Arabic members hear the default Arabic text.
    expect(say('greet', 'ar', { name: 'نور' }, '222')).toBe('مرحباً نور');
    // Server 333 edited only Arabic: its English members hear the global English edit.
    expect(say('greet', 'ar', { name: 'نور' }, '333')).toBe('أهلاً نور');
    expect(say('greet', 'en', { name: 'Ana' }, '333')).toBe('Hi Ana');
  });

  it('forget a server’s edits once they are removed', () => {
    replaceTextEdits([edit('en', 'Olá {name}', '222')]);
    expect(say('greet', 'en', { name: 'Ana' }, '222')).toBe('Olá Ana');
    replaceTextEdits([]);
    expect(say('greet', 'en', { name: 'Ana' }, '222')).toBe('Hello Ana');
  });
});
