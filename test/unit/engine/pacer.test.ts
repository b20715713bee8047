/**
 * The run's pacer (the limit on requests in flight, src/http/in-flight-limit.ts) as the engine uses
 * it: closed-model VUs wait for its room between iterations, the stop lets them go, and the report
 * and the live warnings say what it held back.
 */
import { describe, expect, it } from 'vitest';
import { createRegistry, selectSeries } from '../../../src/metrics/index.js';
import { METRIC } from '../../../src/metrics/catalogue.js';
import { Run } from '../../../src/engine/run.js';
import { generatorHealth, heldBackMuch } from '../../../src/engine/health.js';
import type { Pacer } from '../../../src/engine/run-options.js';
import { mergeHealth } from '../../../src/distributed/shards.js';
import { generatorExtras } from '../../../src/report/format.js';
import type { HeldBackReport } from '../../../src/report/model.js';
import type { ClosedLoad } from '../../../src/scenario/plan.js';
import { fakeVus, plan } from './fixtures.js';
import { validateReport } from '../../support/report-schema.js';

const none: HeldBackReport = { requests: 0, iterations: 0, totalWaitMs: 0, maxWaitMs: 0, lowestLimit: 0, engaged: 0 };

/** A pacer whose room the test opens one iteration at a time. */
function handPacer(stats: HeldBackReport = none): { pacer: Pacer; waiting: () => number; release(n: number): void; opened: () => number } {
  const waiting: Array<(ms: number) => void> = [];
  let open = false;
  let opened = 0;
  return {
    pacer: {
      room: () => (open ? undefined : new Promise<number>((go) => waiting.push(go))),
      openAll: () => {
        opened++;
        open = true;
        for (const go of waiting.splice(0)) go(0);
      },
      stats: () => stats,
    },
    waiting: () => waiting.length,
    release: (n) => {
      for (const go of waiting.splice(0, n)) go(1);
    },
    opened: () => opened,
  };
}

const hold = (ms: number, vus: number): ClosedLoad => ({ model: 'closed', startVus: vus, stages: [{ name: 'hold', durationMs: ms, target: vus, onStart: [], onEnd: [] }] });
const count = (r: ReturnType<typeof createRegistry>, metric: string): number => selectSeries(r.cumulative(), metric, {}).reduce((n, s) => n + s.sum, 0);

describe('a closed load with a pacer', () => {
  it('starts an iteration only when the pacer has room, and lets the waiting VUs end at the stop without another', async () => {
    const paced = handPacer({ requests: 0, iterations: 40, totalWaitMs: 900, maxWaitMs: 120, lowestLimit: 32, engaged: 1 });
    const vus = fakeVus({ durationMs: 5 });
    const registry = createRegistry();
    const warnings: string[] = [];
    const run = new Run({ plan: plan(hold(600, 3)), registry, createVu: vus.factory, seed: 1, pacer: paced.pacer, intervalMs: 100, onWarning: (m) => warnings.push(m) });
    const done = run.start();
    await new Promise((r) => setTimeout(r, 150));
    // All three VUs wait before their first iteration.
    expect(paced.waiting()).toBe(3);
    expect(vus.events.filter((e) => e.kind === 'iteration')).toHaveLength(0);
    paced.release(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(vus.events.filter((e) => e.kind === 'iteration')).toHaveLength(2);
    // The two that ran wait again for their next one.
    expect(paced.waiting()).toBe(3);
    const report = await done;
    expect(paced.opened()).toBeGreaterThanOrEqual(1);
    expect(vus.events.filter((e) => e.kind === 'iteration')).toHaveLength(2);
    expect(count(registry, METRIC.journeysInterrupted)).toBe(0);
    // Every VU ended (closed) though most never ran an iteration after the first wait.
    expect(vus.events.filter((e) => e.kind === 'close')).toHaveLength(3);
    expect(report.generator.heldBack).toEqual({ requests: 0, iterations: 40, totalWaitMs: 900, maxWaitMs: 120, lowestLimit: 32, engaged: 1 });
    expect(report.generator.overloaded).toBe(true);
    expect(report.warnings.some((w) => w.startsWith('the load generator held back 40 iterations (up to 120 ms each, as few as 32 requests in flight)'))).toBe(true);
    expect(warnings.some((w) => w.startsWith('the load generator is holding back load'))).toBe(true);
    expect(validateReport(report)).toEqual([]);
  });

  it('says nothing, and reports no heldBack, when the pacer held nothing back', async () => {
    const paced = handPacer();
    paced.pacer.openAll();
    const vus = fakeVus({ durationMs: 5 });
    const run = new Run({ plan: plan(hold(300, 2)), registry: createRegistry(), createVu: vus.factory, seed: 1, pacer: paced.pacer });
    const report = await run.start();
    expect(vus.events.filter((e) => e.kind === 'iteration').length).toBeGreaterThan(10);
    expect(report.generator.heldBack).toBeUndefined();
    expect(report.generator.overloaded).toBe(false);
    expect(report.warnings.filter((w) => w.includes('held back'))).toEqual([]);
  });
});

describe('what the generator held back, in its health', () => {
  const lag = { p99Ms: 5, maxMs: 9 };
  const counts = (started: number) => ({ started, late: 0, dropped: 0 });

  it('marks the generator overloaded once it held back more than a twentieth of the iterations started', () => {
    expect(heldBackMuch({ requests: 50, iterations: 0 }, 1_000)).toBe(false);
    expect(heldBackMuch({ requests: 30, iterations: 21 }, 1_000)).toBe(true);
    // A handful is not worth saying, whatever the share.
    expect(heldBackMuch({ requests: 4, iterations: 0 }, 1)).toBe(false);
    expect(heldBackMuch(undefined, 1)).toBe(false);
    const few = { ...none, requests: 10, maxWaitMs: 3 };
    expect(generatorHealth(lag, counts(1_000), undefined, few)).toMatchObject({ overloaded: false, heldBack: few });
    expect(generatorHealth(lag, counts(100), undefined, few).overloaded).toBe(true);
    expect(generatorHealth(lag, counts(100), undefined, none).heldBack).toBeUndefined();
  });

  it('adds up over the shards of a scaled-out run, the lowest limit being the lowest shard\'s', () => {
    const a = generatorHealth(lag, counts(100), undefined, { requests: 10, iterations: 100, totalWaitMs: 500, maxWaitMs: 40, lowestLimit: 64, engaged: 1 });
    const b = generatorHealth(lag, counts(100), undefined, { requests: 5, iterations: 0, totalWaitMs: 20, maxWaitMs: 90, lowestLimit: 32, engaged: 2 });
    const c = generatorHealth(lag, counts(100));
    expect(mergeHealth([a, b, c]).heldBack).toEqual({ requests: 15, iterations: 100, totalWaitMs: 520, maxWaitMs: 90, lowestLimit: 32, engaged: 3 });
    expect(mergeHealth([c, c]).heldBack).toBeUndefined();
  });

  it('is told in the summary, with the waits kept out of the latency', () => {
    const g = generatorHealth(lag, counts(100), undefined, { requests: 1_200, iterations: 35_000, totalWaitMs: 9e5, maxWaitMs: 850, lowestLimit: 48, engaged: 1 });
    expect(generatorExtras(g)).toContain('held back 35,000 iterations and 1,200 requests to keep its event loop on time (waits up to 850ms, not in http.latency; as few as 48 requests in flight)');
  });
});
