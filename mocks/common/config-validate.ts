import {
  BREAK_NAMES,
  DEFAULT_CONFIG,
  FALLBACK_MODES,
  LOG_LEVELS,
  MocksConfigError,
  SERVICE_NAMES,
  type MocksConfig,
  type MocksConfigInput,
} from './config.js';

type Issues = string[];

function int(issues: Issues, name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    issues.push(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
    return min;
  }
  return v;
}

function ratio(issues: Issues, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    issues.push(`${name} must be a number in [0, 1], got ${JSON.stringify(v)}`);
    return 0;
  }
  return v;
}

function oneOf<T extends string>(issues: Issues, name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    issues.push(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    return allowed[0] as T;
  }
  return v as T;
}

function listOf<T extends string>(issues: Issues, name: string, v: unknown, allowed: readonly T[]): T[] {
  if (!Array.isArray(v)) {
    issues.push(`${name} must be a list of ${allowed.join(', ')}`);
    return [];
  }
  const out: T[] = [];
  for (const item of v) {
    const one = oneOf(issues, name, item, allowed);
    if (!out.includes(one)) out.push(one);
  }
  return out;
}

function text(issues: Issues, name: string, v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') {
    issues.push(`${name} must be a non-empty string, got ${JSON.stringify(v)}`);
    return '';
  }
  return v;
}

/** Kafka's own rule for topic and group names: 1–249 of letters, digits, `.`, `_`, `-`. */
function kafkaName(issues: Issues, name: string, v: unknown): string {
  const s = text(issues, name, v);
  if (s !== '' && !/^[A-Za-z0-9._-]{1,249}$/.test(s)) {
    issues.push(`${name} must be 1–249 letters, digits, '.', '_' or '-' (a Kafka name), got ${JSON.stringify(s)}`);
  }
  return s;
}

function bool(issues: Issues, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') {
    issues.push(`${name} must be true or false, got ${JSON.stringify(v)}`);
    return false;
  }
  return v;
}

function redisUrl(issues: Issues, v: unknown): string {
  const s = text(issues, 'redisUrl', v);
  if (s === '') return s;
  try {
    const u = new URL(s);
    if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error('protocol');
  } catch {
    issues.push(`redisUrl must be a redis:// or rediss:// URL, got ${JSON.stringify(s)}`);
  }
  return s;
}

function brokers(issues: Issues, v: unknown): string {
  const s = text(issues, 'kafkaBrokers', v);
  if (s === '') return s;
  for (const b of s.split(',')) {
    const m = /^\s*([^\s:]+|\[[0-9a-fA-F:]+\]):(\d{1,5})\s*$/.exec(b);
    if (m === null || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      issues.push(`kafkaBrokers must be a comma-separated host:port list, got ${JSON.stringify(b)}`);
    }
  }
  return s;
}

/**
 * Merges `input` over the defaults and validates every setting. Throws MocksConfigError listing
 * every problem; returns a deep-frozen MocksConfig.
 */
export function resolveConfig(input: MocksConfigInput = {}): MocksConfig {
  const d = DEFAULT_CONFIG;
  const i: Issues = [];
  const c = { ...d.catalog, ...input.catalog };
  const p = { ...d.payments, ...input.payments };
  const o = { ...d.orders, ...input.orders };
  const r = { ...d.rateLimit, ...input.rateLimit };
  const a = { ...d.admin, ...input.admin };
  const token = a.token === undefined || a.token === '' ? undefined : text(i, 'admin.token', a.token);
  const services = listOf(i, 'services', input.services ?? d.services, SERVICE_NAMES);
  if (services.length === 0) i.push('services must name at least one service');
  const cfg: MocksConfig = {
    host: text(i, 'host', input.host ?? d.host),
    port: int(i, 'port', input.port ?? d.port, 0, 65535),
    services,
    redisUrl: redisUrl(i, input.redisUrl ?? d.redisUrl),
    kafkaBrokers: brokers(i, input.kafkaBrokers ?? d.kafkaBrokers),
    keyPrefix: text(i, 'keyPrefix', input.keyPrefix ?? d.keyPrefix),
    logLevel: oneOf(i, 'logLevel', input.logLevel ?? d.logLevel, LOG_LEVELS),
    breaks: listOf(i, 'breaks', input.breaks ?? d.breaks, BREAK_NAMES),
    faultsCacheMs: int(i, 'faultsCacheMs', input.faultsCacheMs ?? d.faultsCacheMs, 0, 60_000),
    shutdownTimeoutMs: int(i, 'shutdownTimeoutMs', input.shutdownTimeoutMs ?? d.shutdownTimeoutMs, 0, 600_000),
    catalog: {
      originLatencyMs: int(i, 'catalog.originLatencyMs', c.originLatencyMs, 0, 60_000),
      cacheTtlMs: int(i, 'catalog.cacheTtlMs', c.cacheTtlMs, 1, 86_400_000),
      productCount: int(i, 'catalog.productCount', c.productCount, 1, 10_000_000),
      payloadBytes: int(i, 'catalog.payloadBytes', c.payloadBytes, 0, 1_048_576),
      maxPageSize: int(i, 'catalog.maxPageSize', c.maxPageSize, 1, 10_000),
    },
    payments: {
      upstreamLatencyMs: int(i, 'payments.upstreamLatencyMs', p.upstreamLatencyMs, 0, 60_000),
      upstreamFailureRate: ratio(i, 'payments.upstreamFailureRate', p.upstreamFailureRate),
      callTimeoutMs: int(i, 'payments.callTimeoutMs', p.callTimeoutMs, 1, 600_000),
      errorThresholdPercentage: int(i, 'payments.errorThresholdPercentage', p.errorThresholdPercentage, 1, 100),
      rollingWindowMs: int(i, 'payments.rollingWindowMs', p.rollingWindowMs, 10, 3_600_000),
      volumeThreshold: int(i, 'payments.volumeThreshold', p.volumeThreshold, 0, 1_000_000),
      resetTimeoutMs: int(i, 'payments.resetTimeoutMs', p.resetTimeoutMs, 1, 3_600_000),
      fallback: oneOf(i, 'payments.fallback', p.fallback, FALLBACK_MODES),
    },
    orders: {
      topic: kafkaName(i, 'orders.topic', o.topic),
      groupId: text(i, 'orders.groupId', o.groupId),
      processingMs: int(i, 'orders.processingMs', o.processingMs, 0, 600_000),
      statusTtlMs: int(i, 'orders.statusTtlMs', o.statusTtlMs, 1000, 30 * 86_400_000),
      failureRate: ratio(i, 'orders.failureRate', o.failureRate),
    },
    rateLimit: {
      enabled: bool(i, 'rateLimit.enabled', r.enabled),
      max: int(i, 'rateLimit.max', r.max, 1, 100_000_000),
      windowMs: int(i, 'rateLimit.windowMs', r.windowMs, 1, 86_400_000),
    },
    admin: { enabled: bool(i, 'admin.enabled', a.enabled), ...(token === undefined ? {} : { token }) },
  };
  if (i.length > 0) throw new MocksConfigError(i);
  return deepFreeze(cfg);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
