/**
 * scenarios/caching.yaml proves the catalog cache works: it passes against healthy mocks and fails,
 * naming the hit-ratio and HIT-latency thresholds, against `--break cache` (the negative twin).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failedThresholds, runScenario, seriesOf, startBehaviourMocks, type BehaviourMocks } from './behaviour-support.js';

// A short version of the committed scenario: 3 s of warm-up, 5 s judged. The HIT p95 bound is
// loosened: this test shares its event loop with the load generator on a busy machine, where a few
// pauses make the p95 of a hundred samples. The medians are compared below instead.
const SHORT = { WARMUP: '3s', STEADY: '5s', RATE: '20', HIT_P95: '100ms' };

let healthy: BehaviourMocks;
let broken: BehaviourMocks;
beforeAll(async () => {
  [healthy, broken] = await Promise.all([startBehaviourMocks(), startBehaviourMocks(['cache'])]);
});
afterAll(async () => {
  await Promise.all([healthy?.dispose(), broken?.dispose()]);
});

describe('caching.yaml', () => {
  it('passes against a working cache: ≥ 90 % hits after warm-up, hits faster than the origin, no errors', async () => {
    const r = await runScenario('caching', healthy.url, SHORT);
    expect(r.stderr).not.toContain('internal error');
    expect(failedThresholds(r.report), r.stdout).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('verdict: PASSED');
    // The response tag split the requests by the cache's answer: both series exist, hits far faster.
    const hits = seriesOf(r.report, 'http.latency', { step: 'product', cache: 'HIT' });
    const misses = seriesOf(r.report, 'http.latency', { step: 'product', cache: 'MISS' });
    expect(hits.length).toBeGreaterThan(0);
    expect(misses.length).toBeGreaterThan(0);
    const count = (ss: typeof hits): number => ss.reduce((n, s) => n + s.count, 0);
    expect(count(hits) + count(misses)).toBe(160);
    const hitP50 = Math.max(...hits.map((s) => s.p50));
    const missP50 = Math.min(...misses.map((s) => s.p50));
    expect(missP50).toBeGreaterThanOrEqual(25); // a miss pays the origin (25 ms)
    expect(hitP50).toBeLessThan(missP50);
    expect(hitP50).toBeLessThan(25); // a hit does not
  });

  it('fails against --break cache (never stores), naming the hit-ratio and HIT-latency thresholds', async () => {
    const r = await runScenario('caching', broken.url, SHORT);
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ verdict: 'failed', exitCode: 1 });
    expect(failedThresholds(r.report)).toEqual(['checks{check:cache_hit,phase:steady}', 'http.latency{step:product,cache:HIT,phase:steady}']);
    expect(r.stdout).toMatch(/✗ FAIL\s+checks\{check:cache_hit,phase:steady\}: rate >= 90%\s+observed 0%/);
    expect(r.stdout).toMatch(/✗ FAIL\s+http\.latency\{step:product,cache:HIT,phase:steady\}: p\(95\) < 100ms\s+observed no samples/);
    // Every read still succeeded: only the cache behaviour is wrong.
    expect(seriesOf(r.report, 'http.latency', { cache: 'HIT' })).toEqual([]);
    expect(r.report.thresholds.find((t) => t.key === 'http.errors')?.passed).toBe(true);
  });
});
