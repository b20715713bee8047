/**
 * The run's pacer (the limit on requests in flight, src/http/in-flight-limit.ts) as the engine uses
 * it: closed-model VUs wait for its room between iterations, the stop lets them go, and the report
 * and the live warnings say what it held back.
 */
import { describe, expect, it } from 'vitest';
import { createRegistry, selectSeries } from '../../../src/metrics/index.js';
import { METRIC } from '../../../src/metrics/catalogue.js';
import { Run } from '../../../src/engine/run.js';
import { generatorHealth, heldBackMuch, overloadWarnings } from '../../../src/engine/health.js';
import type { Pacer } from '../../../src/engine/run-options.js';
import type { RoomWaiter } from '../../../src/http/index.js';
import { mergeHealth } from '../../../src/distributed/shards.js';
import { generatorExtras, overloadNote } from '../../../src/report/format.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { renderHtml } from '../../../src/report/html/render.js';
import { compareReports } from '../../../src/report/compare.js';
import { sampleReport } from '../report/fixture-report.js';
import type { HeldBackReport } from '../../../src/report/model.js';
import type { ClosedLoad } from '../../../src/scenario/plan.js';
import { fakeVus, plan } from './fixtures.js';
import { validateReport } from '../../support/report-schema.js';

const none: HeldBackReport = { requests: 0, iterations: 0, totalWaitMs: 0, maxWaitMs: 0, lowestLimit: 0, engaged: 0 };

/** A pacer whose room the test opens one iteration at a time. */
function handPacer(stats: HeldBackReport = none): { pacer: Pacer; waiting: () => number; parked: () => readonly RoomWaiter[]; release(n: number): void; opened: () => number } {
  const waiting: RoomWaiter[] = [];
  let open = false;
  let opened = 0;
  return {
    pacer: {
      park: (w) => {
        if (open) return false;
        waiting.push(w);
        return true;
      },
      openAll: () => {
        opened++;
        open = true;
        for (const w of waiting.splice(0)) w.go(0);
      },
      stats: () => stats,
    },
    waiting: () => waiting.length,
    parked: () => [...waiting],
    release: (n) => {
      for (const w of waiting.splice(0, n)) w.go(1);
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

  it('a held-back VU waits as itself, the same waiter at every wait, and goes on only after the pacer returns', async () => {
    const paced = handPacer();
    const vus = fakeVus({ durationMs: 1 });
    const run = new Run({ plan: plan(hold(400, 2)), registry: createRegistry(), createVu: vus.factory, seed: 1, pacer: paced.pacer, intervalMs: 100 });
    const done = run.start();
    await new Promise((r) => setTimeout(r, 100));
    const first = paced.parked();
    expect(first).toHaveLength(2);
    const iterations = (): number => vus.events.filter((e) => e.kind === 'iteration').length;
    paced.release(2);
    // Not from inside the pacer's own call: the iteration starts in a microtask after it.
    expect(iterations()).toBe(0);
    await Promise.resolve();
    expect(iterations()).toBe(2);
    await new Promise((r) => setTimeout(r, 60));
    // Both waited again, as the same objects: nothing is allocated per wait.
    expect(new Set(paced.parked())).toEqual(new Set(first));
    await done;
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

describe('what an overloaded generator means for the numbers, in every report', () => {
  const base = sampleReport();
  const laggy = { ...base.generator, overloaded: true, eventLoopLagP99Ms: 180 };
  const held = { ...base.generator, overloaded: true, eventLoopLagP99Ms: 31, heldBack: { requests: 0, iterations: 90_000, totalWaitMs: 4e7, maxWaitMs: 900, lowestLimit: 64, engaged: 1 } };

  it('says the latencies are the service\'s when the generator kept its loop on time by holding load back', () => {
    expect(overloadNote(base.generator)).toBeUndefined();
    expect(overloadNote(laggy)).toBe('the load generator was overloaded: latencies may include its own delay');
    expect(overloadNote(held)).toContain('held back load to keep its event loop on time: latencies are the service\'s, but the request rate is the generator\'s ceiling');
    // Held back, and late all the same: its latencies are not to be trusted.
    expect(overloadNote({ ...held, eventLoopLagP99Ms: 80 })).toBe(overloadNote(laggy));
  });

  it('is the note of the Markdown and HTML reports and of a comparison', () => {
    const r = sampleReport({ generator: held });
    const note = overloadNote(held) as string;
    expect(renderMarkdown(r)).toContain('held back load to keep its event loop on time');
    expect(renderHtml(r)).toContain('held back load to keep its event loop on time');
    expect(compareReports(sampleReport({ generator: laggy }), r).warnings).toEqual(expect.arrayContaining([`baseline: ${overloadNote(laggy) as string}`, `current run: ${note}`]));
  });
});

describe('the warnings of an overloaded generator at the end of its run', () => {
  const lag = (p99Ms: number) => ({ p99Ms, maxMs: p99Ms * 2 });
  const heldMuch = { requests: 0, iterations: 500, totalWaitMs: 9_000, maxWaitMs: 80, lowestLimit: 40, engaged: 1 };

  it('says only what it held back when its loop stayed on time', () => {
    const counts = { started: 1_000, late: 0, dropped: 0 };
    const w = overloadWarnings(generatorHealth(lag(20), counts, undefined, heldMuch), counts);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^the load generator held back 500 iterations/);
  });

  it('says its latencies include its own delay too when its loop ran late or its arrivals started late all the same', () => {
    const counts = { started: 1_000, late: 0, dropped: 0 };
    const laggy = overloadWarnings(generatorHealth(lag(120), counts, undefined, heldMuch), counts);
    expect(laggy).toHaveLength(2);
    expect(laggy[1]).toBe('the load generator was overloaded (event-loop lag p99 120.0 ms, 0 late arrivals): latencies may include the generator\'s own delay');
    const lateCounts = { started: 1_000, late: 200, dropped: 0 };
    expect(overloadWarnings(generatorHealth(lag(20), lateCounts, undefined, heldMuch), lateCounts)).toHaveLength(2);
  });

  it('says nothing of a generator that kept up', () => {
    const counts = { started: 1_000, late: 0, dropped: 0 };
    expect(overloadWarnings(generatorHealth(lag(20), counts), counts)).toEqual([]);
    expect(overloadWarnings(generatorHealth(lag(20), counts, undefined, { ...heldMuch, iterations: 3 }), counts)).toEqual([]);
  });
});
