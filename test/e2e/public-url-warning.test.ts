import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createSwitchboard, isLocalUrl } from '../../src/main.ts';

/** Starts the composed server with this public URL and returns what it logged at `warn` and above. */
async function warningsAtStart(publicUrl: string | undefined): Promise<{ msg: string }[]> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-public-url-'));
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_SAMPLE_KB: 'false',
    SWITCHBOARD_PUBLIC_URL: publicUrl,
  });
  const switchboard = await createSwitchboard(config, {
    logger: pino({ level: 'info' }, sink),
    announce: () => {},
  });
  try {
    await switchboard.start();
  } finally {
    await switchboard.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  return lines.filter((line) => line.level >= 40);
}

describe('the public URL members get links to', () => {
  it('is named in one warning at start when it is a local address (web chat is always on)', async () => {
    const warnings = await warningsAtStart('http://127.0.0.1:3000');
    const about = warnings.filter((w) => w.msg.includes('SWITCHBOARD_PUBLIC_URL'));
    expect(about).toHaveLength(1);
    expect(about[0]!.msg).toContain('http://127.0.0.1:3000');
    expect(about[0]!.msg).toContain('webchat');
  });

  it('raises no warning when members can reach it', async () => {
    const warnings = await warningsAtStart('https://help.brand.example');
    expect(warnings.filter((w) => w.msg.includes('SWITCHBOARD_PUBLIC_URL'))).toEqual([]);
  });

  it('counts loopback, localhost and the unspecified address as local, and nothing else', () => {
    for (const local of [
      'http://localhost:3000',
      'http://app.localhost',
      'http://127.0.0.1',
      'http://127.8.9.10:80',
      'http://[::1]:3000',
      'http://0.0.0.0:3000',
      'http://[::ffff:127.0.0.1]/',
    ]) {
      expect(isLocalUrl(local), local).toBe(true);
    }
    for (const reachable of [
      'https://help.brand.example',
      'http://192.168.1.20:3000',
      'http://10.0.0.5',
      'http://[2001:db8::1]',
    ]) {
      expect(isLocalUrl(reachable), reachable).toBe(false);
    }
  });
});
