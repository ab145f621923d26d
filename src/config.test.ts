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

describe('Twilio and Messenger configuration', () => {
  const account = {
    TWILIO_ACCOUNT_SID: `AC${'0a'.repeat(16)}`,
    TWILIO_AUTH_TOKEN: 'auth-token-0123456789abcdef',
  };
  const flex = {
    TWILIO_FLEX_WORKSPACE_SID: `WS${'1b'.repeat(16)}`,
    TWILIO_FLEX_WORKFLOW_SID: `WW${'2c'.repeat(16)}`,
  };
  const refusal = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    return null;
  };

  it('reads how many outbound messages an instance delivers at once, refusing none or a fraction', () => {
    expect(loadConfig({}).outboxConcurrency).toBe(16);
    expect(loadConfig({ SWITCHBOARD_OUTBOX_CONCURRENCY: '64' }).outboxConcurrency).toBe(64);
    for (const bad of ['0', '2.5', 'many'])
      expect(refusal({ SWITCHBOARD_OUTBOX_CONCURRENCY: bad }), bad).toMatch(/SWITCHBOARD_OUTBOX_CONCURRENCY/);
  });

  it('reads the delivery stall of /healthz in seconds and refuses one that is not a positive whole number', () => {
    expect(loadConfig({}).deliveryStallMs).toBe(60_000);
    expect(loadConfig({ SWITCHBOARD_DELIVERY_STALL_SECONDS: '15' }).deliveryStallMs).toBe(15_000);
    for (const bad of ['0', '-5', '1.5', 'soon'])
      expect(refusal({ SWITCHBOARD_DELIVERY_STALL_SECONDS: bad }), bad).toMatch(
        /SWITCHBOARD_DELIVERY_STALL_SECONDS/,
      );
  });

  it('leaves Twilio, Flex and Messenger off when nothing is set', () => {
    const config = loadConfig({});
    expect(config.twilio).toBeNull();
    expect(config.messenger).toBeNull();
    expect(config.handoffTarget).toBe('switchboard');
  });

  it('refuses a Flex hand-off target without the Twilio account and the TaskRouter workspace and workflow', () => {
    const message = refusal({ SWITCHBOARD_HANDOFF_TARGET: 'flex' });
    expect(message).toMatch(/TWILIO_ACCOUNT_SID: is required for the Flex bridge/);
    expect(message).toMatch(/TWILIO_FLEX_WORKSPACE_SID/);
    expect(message).toMatch(/TWILIO_FLEX_WORKFLOW_SID/);
    expect(refusal({ SWITCHBOARD_HANDOFF_TARGET: 'flex', ...account })).toMatch(/TWILIO_FLEX_WORKSPACE_SID/);
    const config = loadConfig({ SWITCHBOARD_HANDOFF_TARGET: 'flex', ...account, ...flex });
    expect(config.handoffTarget).toBe('flex');
    expect(config.twilio?.flex).toEqual({
      workspaceSid: flex.TWILIO_FLEX_WORKSPACE_SID,
      workflowSid: flex.TWILIO_FLEX_WORKFLOW_SID,
    });
  });

  it('needs the auth token with the account (webhooks are verified with it) and both halves of an API key', () => {
    expect(refusal({ TWILIO_ACCOUNT_SID: account.TWILIO_ACCOUNT_SID })).toMatch(
      /TWILIO_AUTH_TOKEN: is required with TWILIO_ACCOUNT_SID/,
    );
    expect(refusal({ ...account, TWILIO_API_KEY: `SK${'3d'.repeat(16)}` })).toMatch(/TWILIO_API_SECRET/);
    const config = loadConfig({
      ...account,
      TWILIO_API_KEY: `SK${'3d'.repeat(16)}`,
      TWILIO_API_SECRET: 'api-secret-0123456789',
      TWILIO_API_URL: 'http://127.0.0.1:4010/',
    });
    expect(config.twilio?.apiKey).toEqual({ sid: `SK${'3d'.repeat(16)}`, secret: 'api-secret-0123456789' });
    expect(config.twilio?.authToken).toBe(account.TWILIO_AUTH_TOKEN);
    expect(config.twilio?.apiUrl).toBe('http://127.0.0.1:4010');
  });

  it('checks the senders: an E.164 SMS number, whatsapp: numbers, a Messaging Service sid before a number', () => {
    expect(refusal({ ...account, TWILIO_SMS_FROM: '5551234' })).toMatch(
      /TWILIO_SMS_FROM: must be a phone number/,
    );
    expect(refusal({ ...account, TWILIO_WHATSAPP_FROM: '+15551234567' })).toMatch(/TWILIO_WHATSAPP_FROM/);
    expect(refusal({ TWILIO_SMS_FROM: '+15551234567' })).toMatch(
      /TWILIO_ACCOUNT_SID: is required with TWILIO_SMS_FROM/,
    );
    const service = `MG${'4e'.repeat(16)}`;
    const config = loadConfig({
      ...account,
      TWILIO_SMS_FROM: '+15551234567',
      TWILIO_MESSAGING_SERVICE_SID: service,
      TWILIO_WHATSAPP_FROM: 'whatsapp:+15557654321',
    });
    expect(config.twilio?.sms).toEqual({ messagingServiceSid: service });
    expect(config.twilio?.whatsappFrom).toBe('whatsapp:+15557654321');
  });

  it('turns Messenger on only with all three of its secrets', () => {
    const secrets = {
      MESSENGER_PAGE_ACCESS_TOKEN: 'page-token-0123456789',
      MESSENGER_APP_SECRET: 'app-secret-0123456789',
      MESSENGER_VERIFY_TOKEN: 'verify-me',
    };
    expect(refusal({ MESSENGER_APP_SECRET: secrets.MESSENGER_APP_SECRET })).toMatch(
      /MESSENGER_PAGE_ACCESS_TOKEN: is required for Facebook Messenger/,
    );
    expect(loadConfig(secrets).messenger).toEqual({
      pageAccessToken: secrets.MESSENGER_PAGE_ACCESS_TOKEN,
      appSecret: secrets.MESSENGER_APP_SECRET,
      verifyToken: secrets.MESSENGER_VERIFY_TOKEN,
      apiUrl: 'https://graph.facebook.com',
      humanAgentTag: false,
    });
  });
});
