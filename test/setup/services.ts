/**
 * Vitest global setup: one Redis and one Kafka broker for the whole test run (reused when
 * REDIS_URL / KAFKA_BROKERS or `npm run services -- up` already provide them), exposed to test
 * files as `inject('redisUrl')` / `inject('kafkaBrokers')` and to child processes as
 * REDIS_URL / KAFKA_BROKERS. What was started here is stopped at teardown.
 */
import type { TestProject } from 'vitest/node';
import { ensureServices } from '../../scripts/services/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** e.g. `redis://127.0.0.1:6379` */
    redisUrl: string;
    /** Comma-separated `host:port` bootstrap list, e.g. `127.0.0.1:9092` */
    kafkaBrokers: string;
  }
}

/**
 * Finds or starts the services, provides their addresses, and returns the teardown that stops
 * what was started here (never a reused service).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const services = await ensureServices({
    env: process.env,
    log: (line) => console.log(`[services] ${line}`),
  });
  process.env.REDIS_URL = services.redisUrl;
  process.env.KAFKA_BROKERS = services.kafkaBrokers;
  project.provide('redisUrl', services.redisUrl);
  project.provide('kafkaBrokers', services.kafkaBrokers);
  return async () => {
    await services.stop();
  };
}
