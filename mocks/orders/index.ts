/**
 * The orders service: `POST /orders` queues a job on Kafka (202 once acknowledged by all in-sync
 * replicas), a consumer group processes it and records its status in Redis, `GET /orders/:id`
 * reads it. With Kafka away, `POST /orders` answers 503 + Retry-After fast (a circuit breaker
 * guards the producer), and the service recovers by itself when the broker returns.
 *
 * Registered by `mocks/app.ts` as an encapsulated plugin with no prefix (see
 * mocks/common/README-contract.md).
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { BuildMocksOptions } from '../app.js';
import type { OrdersPluginOptions } from '../common/orders-contract.js';
import type { MocksConfig } from '../common/config.js';
import { redisKey } from '../common/redis.js';
import { LazyAdmin, ensureTopicEventually, startLagSampler } from './kafka-admin.js';
import { createKafka, ensureTopic, withTimeout } from './kafka-client.js';
import { ordersMetrics } from './metrics.js';
import { guardedProducer, kafkaSender } from './producer.js';
import type { JobProducer } from './producer.js';
import { registerOrderRoutes } from './routes.js';
import { OrderSocket } from './order-socket.js';
import { resolveOrdersSettings } from './settings.js';
import type { OrdersSettings } from './settings.js';
import { StatusStore } from './status-store.js';
import { startOrdersWorker } from './worker.js';
import type { OrdersWorker } from './worker.js';

export type { OrdersSettings } from './settings.js';
export { defaultOrdersSettings, resolveOrdersSettings, OrdersSettingsError } from './settings.js';
export type { JobRecord, JobStatus, OrderJob } from './job.js';
export { startOrdersWorker } from './worker.js';
export type { OrdersWorker, OrdersWorkerOptions } from './worker.js';
export type { JobProducer } from './producer.js';
export { StatusStore } from './status-store.js';
export type { OrdersStats } from './status-store.js';

/** What a running orders service exposes to its embedder (tests, tools). */
export interface OrdersServiceHandle {
  readonly settings: OrdersSettings;
  readonly store: StatusStore;
  readonly producer: JobProducer;
  /** The in-process worker (undefined when `inProcessWorker` is false). */
  readonly worker: OrdersWorker | undefined;
}

/** The contract options plus optional extras the app does not pass. */
export interface OrdersServiceOptions extends OrdersPluginOptions {
  /** Overrides on top of the settings derived from `ctx.config` (tests, embedders). */
  readonly settings?: Partial<OrdersSettings>;
  /** Replaces the Kafka producer (inject()-level tests). */
  readonly producer?: JobProducer;
  /** Decides simulated failures, 0 ≤ x < 1. Default Math.random. */
  readonly random?: () => number;
  /** Called once the service is set up. */
  readonly onStarted?: (handle: OrdersServiceHandle) => void;
}

/**
 * The orders settings a mocks configuration implies: topic, group, work time, status TTL, key
 * prefix (`<keyPrefix>orders:`), failure rate and the `consumer` break.
 */
export function settingsFromConfig(config: MocksConfig): Partial<OrdersSettings> {
  return {
    topic: config.orders.topic,
    groupId: config.orders.groupId,
    workMs: config.orders.processingMs,
    jobTtlSeconds: Math.max(1, Math.ceil(config.orders.statusTtlMs / 1000)),
    keyPrefix: redisKey(config.keyPrefix, 'orders', ''),
    break: config.breaks.includes('consumer') ? ['consumer'] : [],
    failureRate: config.orders.failureRate,
  };
}

/** How long start-up waits for the topic before going on (and retrying in the background), ms. */
const TOPIC_WAIT_MS = 5_000;
/** Longest shutdown of the Kafka clients, ms. */
const CLOSE_TIMEOUT_MS = 10_000;
/** How long a readiness verdict is reused, ms. */
const READY_CACHE_MS = 1_000;

