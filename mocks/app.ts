import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { MocksConfig, MocksConfigInput, ServiceName } from './common/config.js';
import { resolveConfig } from './common/config-validate.js';
import type { ServiceContext } from './common/context.js';
import { Faults } from './common/faults.js';
import { ReadinessRegistry, redisCheck, registerHealthRoutes } from './common/health.js';
import { createMetrics } from './common/metrics.js';
import { registerObservability } from './common/observability.js';
import { registerRateLimit } from './common/rate-limit.js';
import { registerWebSockets } from './common/websocket.js';
import { closeRedis, createRedis, waitForRedis } from './common/redis.js';
import { adminPlugin } from './admin.js';
import { catalogPlugin } from './catalog/plugin.js';
import { paymentsPlugin } from './payments/plugin.js';

/** Options of {@link buildMocks}. */
export interface BuildMocksOptions {
  /** Settings over the defaults; validated (MocksConfigError lists every problem). */
  readonly config?: MocksConfigInput;
  /** A pino logger to use instead of one at `config.logLevel` on stderr. */
  readonly logger?: FastifyBaseLogger;
  /** A Redis client to use instead of one made from `config.redisUrl`; the caller then closes it. */
  readonly redis?: Redis;
  /** Randomness for injected errors and upstream failures (tests). Default Math.random. */
  readonly random?: () => number;
  /** Collect Node process metrics into `/metrics`. Default true. */
  readonly processMetrics?: boolean;
}

/** The services' routes, so `rampart mocks` can list them. */
export const SERVICE_ROUTES: Readonly<Record<ServiceName, readonly string[]>> = {
  catalog: ['GET /products/:id', 'GET /products?page=&size=', 'DELETE /cache'],
  orders: ['POST /orders', 'GET /orders/:id', 'GET /orders/stats', 'GET /orders/ws (WebSocket: status pushed)'],
  payments: ['POST /payments', 'GET /payments/circuit'],
};

/**
 * Builds one Fastify app serving `config.services` plus health, metrics, rate limiting and (when
 * enabled) the admin API — not listening: call `listen()` (see startMocks) or `inject()`.
 * `app.close()` stops the services, then closes the Redis client it created.
 */
export async function buildMocks(opts: BuildMocksOptions = {}): Promise<FastifyInstance> {
  const config: MocksConfig = resolveConfig(opts.config);
  const app = Fastify({
    ...(opts.logger !== undefined ? { loggerInstance: opts.logger } : { logger: { level: config.logLevel } }),
    // Keep-alive sockets that are idle are closed on shutdown; busy ones finish their request.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  }) as unknown as FastifyInstance;
  const ownRedis = opts.redis === undefined;
  const redis = opts.redis ?? createRedis(config.redisUrl, { log: app.log });
  // Registered first, so it runs last: every plugin has closed before Redis goes.
  app.addHook('onClose', async () => {
    if (ownRedis) await closeRedis(redis);
  });
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // While draining, answers close their connection so kept-alive clients move to another instance.
  app.addHook('onSend', async (_req, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });

  // First, so every route can take or refuse an upgrade, and a refused one is never rate limited.
  await registerWebSockets(app);
  const metrics = createMetrics({ processMetrics: opts.processMetrics ?? true });
  const faults = new Faults(redis, config.keyPrefix, config.faultsCacheMs, Date.now, opts.random);
  const ctx: ServiceContext = { redis, config, metrics: metrics.registry, faults, log: app.log };
  const readiness = new ReadinessRegistry();
  readiness.add('redis', redisCheck(redis));

  registerObservability(app, metrics);
  await registerRateLimit(app, config.rateLimit, redis, config.keyPrefix);
  registerHealthRoutes(app, readiness, () => closing);
  if (config.admin.enabled) await app.register(adminPlugin, { ctx, prefix: '/admin' });

  const services = new Set(config.services);
  if (services.has('catalog')) {
    await app.register(async (scope) => {
      scope.addHook('onRequest', faults.hook('catalog'));
      await scope.register(catalogPlugin, { ctx });
    });
  }
  if (services.has('payments')) {
    await app.register(async (scope) => {
      scope.addHook('onRequest', faults.hook('payments'));
      await scope.register(paymentsPlugin, { ctx, ...(opts.random !== undefined ? { random: opts.random } : {}) });
    });
  }
  if (services.has('orders')) {
    // Loaded only when served: a catalog-only instance never loads the Kafka client.
    const { ordersPlugin } = await import('./orders/index.js');
    await app.register(async (scope) => {
      scope.addHook('onRequest', faults.hook('orders'));
      await scope.register(ordersPlugin, {
        ctx,
        kafkaBrokers: config.kafkaBrokers,
        readiness: (name, check) => readiness.add(name, check),
      });
    });
  }
  try {
    await app.ready();
  } catch (err) {
    // A plugin refused to start: release what was opened so the process can exit with the error.
    await app.close().catch(() => undefined);
    if (ownRedis) await closeRedis(redis);
    throw err;
  }
  if (!(await waitForRedis(redis))) app.log.warn('redis not reachable at start; serving without it until it is');
  return app;
}
