/**
 * Builds an orders service (the real plugin, the real Redis, a real Kafka) for integration tests,
 * with a fresh topic, group and key prefix per service group so tests never see each other's jobs.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { inject } from 'vitest';
import { resolveConfig } from '../../mocks/common/config-validate.js';
import type { MocksConfigInput } from '../../mocks/common/config.js';
import type { ServiceContext } from '../../mocks/common/context.js';
import { Faults } from '../../mocks/common/faults.js';
import { ReadinessRegistry } from '../../mocks/common/health.js';
import { registerWebSockets } from '../../mocks/common/websocket.js';
import { ordersPlugin } from '../../mocks/orders/index.js';
import type { OrdersServiceHandle, OrdersSettings } from '../../mocks/orders/index.js';
import { testRedisUrl } from '../unit/mocks/helpers.js';

/** The broker of the test run (global setup), falling back to KAFKA_BROKERS. */
export function testKafkaBrokers(): string {
  try {
    return inject('kafkaBrokers');
  } catch {
    return process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  }
}

/** One orders service under test. */
export interface OrdersUnderTest {
  readonly app: FastifyInstance;
  readonly handle: OrdersServiceHandle;
  readonly registry: Registry;
  readonly readiness: ReadinessRegistry;
}

/** Names shared by the services of one test: same Redis prefix, topic and group = one system. */
export interface OrdersWorld {
  readonly prefix: string;
  readonly topic: string;
  readonly groupId: string;
}

export function newWorld(): OrdersWorld {
  const id = randomUUID().slice(0, 8);
  return { prefix: `rampart:test:orders-${id}:`, topic: `rampart.orders.test-${id}`, groupId: `rampart-orders-test-${id}` };
}

/** Builds and tracks services; `closeAll` closes them and removes their Redis keys. */
export class OrdersFixture {
  private readonly apps: FastifyInstance[] = [];
  private readonly redises: Redis[] = [];
  private readonly prefixes = new Set<string>();

  async build(
    world: OrdersWorld,
    opts: { brokers?: string; config?: MocksConfigInput; settings?: Partial<OrdersSettings> } = {},
  ): Promise<OrdersUnderTest> {
    const brokers = opts.brokers ?? testKafkaBrokers();
    const config = resolveConfig({
      redisUrl: testRedisUrl(),
      kafkaBrokers: brokers,
      keyPrefix: world.prefix,
      logLevel: 'silent',
      ...opts.config,
      orders: { topic: world.topic, groupId: world.groupId, processingMs: 20, ...opts.config?.orders },
    });
    const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
    await redis.connect();
    this.redises.push(redis);
    this.prefixes.add(world.prefix);
    const app = Fastify({ logger: false });
    await registerWebSockets(app);
    const registry = new Registry();
    const ctx: ServiceContext = { redis, config, metrics: registry, faults: new Faults(redis, config.keyPrefix), log: app.log };
    const readiness = new ReadinessRegistry();
    let handle: OrdersServiceHandle | undefined;
    await app.register(ordersPlugin, {
      ctx,
      kafkaBrokers: brokers,
      readiness: (name, check) => readiness.add(name, check),
      settings: { lagIntervalMs: 500, ...opts.settings },
      onStarted: (h) => (handle = h),
    });
    await app.ready();
    this.apps.push(app);
    if (handle === undefined) throw new Error('orders plugin did not start');
    return { app, handle, registry, readiness };
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.apps.splice(0).map((a) => a.close()));
    const r = this.redises[0];
    if (r !== undefined) {
      for (const p of this.prefixes) {
        const keys = await r.keys(`${p}*`);
        if (keys.length > 0) await r.del(...keys);
      }
    }
    this.redises.splice(0).forEach((x) => x.disconnect());
    this.prefixes.clear();
  }
}

/** POSTs an order and returns the status code and body. */
export async function postOrder(app: FastifyInstance, payload: unknown = { productId: 'p-1', qty: 1 }): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown>; ms: number }> {
  const t0 = performance.now();
  const res = await app.inject({ method: 'POST', url: '/orders', payload: payload as Record<string, unknown> });
  return { status: res.statusCode, body: res.json(), headers: res.headers, ms: performance.now() - t0 };
}

/** The status of a job as the service reports it (undefined on 404). */
export async function statusOf(app: FastifyInstance, jobId: string): Promise<Record<string, unknown> | undefined> {
  const res = await app.inject({ method: 'GET', url: `/orders/${jobId}` });
  return res.statusCode === 404 ? undefined : res.json();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until every job is `done` (or `failed` when allowed) or throws after `timeoutMs`, naming the stragglers. */
export async function waitAllFinished(app: FastifyInstance, ids: readonly string[], timeoutMs: number): Promise<Record<string, unknown>[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const all = await Promise.all(ids.map((id) => statusOf(app, id)));
    const pending = all.filter((s) => s === undefined || (s.status !== 'done' && s.status !== 'failed'));
    if (pending.length === 0) return all as Record<string, unknown>[];
    if (Date.now() > end) throw new Error(`${pending.length} of ${ids.length} jobs unfinished after ${timeoutMs} ms: ${JSON.stringify(pending.slice(0, 3))}`);
    await sleep(100);
  }
}
