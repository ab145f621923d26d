import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import { AccessService } from '../core/agents/access-service.ts';
import { DomainError } from '../core/errors.ts';
import { systemClock } from '../core/ports/clock.ts';
import { ScryptPasswordHasher } from '../http/auth/scrypt-password-hasher.ts';
import { InProcessEventBus } from '../pubsub/in-process-event-bus.ts';
import { openStore } from '../storage/kysely-store.ts';

export interface ResetPasswordResult {
  email: string;
  /** Set when the password was generated: shown once, never stored or logged. */
  generated: string | null;
  endedCredentials: number;
}

/**
 * `switchboard agents reset-password`: sets a new password on the server's database and ends the agent's
 * sessions and API tokens. Only the store is opened: no contact center, no first-admin bootstrap. A
 * running server closes the agent's open WebSockets at its next heartbeat (their sessions are gone).
 */
export async function resetAgentPassword(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  email: string,
  password: string | undefined,
): Promise<ResetPasswordResult> {
  const store = await openStore({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    const agent = await store.agents.getByEmail(email.trim().toLowerCase());
    if (!agent) throw new DomainError('not_found', `no agent with email ${email}`);
    const bus = new InProcessEventBus();
    let ended = 0;
    bus.subscribe((event) => {
      if (event.type === 'agent.access_ended') ended += event.credentialIds.length;
    });
    const access = new AccessService(store, bus, systemClock, new ScryptPasswordHasher());
    const generated = password === undefined ? randomBytes(15).toString('base64url') : null;
    await access.setPassword(agent.id, password ?? (generated as string));
    return { email: agent.email, generated, endedCredentials: ended };
  } finally {
    await store.close();
  }
}