/** The orders plugin (`FastifyPluginAsync<OrdersPluginOptions>`, with optional extras). */
export const ordersPlugin: FastifyPluginAsync<OrdersServiceOptions> = async (app, opts) => {
  const { ctx } = opts;
  const settings = resolveOrdersSettings({ ...settingsFromConfig(ctx.config), ...opts.settings });
  const log = ctx.log;
  const metrics = ordersMetrics(ctx.metrics);
  const store = new StatusStore(ctx.redis, settings.keyPrefix, settings.jobTtlSeconds);
  const kafka = createKafka(opts.kafkaBrokers, settings, log, 'api');
  const admin = new LazyAdmin(kafka);
  let closing = false;

  let producer = opts.producer;
  if (producer === undefined) {
    const sender = kafkaSender(kafka, settings);
    producer = guardedProducer(sender.send, settings, metrics, log, sender.disconnect);
  }
  // One bounded attempt at start; if Kafka is away the service starts anyway and keeps trying.
  let topicReady: Promise<unknown> = Promise.resolve();
  try {
    const created = await withTimeout(admin.use((a) => ensureTopic(a, settings)), TOPIC_WAIT_MS, `no answer within ${TOPIC_WAIT_MS} ms`);
    if (created) log.info({ topic: settings.topic, partitions: settings.partitions }, 'order topic created');
  } catch (err) {
    log.warn({ topic: settings.topic, err: (err as Error).message }, 'order topic not ready: Kafka unreachable, retrying in the background');
    topicReady = ensureTopicEventually(admin, settings, log, () => closing);
  }

  const worker = settings.inProcessWorker
    ? await startOrdersWorker({
        redis: ctx.redis,
        kafkaBrokers: opts.kafkaBrokers,
        settings,
        registry: ctx.metrics,
        log,
        ...(opts.random !== undefined ? { random: opts.random } : {}),
      })
    : undefined;
  const lag = startLagSampler(admin, settings, metrics, log);

  let lastReady: { at: number; verdict: Promise<{ ok: boolean; detail: string }> } | undefined;
  opts.readiness('kafka', () => {
    const at = Date.now();
    if (lastReady === undefined || at - lastReady.at > READY_CACHE_MS) {
      const breaker = producer.state();
      const verdict = withTimeout(admin.use((a) => a.describeCluster()), 900, 'no answer within 900 ms').then(
        (c) => ({ ok: true, detail: `${c.brokers.length} broker(s), producer breaker ${breaker}` }),
        (err: unknown) => ({ ok: false, detail: `Kafka unreachable: ${(err as Error).message}; producer breaker ${breaker}` }),
      );
      lastReady = { at, verdict };
    }
    return lastReady.verdict;
  });

  registerOrderRoutes(app, { store, producer, log });
  const socket = new OrderSocket(ctx.redis, store, log);
  socket.register(app);
  // Before the server stops accepting: open sockets would otherwise keep it from closing.
  app.addHook('preClose', async () => socket.close());

  app.addHook('onClose', async () => {
    closing = true;
    lag.stop();
    const shutdown = async (): Promise<void> => {
      await worker?.stop(CLOSE_TIMEOUT_MS);
      await producer.close();
      await topicReady;
      await admin.close();
    };
    await withTimeout(shutdown(), CLOSE_TIMEOUT_MS, 'orders shutdown timed out').catch((err: unknown) =>
      log.warn({ err: (err as Error).message }, 'orders did not shut down cleanly'),
    );
  });

  opts.onStarted?.({ settings, store, producer, worker });
};

/**
 * A mocks app serving only the orders service (plus health, metrics and the rest of the shared
 * routes): `buildMocks` with `services: ['orders']`. Not listening; use `inject()` or `listen()`.
 */
export async function build(opts: BuildMocksOptions = {}): Promise<FastifyInstance> {
  // Imported when called: the app itself loads this module on demand.
  const { buildMocks } = await import('../app.js');
  return buildMocks({ ...opts, config: { ...opts.config, services: ['orders'] } });
}
