import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { MocksConfig } from './config.js';
import type { Faults } from './faults.js';

/**
 * Everything a service plugin needs, built once per app by `buildMocks` and passed in the plugin's
 * options. The app owns these clients: it closes `redis` on shutdown; a plugin closes only what it
 * opened itself (e.g. Kafka clients, in its own onClose hook).
 */
export interface ServiceContext {
  /** Fail-fast, self-healing client (see createRedis). Prefix keys with `config.keyPrefix` (redisKey). */
  readonly redis: Redis;
  readonly config: MocksConfig;
  /** This app's Prometheus registry; register service metrics here with `registers: [metrics]`. */
  readonly metrics: Registry;
  /** Shared fault-injection state; add `faults.hook('<service>')` as the service's onRequest hook. */
  readonly faults: Faults;
  readonly log: FastifyBaseLogger;
}

/** One readiness check's verdict. `detail` is shown in `GET /health/ready`. */
export interface ReadinessResult {
  readonly ok: boolean;
  readonly detail?: string;
}

/** A readiness check; it should answer within ~1 s and never reject (a rejection counts as not ready). */
export type ReadinessCheck = () => Promise<ReadinessResult>;

/** Where plugins add their readiness checks (`kafka`, …); `redis` is added by the app. */
export type RegisterReadiness = (name: string, check: ReadinessCheck) => void;
