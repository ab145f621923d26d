import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

/** The configuration table of the README: variable → the default it documents (literal values only). */
function documentedDefaults(): Map<string, string> {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'));
  const defaults = new Map<string, string>();
  for (const match of section.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| `([^`$]+)` \|/gm)) {
    defaults.set(match[1]!, match[2]!);
  }
  return defaults;
}

describe('configuration', () => {
  it('accepts SWITCHBOARD_ADMIN_EMAIL=admin@localhost, the documented default, when it is set explicitly', () => {
    expect(loadConfig({ SWITCHBOARD_ADMIN_EMAIL: 'admin@localhost' }).admin.email).toBe('admin@localhost');
    expect(loadConfig({}).admin.email).toBe('admin@localhost');
    expect(loadConfig({ SWITCHBOARD_ADMIN_EMAIL: 'ops@brand.example' }).admin.email).toBe(
      'ops@brand.example',
    );
  });

  it('refuses an admin email that is not an address, naming the variable', () => {
    for (const bad of ['admin', 'admin@', '@localhost', 'ad min@localhost']) {
      expect(() => loadConfig({ SWITCHBOARD_ADMIN_EMAIL: bad }), bad).toThrowError(ConfigError);
      expect(() => loadConfig({ SWITCHBOARD_ADMIN_EMAIL: bad }), bad).toThrowError(/SWITCHBOARD_ADMIN_EMAIL/);
    }
  });

  it('gives every documented default, set explicitly, the same configuration as leaving it unset', () => {
    const defaults = documentedDefaults();
    // The table is read, not skipped: these rows must be among the parsed ones.
    expect([...defaults.keys()]).toEqual(
      expect.arrayContaining([
        'PORT',
        'HOST',
        'SWITCHBOARD_ADMIN_EMAIL',
        'SWITCHBOARD_SAMPLE_KB',
        'LOG_LEVEL',
      ]),
    );
    const implicit = loadConfig({});
    for (const [name, value] of defaults) {
      let explicit: ReturnType<typeof loadConfig> | undefined;
      expect(() => {
        explicit = loadConfig({ [name]: value });
      }, `${name}=${value}`).not.toThrow();
      expect(explicit, `${name}=${value}`).toEqual(implicit);
    }
  });
});
