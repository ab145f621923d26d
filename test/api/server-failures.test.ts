import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { desktopStaticRoutes } from '../../src/http/static.ts';
import { type Api, startApi } from './api-harness.ts';

/** A log sink the test reads: what an operator would find in the server's output. */
function logSink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), text: () => lines.join('') };
}

describe('a public knowledge-base article when the database fails', () => {
  it('is a 500 with a log line naming the article, not "not found"', async () => {
    const log = logSink();
    // The routes are registered while the server starts, before `api` exists: look the store up late.
    const articles = { get: (id: string) => api.tc.store.articles.get(id) };
    const api: Api = await startApi({
      build: {
        logger: log.logger,
        registerRoutes: async (scope) => {
          await scope.register(async (web) => desktopStaticRoutes(web, { articles }));
        },
      },
    });
    try {
      await api.tc.center.articles.create({
        id: 'reset-password',
        title: 'Reset your password',
        body: 'Open **Settings**.',
        tags: [],
        locale: 'en',
        examples: [],
        published: true,
      });
      const ok = await api.fetch('/kb/reset-password');
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('Reset your password');
      expect((await api.fetch('/kb/no-such-article')).status).toBe(404);
      expect(log.text()).not.toContain('article not loaded');

      await api.tc.store.close();
      const res = await api.fetch('/kb/reset-password');
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(await res.text()).toMatch(/cannot be shown right now/);
      const line = log
        .text()
        .split('\n')
        .find((l) => l.includes('knowledge-base article not loaded'));
      expect(line).toBeDefined();
      expect(JSON.parse(line!)).toMatchObject({ level: 50, articleId: 'reset-password' });
    } finally {
      await api.app.close();
    }
  });
});
