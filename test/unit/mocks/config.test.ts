import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, MocksConfigError } from '../../../mocks/common/config.js';
import { resolveConfig } from '../../../mocks/common/config-validate.js';
import { configFromEnv } from '../../../mocks/common/env.js';
import { SETTINGS, convertSetting, withSetting } from '../../../mocks/common/settings-table.js';

describe('resolveConfig', () => {
  it('applies the documented defaults and freezes the result', () => {
    const c = resolveConfig();
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(8080);
    expect(c.services).toEqual(['catalog', 'orders', 'payments']);
    expect(c.logLevel).toBe('warn');
    expect(c.rateLimit.enabled).toBe(false);
    expect(c.admin.enabled).toBe(false);
    expect(c.catalog.originLatencyMs).toBe(25);
    expect(c.faultsCacheMs).toBe(250);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.catalog)).toBe(true);
    expect(DEFAULT_CONFIG.payments.fallback).toBe('503');
  });

  it('merges nested partial settings over the defaults', () => {
    const c = resolveConfig({ catalog: { cacheTtlMs: 5 }, payments: { fallback: '202' }, admin: { enabled: true, token: 't' } });
    expect(c.catalog).toMatchObject({ cacheTtlMs: 5, originLatencyMs: 25 });
    expect(c.payments.fallback).toBe('202');
    expect(c.admin).toEqual({ enabled: true, token: 't' });
  });

  it('refuses an orders topic Kafka would refuse, before anything starts', () => {
    expect(() => resolveConfig({ orders: { topic: 'bad topic!' } })).toThrow(/orders\.topic must be 1–249 letters, digits/);
    expect(resolveConfig({ orders: { topic: 'rampart.orders-2_x' } }).orders.topic).toBe('rampart.orders-2_x');
  });

  it('reports every problem at once', () => {
    let err: unknown;
    try {
      resolveConfig({ port: -1, services: [], kafkaBrokers: 'nohost', payments: { upstreamFailureRate: 1.5 }, rateLimit: { max: 0 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MocksConfigError);
    const issues = (err as MocksConfigError).issues;
    expect(issues).toHaveLength(5);
    expect(issues.join('\n')).toMatch(/port must be an integer in \[0, 65535\], got -1/);
    expect(issues.join('\n')).toMatch(/services must name at least one service/);
    expect(issues.join('\n')).toMatch(/kafkaBrokers must be a comma-separated host:port list/);
    expect(issues.join('\n')).toMatch(/payments.upstreamFailureRate must be a number in \[0, 1\]/);
    expect(issues.join('\n')).toMatch(/rateLimit.max must be an integer/);
    expect((err as Error).message).toContain('invalid mocks configuration');
  });

  it('accepts IPv6 brokers and de-duplicates lists', () => {
    const c = resolveConfig({ kafkaBrokers: '[::1]:9092, 127.0.0.1:9093', breaks: ['cache', 'cache'] });
    expect(c.breaks).toEqual(['cache']);
  });
});

describe('settings from the environment', () => {
  it('reads every documented variable and converts types', () => {
    const input = configFromEnv({
      REDIS_URL: 'redis://h:1',
      KAFKA_BROKERS: 'k:9092',
      MOCKS_PORT: '9000',
      MOCKS_SERVICES: 'catalog, payments',
      MOCKS_ADMIN: 'yes',
      MOCKS_ADMIN_TOKEN: 'tok',
      PAYMENTS_UPSTREAM_FAILURE_RATE: '0.25',
      MOCKS_RATE_LIMIT: 'off',
      UNRELATED: 'x',
      CATALOG_CACHE_TTL_MS: '',
    });
    const c = resolveConfig(input);
    expect(c).toMatchObject({ redisUrl: 'redis://h:1', kafkaBrokers: 'k:9092', port: 9000, services: ['catalog', 'payments'] });
    expect(c.admin).toEqual({ enabled: true, token: 'tok' });
    expect(c.payments.upstreamFailureRate).toBe(0.25);
    expect(c.rateLimit.enabled).toBe(false);
    expect(c.catalog.cacheTtlMs).toBe(30_000);
  });

  it('keeps unconvertible values so validation names them', () => {
    expect(convertSetting('int', '12ms')).toBe('12ms');
    expect(convertSetting('bool', 'maybe')).toBe('maybe');
    expect(() => resolveConfig(configFromEnv({ MOCKS_PORT: '12ms' }))).toThrow(/port must be an integer.*"12ms"/);
  });

  it('maps every setting to a distinct env var and flag, and to a real config path', () => {
    const envs = new Set(SETTINGS.map((s) => s.env));
    const flags = new Set(SETTINGS.map((s) => s.flag));
    expect(envs.size).toBe(SETTINGS.length);
    expect(flags.size).toBe(SETTINGS.length);
    const defaults = resolveConfig({ admin: { token: 'set-for-this-check' } }) as unknown as Record<string, Record<string, unknown>>;
    for (const s of SETTINGS) {
      const [head, tail] = s.path.split('.');
      const holder = tail === undefined ? defaults : defaults[head!];
      expect(holder !== undefined && (tail === undefined ? head! : tail) in holder, s.path).toBe(true);
    }
  });

  it('withSetting does not mutate its input', () => {
    const a = { catalog: { cacheTtlMs: 1 } };
    const b = withSetting(a, 'catalog.productCount', 5);
    expect(a).toEqual({ catalog: { cacheTtlMs: 1 } });
    expect(b).toEqual({ catalog: { cacheTtlMs: 1, productCount: 5 } });
  });
});
