import type { MocksConfigInput } from './config.js';

/** How a raw string setting is read. */
export type SettingKind = 'int' | 'number' | 'bool' | 'string' | 'list';

/** One setting: its config path, environment variable and command-line flag. */
export interface SettingSpec {
  /** Dotted path in MocksConfig, e.g. `catalog.originLatencyMs`. */
  readonly path: string;
  readonly env: string;
  /** Long flag without dashes, e.g. `origin-latency`. Bools are switches (`--admin`). */
  readonly flag: string;
  readonly kind: SettingKind;
  readonly description: string;
}

/** Every setting of the mocks; the CLI builds its flags from this, and docs/mocks.md lists them. */
export const SETTINGS: readonly SettingSpec[] = [
  { path: 'host', env: 'MOCKS_HOST', flag: 'host', kind: 'string', description: 'interface to bind (default 127.0.0.1)' },
  { path: 'port', env: 'MOCKS_PORT', flag: 'port', kind: 'int', description: 'port, 0 for any free one (default 8080)' },
  { path: 'services', env: 'MOCKS_SERVICES', flag: 'service', kind: 'list', description: 'services to serve: catalog, orders, payments (default all)' },
  { path: 'redisUrl', env: 'REDIS_URL', flag: 'redis-url', kind: 'string', description: 'Redis URL (default redis://127.0.0.1:6379)' },
  { path: 'kafkaBrokers', env: 'KAFKA_BROKERS', flag: 'kafka-brokers', kind: 'string', description: 'Kafka brokers host:port,… (default 127.0.0.1:9092)' },
  { path: 'keyPrefix', env: 'MOCKS_KEY_PREFIX', flag: 'key-prefix', kind: 'string', description: 'prefix of every Redis key (default rampart:mocks:)' },
  { path: 'logLevel', env: 'MOCKS_LOG_LEVEL', flag: 'log-level', kind: 'string', description: 'silent|fatal|error|warn|info|debug|trace (default warn)' },
  { path: 'breaks', env: 'MOCKS_BREAK', flag: 'break', kind: 'list', description: 'break a behaviour on purpose: cache, breaker, consumer' },
  { path: 'faultsCacheMs', env: 'MOCKS_FAULTS_CACHE_MS', flag: 'faults-cache-ms', kind: 'int', description: 'per-instance cache of shared faults, ms (default 250)' },
  { path: 'shutdownTimeoutMs', env: 'MOCKS_SHUTDOWN_TIMEOUT_MS', flag: 'shutdown-timeout-ms', kind: 'int', description: 'longest drain on shutdown, ms (default 10000)' },
  { path: 'catalog.originLatencyMs', env: 'CATALOG_ORIGIN_LATENCY_MS', flag: 'origin-latency-ms', kind: 'int', description: 'catalog origin latency, ms (default 25)' },
  { path: 'catalog.cacheTtlMs', env: 'CATALOG_CACHE_TTL_MS', flag: 'cache-ttl-ms', kind: 'int', description: 'catalog cache TTL, ms (default 30000)' },
  { path: 'catalog.productCount', env: 'CATALOG_PRODUCTS', flag: 'products', kind: 'int', description: 'number of products (default 1000)' },
  { path: 'catalog.payloadBytes', env: 'CATALOG_PAYLOAD_BYTES', flag: 'payload-bytes', kind: 'int', description: 'product description size, bytes (default 512)' },
  { path: 'catalog.maxPageSize', env: 'CATALOG_MAX_PAGE_SIZE', flag: 'max-page-size', kind: 'int', description: 'largest ?size= (default 100)' },
  { path: 'payments.upstreamLatencyMs', env: 'PAYMENTS_UPSTREAM_LATENCY_MS', flag: 'upstream-latency-ms', kind: 'int', description: 'payments upstream latency, ms (default 20)' },
  { path: 'payments.upstreamFailureRate', env: 'PAYMENTS_UPSTREAM_FAILURE_RATE', flag: 'upstream-failure-rate', kind: 'number', description: 'payments upstream failure rate 0..1 (default 0)' },
  { path: 'payments.callTimeoutMs', env: 'PAYMENTS_CALL_TIMEOUT_MS', flag: 'call-timeout-ms', kind: 'int', description: 'upstream call timeout, ms (default 1000)' },
  { path: 'payments.errorThresholdPercentage', env: 'PAYMENTS_ERROR_THRESHOLD', flag: 'error-threshold', kind: 'int', description: 'failed % in the window that opens the breaker (default 50)' },
  { path: 'payments.rollingWindowMs', env: 'PAYMENTS_ROLLING_WINDOW_MS', flag: 'rolling-window-ms', kind: 'int', description: 'breaker statistics window, ms (default 10000)' },
  { path: 'payments.volumeThreshold', env: 'PAYMENTS_VOLUME_THRESHOLD', flag: 'volume-threshold', kind: 'int', description: 'calls in the window before the breaker may open (default 5)' },
  { path: 'payments.resetTimeoutMs', env: 'PAYMENTS_RESET_TIMEOUT_MS', flag: 'reset-timeout-ms', kind: 'int', description: 'open time before a half-open probe, ms (default 5000)' },
  { path: 'payments.fallback', env: 'PAYMENTS_FALLBACK', flag: 'fallback', kind: 'string', description: 'answer while open: 503 or 202 (default 503)' },
  { path: 'orders.topic', env: 'ORDERS_TOPIC', flag: 'orders-topic', kind: 'string', description: 'Kafka topic of order jobs (default rampart.orders)' },
  { path: 'orders.groupId', env: 'ORDERS_GROUP', flag: 'orders-group', kind: 'string', description: 'consumer group (default rampart-orders)' },
  { path: 'orders.processingMs', env: 'ORDERS_PROCESSING_MS', flag: 'orders-processing-ms', kind: 'int', description: 'work per order job, ms (default 50)' },
  { path: 'orders.failureRate', env: 'ORDERS_FAILURE_RATE', flag: 'orders-failure-rate', kind: 'number', description: 'fraction of order jobs that end failed, 0..1 (default 0)' },
  { path: 'orders.statusTtlMs', env: 'ORDERS_STATUS_TTL_MS', flag: 'orders-status-ttl-ms', kind: 'int', description: 'job status lifetime, ms (default 3600000)' },
  { path: 'rateLimit.enabled', env: 'MOCKS_RATE_LIMIT', flag: 'rate-limit', kind: 'bool', description: 'turn on the shared rate limit (default off)' },
  { path: 'rateLimit.max', env: 'MOCKS_RATE_LIMIT_MAX', flag: 'rate-limit-max', kind: 'int', description: 'requests per client per window (default 1000)' },
  { path: 'rateLimit.windowMs', env: 'MOCKS_RATE_LIMIT_WINDOW_MS', flag: 'rate-limit-window-ms', kind: 'int', description: 'rate-limit window, ms (default 1000)' },
  { path: 'admin.enabled', env: 'MOCKS_ADMIN', flag: 'admin', kind: 'bool', description: 'serve the /admin fault-injection API (default off)' },
  { path: 'admin.token', env: 'MOCKS_ADMIN_TOKEN', flag: 'admin-token', kind: 'string', description: 'bearer token required by /admin and DELETE /cache' },
];

/**
 * Converts a raw string as `kind` says. A value that does not convert is kept as the string, so
 * resolveConfig reports it with the setting's name.
 */
export function convertSetting(kind: SettingKind, raw: string): unknown {
  const s = raw.trim();
  switch (kind) {
    case 'int':
    case 'number':
      return /^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(s) ? Number(s) : s;
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(s)) return true;
      if (/^(0|false|no|off)$/i.test(s)) return false;
      return s;
    case 'list':
      return s === '' ? [] : s.split(',').map((x) => x.trim()).filter((x) => x !== '');
    case 'string':
      return raw;
  }
}

/** Returns a copy of `input` with `path` set to `value`. */
export function withSetting(input: MocksConfigInput, path: string, value: unknown): MocksConfigInput {
  const [head, tail] = path.split('.', 2) as [string, string | undefined];
  const out: Record<string, unknown> = { ...input };
  if (tail === undefined) out[head] = value;
  else out[head] = { ...(out[head] as Record<string, unknown> | undefined), [tail]: value };
  return out as MocksConfigInput;
}
