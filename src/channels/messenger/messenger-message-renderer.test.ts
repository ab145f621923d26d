import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../core/model.ts';
import { renderMessengerMessage } from './messenger-message-renderer.ts';

const message = (over: Partial<OutboundMessage>): OutboundMessage => ({
  conversationId: 'c1',
  channel: 'messenger',
  address: { psid: '1' },
  authorKind: 'bot',
  authorName: null,
  text: '',
  attachments: [],
  articles: [],
  actions: [],
  messageId: 'm1',
  ...over,
});

describe('renderMessengerMessage', () => {
  it('cuts quick reply titles to 20 characters and keeps at most 13, the payload being the action', () => {
    const actions = Array.from({ length: 15 }, (_, i) => ({
      id: `custom-${i}`,
      label: `A rather long button label ${i}`,
    }));
    const [body] = renderMessengerMessage(message({ text: 'Pick one', actions }), { publicUrl: null });
    expect(body?.quick_replies).toHaveLength(13);
    expect(body?.quick_replies?.[0]).toEqual({
      content_type: 'text',
      title: 'A rather long butto…',
      payload: 'custom-0',
    });
    expect(body?.quick_replies?.every((q) => [...q.title].length <= 20)).toBe(true);
  });

  it('gives buttons without text a text to ride on, and sends nothing for an empty message', () => {
    const bodies = renderMessengerMessage(message({ actions: [{ id: 'rate:5', label: '5' }] }), {
      publicUrl: null,
    });
    expect(bodies).toEqual([
      { text: 'Choose one:', quick_replies: [{ content_type: 'text', title: '5', payload: 'rate:5' }] },
    ]);
    expect(renderMessengerMessage(message({}), { publicUrl: null })).toEqual([]);
  });

  it('names the agent and turns relative article and upload links into absolute ones', () => {
    const [body] = renderMessengerMessage(
      message({
        authorKind: 'agent',
        authorName: 'Ana',
        text: 'See this',
        attachments: [{ url: '/uploads/abc/label.pdf', name: 'label.pdf' }],
        articles: [{ id: 'a1', title: 'Returns', excerpt: '', url: '/kb/a1', score: 1 }],
      }),
      { publicUrl: 'https://help.example.com' },
    );
    expect(body?.text).toBe(
      'Ana: See this\n📎 label.pdf: https://help.example.com/uploads/abc/label.pdf\n📄 Returns: https://help.example.com/kb/a1',
    );
  });
});
