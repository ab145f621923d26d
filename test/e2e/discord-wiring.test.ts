import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createSwitchboard } from '../../src/main.ts';

describe('Discord connector wiring', () => {
  it('without DISCORD_TOKEN the server runs with the connector off and says so in one line', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-wiring-'));
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const switchboard = await createSwitchboard(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        SWITCHBOARD_DATA_DIR: dataDir,
        SWITCHBOARD_ADMIN_PASSWORD: 'admin-password-42',
        SWITCHBOARD_SAMPLE_KB: 'false',
      }),
      { logger: pino({ level: 'info' }, sink), announce: () => {} },
    );
    try {
      expect(switchboard.center.connectors.has('discord')).toBe(false);
      const off = lines.filter((l) => l.includes('Discord connector off'));
      expect(off).toHaveLength(1);
      expect(JSON.parse(off[0]!).msg).toBe('Discord connector off: DISCORD_TOKEN is not set');
    } finally {
      await switchboard.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('reads the Discord variables', () => {
    const config = loadConfig({
      DISCORD_TOKEN: 'abc',
      DISCORD_GUILD_IDS: '123, 456',
      DISCORD_API_URL: 'http://127.0.0.1:4000/api/',
      DISCORD_SUPPORT_CHANNEL: 'help-desk',
      DISCORD_ADMIN_ROLES: 'Staff, 789',
    });
    expect(config.discord).toEqual({
      token: 'abc',
      guildIds: ['123', '456'],
      apiUrl: 'http://127.0.0.1:4000/api',
      bugReportChannel: 'bug-report',
      featureRequestChannel: 'feature-request',
      customerServiceChannel: 'help-desk',
      adminRoles: ['Staff', '789'],
    });
    expect(() => loadConfig({ DISCORD_GUILD_IDS: 'acme' })).toThrow(/DISCORD_GUILD_IDS/);
  });
});
