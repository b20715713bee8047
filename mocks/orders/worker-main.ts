/**
 * Process entry of a stand-alone order worker (no HTTP):
 *
 *   npx tsx mocks/orders/worker-main.ts
 *
 * Reads the mocks settings from the environment (REDIS_URL, KAFKA_BROKERS, MOCKS_KEY_PREFIX,
 * ORDERS_TOPIC, ORDERS_GROUP, ORDERS_PROCESSING_MS, ORDERS_STATUS_TTL_MS, MOCKS_BREAK,
 * MOCKS_LOG_LEVEL) plus ORDERS_FAILURE_RATE (0..1) and ORDERS_CONCURRENCY, joins the worker group
 * and processes jobs until SIGINT/SIGTERM, then leaves the group and exits 0. A bad setting exits 2.
 */
import { pino } from 'pino';
import { resolveConfig } from '../common/config-validate.js';
import { configFromEnv } from '../common/env.js';
import { closeRedis, createRedis } from '../common/redis.js';
import { settingsFromConfig } from './index.js';
import { resolveOrdersSettings } from './settings.js';
import type { OrdersSettings } from './settings.js';
import { startOrdersWorker } from './worker.js';
import { EXIT } from '../../src/exit-codes.js';

function numberFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got ${JSON.stringify(raw)}`);
  return n;
}

async function main(): Promise<number> {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  let settings: OrdersSettings;
  let config;
  try {
    config = resolveConfig(configFromEnv(process.env));
    settings = resolveOrdersSettings({
      ...settingsFromConfig(config),
      concurrency: numberFromEnv('ORDERS_CONCURRENCY'),
      inProcessWorker: true,
    });
  } catch (err) {
    process.stderr.write(`orders worker: ${(err as Error).message}\n`);
    return EXIT.INVALID;
  }
  const log = pino({ level: config.logLevel, name: 'orders-worker' }, pino.destination(2));
  const redis = createRedis(config.redisUrl, { log });
  const worker = await startOrdersWorker({ redis, kafkaBrokers: config.kafkaBrokers, settings, log });
  log.info({ workerId: worker.workerId, topic: settings.topic, group: settings.groupId }, 'order worker started');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info({ signal }, 'order worker stopping');
  await worker.stop();
  await closeRedis(redis);
  return EXIT.OK;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`orders worker: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = EXIT.ENGINE;
  },
);
