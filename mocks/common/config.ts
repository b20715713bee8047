/**
 * Configuration of the bundled mock services: one validated, frozen object built from defaults,
 * the environment and command-line flags (flags win). Every bad value is reported at start, all at
 * once, with the setting's name — never a stack trace.
 */

/** The services `rampart mocks` can start. */
export const SERVICE_NAMES = ['catalog', 'orders', 'payments'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * Deliberately broken behaviours ("negative twins") that a scenario's thresholds must catch:
 * `cache` — the catalog never stores (always MISS); `breaker` — payments calls the upstream with no
 * circuit breaker; `consumer` — the orders consumer never processes jobs.
 */
export const BREAK_NAMES = ['cache', 'breaker', 'consumer'] as const;
export type BreakName = (typeof BREAK_NAMES)[number];

export const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What payments answers while its breaker is open. */
export const FALLBACK_MODES = ['503', '202'] as const;
export type FallbackMode = (typeof FALLBACK_MODES)[number];

export interface CatalogConfig {
  /** Simulated origin (database) latency per read, ms. Default 25. */
  readonly originLatencyMs: number;
  /** How long a cached product or page lives in Redis, ms. Default 30 000. */
  readonly cacheTtlMs: number;
  /** Number of products (ids 1..count). Default 1000. */
  readonly productCount: number;
  /** Approximate size of a product's `description`, bytes. Default 512. */
  readonly payloadBytes: number;
  /** Largest page size `GET /products?size=` accepts. Default 100. */
  readonly maxPageSize: number;
}

export interface PaymentsConfig {
  /** Upstream latency per call, ms (runtime-switchable via `PUT /admin/upstream`). Default 20. */
  readonly upstreamLatencyMs: number;
  /** Fraction of upstream calls that fail, 0..1 (runtime-switchable). Default 0. */
  readonly upstreamFailureRate: number;
  /** An upstream call slower than this counts as a failure, ms. Default 1000. */
  readonly callTimeoutMs: number;
  /** Percentage of failed calls in the rolling window that opens the breaker. Default 50. */
  readonly errorThresholdPercentage: number;
  /** Length of the breaker's rolling statistics window, ms. Default 10 000. */
  readonly rollingWindowMs: number;
  /** Calls needed in the window before the breaker may open. Default 5. */
  readonly volumeThreshold: number;
  /** How long the breaker stays open before a half-open probe, ms. Default 5000. */
  readonly resetTimeoutMs: number;
  /** Answer while open: `503` (+ Retry-After) or `202` (accepted, deferred). Default `503`. */
  readonly fallback: FallbackMode;
}

export interface OrdersConfig {
  /** Kafka topic the jobs are queued on. Default `rampart.orders`. */
  readonly topic: string;
  /** Consumer group id. Default `rampart-orders`. */
  readonly groupId: string;
  /** Simulated processing time per job, ms. Default 50. */
  readonly processingMs: number;
  /** How long a job's status is kept in Redis, ms. Default 3 600 000 (1 h). */
  readonly statusTtlMs: number;
  /** Fraction of jobs the worker marks `failed`, 0..1. Default 0. */
  readonly failureRate: number;
}

export interface RateLimitConfig {
  /** Off by default: a load test should measure the service, not the limiter. */
  readonly enabled: boolean;
  /** Requests per client (IP) per window, shared by every instance through Redis. Default 1000. */
  readonly max: number;
  /** Window length, ms. Default 1000. */
  readonly windowMs: number;
}

export interface AdminConfig {
  /** The `/admin` fault-injection API exists only when enabled. Default false. */
  readonly enabled: boolean;
  /** When set, `/admin` requires `Authorization: Bearer <token>`. */
  readonly token?: string;
}

export interface MocksConfig {
  /** Interface to bind. Default `127.0.0.1` (loopback only). */
  readonly host: string;
  /** Port; 0 picks a free one. Default 8080. */
  readonly port: number;
  /** Which services this instance serves. Default all of them. */
  readonly services: readonly ServiceName[];
  /** Default `redis://127.0.0.1:6379`. */
  readonly redisUrl: string;
  /** Comma-separated `host:port` list. Default `127.0.0.1:9092`. */
  readonly kafkaBrokers: string;
  /** Prefix of every Redis key (tests isolate with one per test). Default `rampart:mocks:`. */
  readonly keyPrefix: string;
  /** Default `warn` (quiet). */
  readonly logLevel: LogLevel;
  readonly breaks: readonly BreakName[];
  /** How long each instance caches the faults it read from Redis, ms. Default 250. */
  readonly faultsCacheMs: number;
  /** Longest wait for in-flight requests on shutdown, ms. Default 10 000. */
  readonly shutdownTimeoutMs: number;
  readonly catalog: CatalogConfig;
  readonly payments: PaymentsConfig;
  readonly orders: OrdersConfig;
  readonly rateLimit: RateLimitConfig;
  readonly admin: AdminConfig;
}

/** Deep-partial input; anything missing takes its default. */
export type MocksConfigInput = {
  readonly [K in keyof MocksConfig]?: MocksConfig[K] extends readonly unknown[]
    ? MocksConfig[K]
    : MocksConfig[K] extends object
      ? Partial<MocksConfig[K]>
      : MocksConfig[K];
};

export const DEFAULT_CONFIG: MocksConfig = Object.freeze({
  host: '127.0.0.1',
  port: 8080,
  services: SERVICE_NAMES,
  redisUrl: 'redis://127.0.0.1:6379',
  kafkaBrokers: '127.0.0.1:9092',
  keyPrefix: 'rampart:mocks:',
  logLevel: 'warn',
  breaks: [],
  faultsCacheMs: 250,
  shutdownTimeoutMs: 10_000,
  catalog: { originLatencyMs: 25, cacheTtlMs: 30_000, productCount: 1000, payloadBytes: 512, maxPageSize: 100 },
  payments: {
    upstreamLatencyMs: 20,
    upstreamFailureRate: 0,
    callTimeoutMs: 1000,
    errorThresholdPercentage: 50,
    rollingWindowMs: 10_000,
    volumeThreshold: 5,
    resetTimeoutMs: 5000,
    fallback: '503',
  },
  orders: { topic: 'rampart.orders', groupId: 'rampart-orders', processingMs: 50, statusTtlMs: 3_600_000, failureRate: 0 },
  rateLimit: { enabled: false, max: 1000, windowMs: 1000 },
  admin: { enabled: false },
} satisfies MocksConfig);

/** A configuration that cannot start; `issues` has one line per bad setting. */
export class MocksConfigError extends Error {
  readonly issues: readonly string[];
  constructor(issues: readonly string[]) {
    super(`invalid mocks configuration:\n  - ${issues.join('\n  - ')}`);
    this.name = 'MocksConfigError';
    this.issues = issues;
  }
}
