/** Settings of the HTTP server; `src/config.ts` fills them from the environment. */
export interface HttpConfig {
  /** Mark the session cookie `Secure` (serve over HTTPS, directly or behind a TLS proxy). */
  cookieSecure: boolean;
  /** Fastify's `trustProxy`: believe `X-Forwarded-*` from these proxies (true for any, or addresses/CIDRs). */
  trustProxy: boolean | string | string[];
  /**
   * Sign-in attempts allowed within the window: `max` per client address and email, `maxPerAddress` per
   * address whatever the email (one password tried across many accounts).
   */
  loginRateLimit: { max: number; maxPerAddress: number; windowMs: number };
  /** How long a desktop session lasts after sign-in. */
  sessionTtlMs: number;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /** Origins, besides the server's own host, whose cookie-authenticated writes are accepted (e.g. a dev server). */
  allowedOrigins: string[];
  /**
   * Who may read `/metrics` besides signed-in admins: a scraper sending `Authorization: Bearer <token>`
   * with this token. Null: admins only.
   */
  metricsToken: string | null;
  /** Serve the browsable API documentation at `/api/docs`. */
  docs: boolean;
  /** Public base URL, shown as the server in the OpenAPI document. */
  publicUrl: string | null;
  /** How often open WebSockets are pinged and their session re-checked (sign-out elsewhere, expiry). */
  realtimeHeartbeatMs: number;
  /** `/healthz` says a channel's delivery is degraded once its oldest waiting message waited longer than this. */
  deliveryStallMs: number;
}

export const defaultHttpConfig: HttpConfig = {
  cookieSecure: false,
  trustProxy: false,
  loginRateLimit: { max: 10, maxPerAddress: 30, windowMs: 60_000 },
  sessionTtlMs: 12 * 60 * 60 * 1000,
  bodyLimit: 1024 * 1024,
  allowedOrigins: [],
  metricsToken: null,
  docs: true,
  publicUrl: null,
  realtimeHeartbeatMs: 30_000,
  deliveryStallMs: 60_000,
};

export const sessionCookieName = 'sb_session';
export const csrfHeaderName = 'x-switchboard-csrf';
