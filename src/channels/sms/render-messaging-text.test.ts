import { describe, expect, it } from 'vitest';
import { actionOfReply, messagingKeyword } from './messaging-keywords.ts';
import { renderMessagingText, TWILIO_BODY_MAX } from './render-messaging-text.ts';

describe('renderMessagingText', () => {
  it('writes articles as links and the buttons as words to reply with', () => {
    const [text, ...rest] = renderMessagingText(
      {
        text: 'This article should help.',
        articles: [
          { id: 'a', title: 'Reset your password', url: 'https://x.test/kb/a', excerpt: '', score: 1 },
        ],
        actions: [
          { id: 'resolved', label: 'This solved it' },
          { id: 'handoff', label: 'Talk to a person' },
        ],
      },
      null,
    );
    expect(rest).toEqual([]);
    expect(text).toBe(
      'This article should help.\n\nReset your password: https://x.test/kb/a\n\nReply SOLVED: This solved it\nReply AGENT: Talk to a person',
    );
  });

  it('splits a long bot text into parts Twilio carries, losing nothing', () => {
    const sentence = 'A fairly long sentence about the refund policy. ';
    const text = sentence.repeat(80).trim();
    const parts = renderMessagingText({ text, articles: [], actions: [] }, null);
    expect(parts.length).toBe(3);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(TWILIO_BODY_MAX);
    expect(parts.join(' ').replace(/\s+/g, ' ')).toBe(text);
  });
});

describe('keywords', () => {
  it("knows Twilio's opt-out keywords as whole messages, any case", () => {
    for (const word of ['STOP', 'stopall', 'Unsubscribe', 'cancel', 'END', ' quit '])
      expect(messagingKeyword(word)).toBe('stop');
    for (const word of ['START', 'yes', 'Unstop']) expect(messagingKeyword(word)).toBe('start');
    for (const word of ['HELP', 'info']) expect(messagingKeyword(word)).toBe('help');
    expect(messagingKeyword('please stop sending')).toBeNull();
    expect(actionOfReply(' agent ')).toBe('handoff');
    expect(actionOfReply('solved')).toBe('resolved');
    expect(actionOfReply('I need an agent')).toBeNull();
  });
});
