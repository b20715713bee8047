/**
 * scenarios/queueing.yaml proves the orders queue keeps up with a spike and drains: it passes
 * against healthy mocks and fails, naming the completion and end-to-end thresholds, against
 * `--break consumer` (jobs accepted, never processed — the negative twin).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failedThresholds, runScenario, seriesOf, startBehaviourMocks, waitOrdersFlow, type BehaviourMocks } from './behaviour-support.js';

// A short version of the committed scenario: 2 s calm, a 4 s spike at 40/s, 3 s of drain.
const SHORT = { CALM: '2s', SPIKE: '4s', SPIKE_RATE: '40', DRAIN: '3s', POLL_TIMEOUT: '3s' };

let healthy: BehaviourMocks;
let broken: BehaviourMocks;
beforeAll(async () => {
  [healthy, broken] = await Promise.all([startBehaviourMocks(), startBehaviourMocks(['consumer'])]);
  await waitOrdersFlow(healthy.url); // the new consumer group holds its partitions
});
afterAll(async () => {
  await Promise.all([healthy?.dispose(), broken?.dispose()]);
});

describe('queueing.yaml', () => {
  it('passes against a working consumer: fast 202s, every job done in time, the queue drained', async () => {
    const r = await runScenario('queueing', healthy.url, SHORT);
    expect(r.stderr).not.toContain('internal error');
    expect(failedThresholds(r.report), r.stdout).toEqual([]);
    expect(r.code).toBe(0);
    const journeys = r.report.journeys?.[0];
    expect(journeys).toMatchObject({ name: 'place-order', failed: 0 });
    expect(journeys?.completed).toBe(2 * 5 + 4 * 40 + 3 * 5);
    // Every job was polled to `done`: one end-to-end sample per order, in every phase.
    const polls = seriesOf(r.report, 'poll.duration', { step: 'order-done' });
    expect(polls.reduce((n, s) => n + s.count, 0)).toBe(journeys?.completed);
    expect(new Set(polls.map((s) => s.tags['phase']))).toEqual(new Set(['calm', 'spike', 'drain']));
  });

  it('fails against --break consumer, naming the completion and end-to-end thresholds, while the 202s stay fast', async () => {
    const r = await runScenario('queueing', broken.url, SHORT);
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ verdict: 'failed', exitCode: 1 });
    expect(failedThresholds(r.report)).toEqual(['expectations{step:order-done}', 'poll.duration{step:order-done}', 'poll.duration{step:order-done,phase:drain}']);
    expect(r.stdout).toMatch(/✗ FAIL\s+expectations\{step:order-done\}: rate == 1\s+observed 0%/);
    expect(r.stdout).toMatch(/✗ FAIL\s+poll\.duration\{step:order-done\}: p\(95\) < 2s\s+observed no samples/);
    // Accepting orders still works: the broken part is only visible end to end.
    expect(r.report.thresholds.find((t) => t.key === 'http.latency{step:order,status:202}')?.passed).toBe(true);
    expect(seriesOf(r.report, 'expectations', { step: 'order-done', error: 'timeout' }).reduce((n, s) => n + s.count, 0)).toBe(2 * 5 + 4 * 40 + 3 * 5);
    expect(r.stderr).toContain('poll timed out after 3000 ms');
  });
});
