import { createServer } from 'node:net';

/**
 * A port nobody listens on now, for a server that must know its own address before it starts (Twilio
 * signs the public URL; a throwaway PostgreSQL cluster is told its port).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
