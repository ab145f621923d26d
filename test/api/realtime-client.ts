import { WebSocket } from 'ws';

export interface RealtimeClient {
  ws: WebSocket;
  events: { type: string; [key: string]: unknown }[];
  /** Resolves with the first event (already received or to come) that matches. */
  waitFor(
    match: (event: { type: string; [key: string]: unknown }) => boolean,
    what?: string,
  ): Promise<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** Opens the realtime WebSocket as a browser would (same-origin `Origin`) and records every event. */
export function connectRealtime(base: string, headers: Record<string, string>): Promise<RealtimeClient> {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/v1/realtime`, {
    headers: { origin: base, ...headers },
  });
  const events: RealtimeClient['events'] = [];
  const waiters: {
    match: (e: RealtimeClient['events'][number]) => boolean;
    resolve: (e: Record<string, unknown>) => void;
  }[] = [];
  ws.on('message', (data) => {
    const event = JSON.parse(String(data));
    events.push(event);
    for (const waiter of [...waiters]) {
      if (waiter.match(event)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (req, res) => {
      req.destroy();
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode }));
    });
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        ws,
        events,
        closed,
        close: () => ws.close(),
        waitFor(match, what = 'event') {
          const seen = events.find(match);
          if (seen) return Promise.resolve(seen);
          return new Promise((res, rej) => {
            const timer = setTimeout(
              () => rej(new Error(`no ${what} received; got ${events.map((e) => e.type).join(', ')}`)),
              5_000,
            );
            waiters.push({
              match,
              resolve: (e) => {
                clearTimeout(timer);
                res(e);
              },
            });
          });
        },
      }),
    );
  });
}
