import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { say } from '../../src/core/texts.ts';
import { type Api, type Caller, startApi } from './api-harness.ts';

interface BotText {
  catalog: string;
  key: string;
  variables: { name: string; maxLength: number }[];
  limit: number;
  defaults: Record<string, string>;
  overrides: Record<string, { text: string; updatedBy: string | null }>;
}

/** Admins edit what the bot says per language; the edit is checked, stored and said at once. */
describe('bot texts API', () => {
  let api: Api;
  let agent: Caller;
  let supervisor: Caller;
  let admin: Caller;
  beforeAll(async () => {
    api = await startApi();
    agent = await api.signIn('agent@example.com', 'agent');
    supervisor = await api.signIn('sup@example.com', 'supervisor');
    admin = await api.signIn('admin@example.com', 'admin');
  });
  afterAll(async () => api.close());

  const stored = async () => JSON.stringify(await api.tc.store.botTexts.list());
  const path = '/api/v1/bot-texts/core/agentJoined/ar';

  it('lists every key of every catalog with its defaults and variables, for admins only', async () => {
    expect((await api.call('GET', '/api/v1/bot-texts')).status).toBe(401);
    expect((await agent.call('GET', '/api/v1/bot-texts')).status).toBe(403);
    expect((await supervisor.call('GET', '/api/v1/bot-texts')).status).toBe(403);
    const res = await admin.call('GET', '/api/v1/bot-texts');
    expect(res.status).toBe(200);
    const { texts } = (await res.json()) as { texts: BotText[] };
    const find = (catalog: string, key: string) => texts.find((t) => t.catalog === catalog && t.key === key);
    expect(find('core', 'caseOpened')).toMatchObject({
      variables: [
        { name: 'case', maxLength: 10 },
        { name: 'position', maxLength: 6 },
      ],
      limit: 2_000,
      overrides: {},
    });
    expect(find('core', 'agentJoined')?.defaults.ar).toBe('انضم {agent} إلى المحادثة.');
    // The connectors' catalogs are there too, configured or not.
    expect(find('discord', 'statusChanged')?.variables.map((v) => v.name)).toEqual([
      'kind',
      'case',
      'subject',
      'status',
    ]);
    expect(find('messaging', 'replyRating')).toBeDefined();
    expect(find('discord', 'bugModalTitle')?.limit).toBe(45);
  });

  it('stores an edit, says it at once, and restores the default on reset', async () => {
    for (const who of [agent, supervisor])
      expect((await who.call('PUT', path, { text: 'مرحباً، أنا {agent}' })).status).toBe(403);
    expect(await stored()).toBe('[]');

    const res = await admin.call('PUT', path, { text: 'مرحباً، أنا {agent} وسأساعدك.' });
    expect(res.status).toBe(200);
    const entry = (await res.json()) as BotText;
    expect(entry.overrides.ar).toMatchObject({
      text: 'مرحباً، أنا {agent} وسأساعدك.',
      updatedBy: admin.agent.id,
    });
    expect(say('agentJoined', 'ar', { agent: 'نور' })).toBe('مرحباً، أنا نور وسأساعدك.');
    // Other languages keep their default; a language without texts falls back to the (default) English.
    expect(say('agentJoined', 'en', { agent: 'Noor' })).toBe('Noor joined the conversation.');
    expect(say('agentJoined', 'fr', { agent: 'Noor' })).toBe('Noor joined the conversation.');

    const reset = await admin.call('DELETE', path);
    expect(reset.status).toBe(200);
    expect(((await reset.json()) as BotText).overrides).toEqual({});
    expect(say('agentJoined', 'ar', { agent: 'نور' })).toBe('انضم نور إلى المحادثة.');
    expect(await stored()).toBe('[]');
  });

  it('refuses bad edits with a 400 that says why, and changes nothing', async () => {
    const kept = await admin.call('PUT', '/api/v1/bot-texts/core/caseOpened/en', {
      text: 'Case #{case}: you are number {position}.',
    });
    expect(kept.status).toBe(200);
    const before = await stored();
    const refusals: [string, unknown, number, RegExp][] = [
      [
        '/api/v1/bot-texts/core/caseOpened/en',
        { text: 'Case #{case} for {member}' },
        400,
        /unknown placeholder \{member\}; this text may use: \{case\}, \{position\}/,
      ],
      [
        '/api/v1/bot-texts/core/caseOpened/en',
        { text: '```\nCase #{case}' },
        400,
        /unbalanced markdown: ``` /,
      ],
      [
        '/api/v1/bot-texts/core/caseOpened/en',
        { text: 'You are **number {position}' },
        400,
        /\*\* is not closed/,
      ],
      ['/api/v1/bot-texts/core/caseOpened/en', { text: '   ' }, 400, /empty/],
      // 1,995 characters and a case number of up to 10 digits: over Discord's 2,000.
      [
        '/api/v1/bot-texts/core/caseOpened/en',
        { text: `${'x'.repeat(1_995)}{case}` },
        400,
        /2005 characters long with its longest values, over the limit of 2000/,
      ],
      ['/api/v1/bot-texts/discord/bugModalTitle/en', { text: 'A'.repeat(46) }, 400, /over the limit of 45/],
      ['/api/v1/bot-texts/core/caseOpened/fr', { text: 'Dossier #{case}' }, 400, /has no language fr/],
      ['/api/v1/bot-texts/core/caseOpened/english', { text: 'x' }, 400, /params\.language/],
      ['/api/v1/bot-texts/core/noSuchKey/en', { text: 'x' }, 404, /core\.noSuchKey/],
      ['/api/v1/bot-texts/nowhere/caseOpened/en', { text: 'x' }, 404, /nowhere\.caseOpened/],
      ['/api/v1/bot-texts/core/caseOpened/en', { text: 42 }, 400, /body\.text/],
      ['/api/v1/bot-texts/core/caseOpened/en', { text: 'x', extra: true }, 400, /extra/],
    ];
    for (const [url, body, status, message] of refusals) {
      const res = await admin.call('PUT', url, body);
      const error = ((await res.json()) as { error: { message: string } }).error;
      expect({ url, body, status: res.status }).toEqual({ url, body, status });
      expect(error.message).toMatch(message);
    }
    const named = await admin.call('PUT', '/api/v1/bot-texts/core/caseOpened/en', { text: '{queue}' });
    expect(((await named.json()) as { error: { details: unknown } }).error.details).toEqual({
      problem: 'unknown_placeholder',
      placeholder: 'queue',
    });
    expect(await stored()).toBe(before);
    expect(say('caseOpened', 'en', { case: 7, position: 2 })).toBe('Case #7: you are number 2.');
    // Inline code and closed blocks are fine.
    const code = await admin.call('PUT', '/api/v1/bot-texts/core/caseOpened/en', {
      text: 'Case `#{case}` is **open**:\n```\nnumber {position}\n```',
    });
    expect(code.status).toBe(200);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await api.fetch('/api/openapi.json')).json()) as { paths: Record<string, object> };
    expect(Object.keys(doc.paths['/api/v1/bot-texts/{catalog}/{key}/{language}'] ?? {}).sort()).toEqual([
      'delete',
      'put',
    ]);
    expect(doc.paths['/api/v1/bot-texts']).toHaveProperty('get');
  });
});
