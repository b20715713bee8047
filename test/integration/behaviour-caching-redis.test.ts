/**
 * scenarios/caching-redis.yaml checks the catalog cache in Redis itself (the key and its TTL), not
 * through the service's `x-cache` header: it passes against healthy mocks and fails against
 * `--break cache` (the catalog never stores — the negative twin), naming the key-presence and TTL
 * thresholds, while every read still answers 200. Real Redis, a key prefix per test.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { failedThresholds, runScenario, seriesOf, startBehaviourMocks, type BehaviourMocks } from './behaviour-support.js';

const SHORT = { DURATION: '4s', RATE: '20', HOT_PRODUCTS: '20' };
const READS = 4 * 20;

let healthy: BehaviourMocks;
let broken: BehaviourMocks;
beforeAll(async () => {
  [healthy, broken] = await Promise.all([startBehaviourMocks(), startBehaviourMocks(['cache'])]);
});
afterAll(async () => {
  await Promise.all([healthy?.dispose(), broken?.dispose()]);
});

const envOf = (m: BehaviourMocks): Record<string, string> => ({ ...SHORT, KEY_PREFIX: m.keyPrefix, REDIS_URL: inject('redisUrl') });

describe('caching-redis.yaml', () => {
  it('passes against a working cache: every read left its key, with a TTL within 30 s', async () => {
    const r = await runScenario('caching-redis', healthy.url, envOf(healthy));
    expect(r.stderr).not.toContain('internal error');
    expect(failedThresholds(r.report), r.stdout).toEqual([]);
    expect(r.code).toBe(0);
    const present = seriesOf(r.report, 'cache.key_present', {});
    expect(present.reduce((n, s) => n + s.count, 0)).toBe(READS);
    expect(present.reduce((n, s) => n + s.sum, 0)).toBe(READS);
    expect(seriesOf(r.report, 'redis.latency', { step: 'cache-ttl' }).reduce((n, s) => n + s.count, 0)).toBe(READS);
    expect(r.report.journeys?.[0]?.steps.map((s) => s.name)).toEqual(['product', 'cache-key', 'cache-ttl']);
  }, 60_000);

  it('fails against --break cache: no key is ever present, the reads all succeed', async () => {
    const r = await runScenario('caching-redis', broken.url, envOf(broken));
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ verdict: 'failed', exitCode: 1 });
    expect(failedThresholds(r.report)).toEqual(['cache.key_present', 'expectations{step:cache-ttl}']);
    expect(r.stdout).toMatch(/✗ FAIL\s+cache\.key_present: rate >= 99%\s+observed 0%/);
    expect(r.stdout).toMatch(/✗ FAIL\s+expectations\{step:cache-ttl\}: rate == 1\s+observed no samples/);
    expect(r.report.thresholds.find((t) => t.key === 'http.errors')?.passed).toBe(true);
    expect(r.report.thresholds.find((t) => t.key === 'redis.errors')?.passed).toBe(true);
  }, 60_000);
});
