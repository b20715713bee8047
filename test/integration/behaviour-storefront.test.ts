/**
 * scenarios/storefront.yaml runs two load blocks at once — browsers (open model) and buyers (closed
 * model) — and loads product pages with parallel requests. Against healthy mocks it passes with
 * both blocks' journeys in one report; against `--break consumer` (orders accepted, never done)
 * only the buyers' thresholds fail, the browsers stay green.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failedThresholds, runScenario, seriesOf, startBehaviourMocks, waitOrdersFlow, type BehaviourMocks } from './behaviour-support.js';

const SHORT = { DURATION: '4s', BROWSERS: '10', BUYERS: '3' };

let healthy: BehaviourMocks;
let broken: BehaviourMocks;
beforeAll(async () => {
  [healthy, broken] = await Promise.all([startBehaviourMocks(), startBehaviourMocks(['consumer'])]);
  await waitOrdersFlow(healthy.url);
});
afterAll(async () => {
  await Promise.all([healthy?.dispose(), broken?.dispose()]);
});

describe('storefront.yaml', () => {
  it('passes against healthy mocks: browsers and buyers side by side, product pages in parallel', async () => {
    const r = await runScenario('storefront', healthy.url, SHORT);
    expect(r.stderr).not.toContain('internal error');
    expect(failedThresholds(r.report), r.stdout).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.report.scenario.model).toBe('blocks');
    // 4 s at 10 browsers/s, each page two parallel requests then a third.
    const browse = r.report.journeys?.find((j) => j.name === 'browse');
    expect(browse).toMatchObject({ started: 40, completed: 40, failed: 0 });
    for (const step of ['product', 'listing', 'related']) expect(seriesOf(r.report, 'http.requests', { step }).reduce((n, s) => n + s.sum, 0), step).toBe(40);
    expect(r.report.journeys?.find((j) => j.name === 'buy')?.completed).toBeGreaterThan(3);
    expect(r.report.phases.map((p) => p.name).sort()).toEqual(['browsing', 'buying']);
  });

  it('fails against --break consumer on the buyers only', async () => {
    const r = await runScenario('storefront', broken.url, { ...SHORT, DURATION: '3s' });
    expect(r.code).toBe(1);
    expect(failedThresholds(r.report)).toEqual(['expectations{step:order-done}', 'poll.duration{step:order-done}']);
    expect(r.report.journeys?.find((j) => j.name === 'browse')?.failed).toBe(0);
  });
});
