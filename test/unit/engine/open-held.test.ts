/**
 * An open load whose pacer holds arrivals (the generator's loop busy, requests waiting for every
 * connection: src/http/in-flight-limit.ts): due arrivals wait as their due times, start in order
 * once it lets them, count against maxVus, and are dropped, not forgotten, at a stop.
 */
import { describe, expect, it } from 'vitest';
import { createRegistry, selectSeries } from '../../../src/metrics/index.js';
import { METRIC } from '../../../src/metrics/catalogue.js';
import { Run } from '../../../src/engine/run.js';
import type { Pacer } from '../../../src/engine/run-options.js';
import type { OpenLoad } from '../../../src/scenario/plan.js';
import type { Clock } from '../../../src/engine/types.js';
import { fakeVus, plan } from './fixtures.js';

const clock: Clock = { now: () => performance.now() };
const rate = (durationMs: number, perS: number, maxVus: number): OpenLoad => ({
  model: 'open',
  phases: [{ name: 'p', durationMs, rate: perS, pause: false, onStart: [], onEnd: [] }],
  maxVus,
  spacing: 'uniform',
});
const total = (r: ReturnType<typeof createRegistry>, metric: string): number => selectSeries(r.cumulative(), metric, {}).reduce((n, s) => n + s.sum, 0);

/** A pacer that holds arrivals while `holding` is true, and asks nothing else. */
function holdingPacer(): { pacer: Pacer; set(h: boolean): void; asked: () => number } {
  let holding = true;
  let asked = 0;
  return {
    pacer: {
      park: () => false,
      openAll: () => undefined,
      stats: () => ({ requests: 0, iterations: 0, totalWaitMs: 0, maxWaitMs: 0, lowestLimit: 0, engaged: 0 }),
      holdsArrivals: () => {
        asked++;
        return holding;
      },
    },
    set: (h) => void (holding = h),
    asked: () => asked,
  };
}

describe('an open load while the pacer holds arrivals', () => {
  it('starts none of them while it holds, then all, in order, with their due times kept', async () => {
    const paced = holdingPacer();
    const vus = fakeVus({ durationMs: 1, clock });
    const registry = createRegistry();
    const run = new Run({ clock, plan: plan(rate(600, 50, 100)), registry, createVu: vus.factory, seed: 1, pacer: paced.pacer, intervalMs: 100 });
    const done = run.start();
    const iterations = () => vus.events.filter((e) => e.kind === 'iteration');
    await new Promise((r) => setTimeout(r, 300));
    expect(paced.asked()).toBeGreaterThan(0);
    expect(iterations()).toHaveLength(0);
    const releasedAt = clock.now();
    paced.set(false);
    const report = await done;
    const its = iterations();
    // Every planned arrival started: 600 ms at 50/s.
    expect(its).toHaveLength(30);
    expect(total(registry, METRIC.journeysStarted)).toBe(30);
    expect(report.generator.droppedArrivals).toBe(0);
    // The held ones started after the pacer let them go, oldest first, each with its own due time.
    const held = its.filter((e) => (e.scheduledAt as number) < releasedAt - 25);
    expect(held.length).toBeGreaterThanOrEqual(10);
    for (const e of held) expect(e.at).toBeGreaterThanOrEqual(releasedAt - 1);
    const dues = its.map((e) => e.scheduledAt as number);
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
    expect(new Set(dues).size).toBe(30);
    // They started late, and are counted so.
    expect(report.generator.lateArrivals).toBeGreaterThanOrEqual(held.length - 1);
  });

  it('counts held arrivals against maxVus: beyond it they are dropped', async () => {
    const paced = holdingPacer();
    const vus = fakeVus({ durationMs: 1000, clock });
    const registry = createRegistry();
    const run = new Run({ clock, plan: plan(rate(300, 50, 5), { gracefulStopMs: 0 }), registry, createVu: vus.factory, seed: 1, pacer: paced.pacer, intervalMs: 100 });
    const done = run.start();
    await new Promise((r) => setTimeout(r, 200));
    paced.set(false);
    const report = await done;
    // 15 arrivals: five held (the cap), the others dropped while they waited or once the five ran.
    expect(total(registry, METRIC.journeysStarted)).toBe(5);
    expect(report.generator.droppedArrivals).toBe(10);
  });

  it('drops the arrivals still held when the run is stopped', async () => {
    const paced = holdingPacer();
    const vus = fakeVus({ durationMs: 1, clock });
    const registry = createRegistry();
    const run = new Run({ clock, plan: plan(rate(2000, 50, 100)), registry, createVu: vus.factory, seed: 1, pacer: paced.pacer, intervalMs: 100 });
    const done = run.start();
    await new Promise((r) => setTimeout(r, 300));
    run.abort('SIGINT');
    const report = await done;
    expect(report.verdict).toBe('aborted');
    expect(total(registry, METRIC.journeysStarted)).toBe(0);
    // The ones due before the stop: about 300 ms at 50/s.
    expect(report.generator.droppedArrivals).toBeGreaterThanOrEqual(10);
    expect(report.generator.droppedArrivals).toBeLessThanOrEqual(20);
  });
});
