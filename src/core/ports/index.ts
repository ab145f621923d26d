export * from './channel-connector.ts';
export * from './clock.ts';
export * from './event-bus.ts';
export * from './http-client.ts';
export * from './password-hasher.ts';
export * from './repositories.ts';
export * from './search-index.ts';
export * from './virtual-agent.ts';
