import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../core/model.ts';
import { parseCustomId, renderOutbound } from './discord-message-renderer.ts';

const message = (patch: Partial<OutboundMessage>): OutboundMessage => ({
  conversationId: 'c1',
  channel: 'discord',
  address: { channelId: '1', userId: '2' },
  authorKind: 'bot',
  authorName: null,
  text: 'Hello',
  attachments: [],
  articles: [],
  actions: [],
  messageId: 'm1',
  ...patch,
});

describe('renderOutbound', () => {
  it('renders articles as embeds (relative links made absolute) and actions as buttons on the last part', () => {
    const [body, ...rest] = renderOutbound(
      message({
        text: 'Try this:',
        articles: [
          { id: 'a', title: 'Reset your password', excerpt: 'x'.repeat(1200), url: '/kb/a', score: 1 },
          { id: 'b', title: 'Refunds', excerpt: 'Money back', url: 'https://help.example/b', score: 0.5 },
        ],
        actions: [
          { id: 'resolved', label: 'This solved it' },
          { id: 'handoff', label: 'Talk to a person' },
        ],
      }),
      { publicUrl: 'https://support.example' },
    );
    expect(rest).toEqual([]);
    expect(body?.embeds?.[0]).toMatchObject({
      title: 'Reset your password',
      url: 'https://support.example/kb/a',
    });
    expect(body?.embeds?.[0]?.description).toHaveLength(1000);
    expect(body?.embeds?.[1]?.url).toBe('https://help.example/b');
    expect(body?.components).toEqual([
      {
        type: 1,
        components: [
          { type: 2, style: 3, label: 'This solved it', custom_id: 'sb:resolved' },
          { type: 2, style: 1, label: 'Talk to a person', custom_id: 'sb:handoff' },
        ],
      },
    ]);
    expect(body?.allowed_mentions).toEqual({ parse: [] });
  });

  it('puts the five rating buttons in one row', () => {
    const [body] = renderOutbound(
      message({ actions: [1, 2, 3, 4, 5].map((n) => ({ id: `rate:${n}`, label: String(n) })) }),
      { publicUrl: null },
    );
    expect(body?.components).toHaveLength(1);
    const row = body?.components?.[0] as { components: { custom_id: string }[] } | undefined;
    expect(row?.components.map((b) => b.custom_id)).toEqual([
      'sb:rate:1',
      'sb:rate:2',
      'sb:rate:3',
      'sb:rate:4',
      'sb:rate:5',
    ]);
  });

  it("shows the agent's name, attachments as links, and splits long text with extras on the last part", () => {
    const bodies = renderOutbound(
      message({
        authorKind: 'agent',
        authorName: 'Dana',
        text: 'word '.repeat(900),
        attachments: [{ url: 'https://files.example/log.txt', name: 'log [1].txt' }],
        actions: [{ id: 'resolved', label: 'OK' }],
      }),
      { publicUrl: null },
    );
    expect(bodies).toHaveLength(3);
    expect(bodies[0]?.content?.startsWith('**Dana**\nword')).toBe(true);
    expect(bodies.at(-1)?.content).toContain('📎 [log 1.txt](https://files.example/log.txt)');
    expect(bodies[0]?.components).toBeUndefined();
    expect(bodies.at(-1)?.components).toHaveLength(1);
    for (const body of bodies) expect(body.content?.length).toBeLessThanOrEqual(2000);
  });
});

describe('parseCustomId', () => {
  it('knows Switchboard buttons and nothing else', () => {
    expect(parseCustomId('sb:resolved')).toEqual({ kind: 'action', action: 'resolved' });
    expect(parseCustomId('sb:handoff')).toEqual({ kind: 'action', action: 'handoff' });
    expect(parseCustomId('sb:rate:4')).toEqual({ kind: 'action', action: 'rate:4' });
    expect(parseCustomId('sb:vote:0b6f-11')).toEqual({ kind: 'vote', caseId: '0b6f-11' });
    for (const id of ['sb:rate:9', 'sb:nonsense', 'other:resolved', 'sb:vote:', 'sb:vote:a/b'])
      expect(parseCustomId(id)).toEqual({ kind: 'unknown' });
  });
});
