import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ConnectorHealth } from '../../core/ports/channel-connector.ts';
import type { HttpCenter } from '../http-center.ts';
import type { HttpConfig } from '../http-config.ts';
import type { RealtimeHub } from '../realtime.ts';
import type { ZodTypeProvider } from '../zod-type-provider.ts';

/** The Fastify instance the `/api/v1` routes are declared on: zod schemas, typed handlers. */
export type ApiInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface RouteDeps {
  center: HttpCenter;
  config: HttpConfig;
  realtime: RealtimeHub;
  /** Connector states by channel (see `BuildAppOptions.connectorsHealth`). */
  connectorsHealth: () => Record<string, ConnectorHealth>;
}
