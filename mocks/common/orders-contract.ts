import type { FastifyPluginAsync } from 'fastify';
import type { RegisterReadiness, ServiceContext } from './context.js';

/**
 * The options `mocks/app.ts` passes to the orders plugin (see README-contract.md).
 * `mocks/orders/index.ts` exports `ordersPlugin: OrdersPlugin` and `build(opts)`.
 */
export interface OrdersPluginOptions {
  readonly ctx: ServiceContext;
  /** Same as `ctx.config.kafkaBrokers`: comma-separated `host:port` list. */
  readonly kafkaBrokers: string;
  /** Call once per readiness check, e.g. `readiness('kafka', async () => ({ ok, detail }))`. */
  readonly readiness: RegisterReadiness;
}

/** The orders plugin as the app registers it: encapsulated (not fastify-plugin), no prefix. */
export type OrdersPlugin = FastifyPluginAsync<OrdersPluginOptions>;
