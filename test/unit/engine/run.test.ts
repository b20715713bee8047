import { describe, expect, it } from 'vitest';
import { createRegistry, selectSeries } from '../../../src/metrics/index.js';
import type { MetricsSnapshot } from '../../../src/metrics/types.js';
import { METRIC } from '../../../src/metrics/catalogue.js';
import { Run } from '../../../src/engine/run.js';
import { exitCodeFor } from '../../../src/thresholds/judge/verdict.js';
import type { IntervalUpdate, Output, Report, RunInfo } from '../../../src/report/model.js';
import type { OpenLoad, OpenPhase } from '../../../src/scenario/plan.js';
import type { Clock, VuFactory } from '../../../src/engine/types.js';
import { fakeVus as recordingVus, journey, logStep, plan, threshold } from './fixtures.js';

/**
 * The one clock of these tests: every Run is given it, the fake VUs stamp their events with it, and
 * the tests time the runs on it. It counts from the module's start rather than from the epoch, so a
 * reading taken from another clock (Date.now) would be off by decades, not by a few flaky ms.
 */
const clock: Clock = { now: () => performance.now() };
const fakeVus = (o: Parameters<typeof recordingVus>[0] = {}): ReturnType<typeof recordingVus> => recordingVus({ clock, ...o });

const phase = (p: Partial<OpenPhase> & { durationMs: number }): OpenPhase => ({ name: 'p', rate: 0, pause: false, onStart: [], onEnd: [], ...p });
const open = (phases: OpenPhase[], maxVus = 100): OpenLoad => ({ model: 'open', phases, maxVus, spacing: 'uniform' });
const total = (snap: MetricsSnapshot, metric: string, filter = {}): number => selectSeries(snap, metric, filter).reduce((s, x) => s + x.sum, 0);

async function runIt(p: Parameters<typeof plan>[0], over: Parameters<typeof plan>[1] = {}, vus = fakeVus(), outputs: Output[] = [], extra: { intervalMs?: number; stopWhen?: () => string | undefined } = {}) {
  const registry = createRegistry();
  const run = new Run({ clock, plan: plan(p, over), registry, createVu: vus.factory, outputs, seed: 1, ...extra });
  const report = await run.start();
  return { run, report, registry, events: vus.events };
}

/** The index of the largest of `xs`. */
const worstOf = (xs: readonly number[]): number => xs.indexOf(Math.max(...xs));

describe('Run (open model)', () => {
  it('starts every planned arrival on schedule and picks journeys by weight', async () => {
    const { report, registry, events } = await runIt(open([phase({ name: 'steady', durationMs: 1000, rate: 40 })]), {
      journeys: [journey('a', 3), journey('b', 1)],
    });
    const its = events.filter((e) => e.kind === 'iteration');
    expect(its).toHaveLength(40);
    const a = its.filter((e) => e.journey === 'a').length;
    expect(a).toBeGreaterThan(20);
    expect(a).toBeLessThan(38);
    // each arrival ran no earlier than scheduled, and close to it
    for (const e of its) {
      expect(e.scheduledAt).toBeDefined();
      expect(e.at).toBeGreaterThanOrEqual(Math.floor(e.scheduledAt!) - 1);
      expect(e.at - e.scheduledAt!).toBeLessThan(60);
    }
    expect(total(registry.cumulative(), METRIC.journeysStarted)).toBe(40);
    expect(report.verdict).toBe('passed');
    expect(report.exitCode).toBe(0);
    expect(report.phases.map((x) => x.name)).toEqual(['steady']);
    expect(report.journeys?.find((j) => j.name === 'a')?.started).toBe(a);
  });

  it('keeps the arrival rate when journeys get slow (no coordinated omission)', async () => {
    const { events } = await runIt(open([phase({ durationMs: 1000, rate: 50 })]), {}, fakeVus({ durationMs: 400 }));
    const its = events.filter((e) => e.kind === 'iteration');
    expect(its).toHaveLength(50);
    const first = its[0]!.at;
    expect(its.filter((e) => e.at - first < 500).length).toBeGreaterThanOrEqual(23);
  });

  it('starts arrivals that fell due while the loop was blocked as one batch, counted late, none lost', async () => {
    let blocked = false;
    let block = { from: 0, to: 0 };
    const vus = fakeVus();
    const blocking = (o: Parameters<typeof vus.factory>[0]) => {
      const vu = vus.factory(o);
      return {
        ...vu,
        runIteration: async (j: Parameters<typeof vu.runIteration>[0], at?: number) => {
          if (!blocked && o.id === 5) {
            blocked = true;
            const until = clock.now() + 150;
            block = { from: clock.now(), to: until };
            while (clock.now() < until) {
              // the generator's own event loop is stuck
            }
          }
          return vu.runIteration(j, at);
        },
      };
    };
    const registry = createRegistry();
    const run = new Run({ clock, plan: plan(open([phase({ durationMs: 1000, rate: 50 })])), registry, createVu: blocking, seed: 1 });
    const report = await run.start();
    const its = vus.events.filter((e) => e.kind === 'iteration');
    expect(its).toHaveLength(50);
    expect(report.generator.lateArrivals).toBeGreaterThanOrEqual(5);
    expect(report.generator.eventLoopLagMaxMs).toBeGreaterThan(100);
    // the ones that fell due during the block started together right after it, not spread out by a
    // fixed sleep (only those: a busy machine may make others a little late too)
    const late = its.filter((e) => e.scheduledAt! > block.from && e.scheduledAt! < block.to);
    expect(late.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...late.map((e) => e.at)) - Math.min(...late.map((e) => e.at))).toBeLessThan(20);
  });

  it('counts arrivals beyond maxVus as dropped', async () => {
    const { report, registry } = await runIt(open([phase({ durationMs: 500, rate: 20 })], 3), {}, fakeVus({ durationMs: 2000 }));
    const snap = registry.cumulative();
    expect(total(snap, METRIC.journeysStarted)).toBe(3);
    expect(total(snap, METRIC.journeysDropped)).toBe(7);
    expect(report.generator.droppedArrivals).toBe(7);
    expect(report.warnings.some((w) => w.includes('dropped'))).toBe(true);
  });

  it('gives running journeys the graceful stop, then interrupts them', async () => {
    const t0 = clock.now();
    const { registry } = await runIt(open([phase({ durationMs: 200, arrivals: 2 })]), { gracefulStopMs: 300 }, fakeVus({ durationMs: 60_000 }));
    expect(clock.now() - t0).toBeLessThan(2500);
    expect(total(registry.cumulative(), METRIC.journeysInterrupted)).toBe(2);
  });

  it('runs setup before the load (captures visible to journeys), hooks at phase boundaries, teardown after', async () => {
    const vus = fakeVus({ captures: { token: 't-1' } });
    const { events } = await runIt(
      open([phase({ name: 'one', durationMs: 300, arrivals: 2, onStart: [logStep('start-one')], onEnd: [logStep('end-one')] }), phase({ name: 'two', durationMs: 300, arrivals: 1 })]),
      { setup: [logStep('setup')], teardown: [logStep('teardown')], variables: { base: 'x' } },
      vus,
    );
    const order = events.filter((e) => e.kind !== 'close').map((e) => (e.kind === 'steps' ? (e.steps?.[0] as { message: { source: string } }).message.source : `it:${e.phase}`));
    expect(order).toEqual(['setup', 'start-one', 'it:one', 'it:one', 'end-one', 'it:two', 'teardown']);
    const it1 = events.find((e) => e.kind === 'iteration')!;
    expect(it1.globals).toMatchObject({ token: 't-1', base: 'x' });
  });

  it('abort(SIGINT) stops within a second, still runs teardown, and marks the report aborted', async () => {
    const registry = createRegistry();
    const vus = fakeVus({ durationMs: 5000 });
    const run = new Run({ clock, plan: plan(open([phase({ durationMs: 20_000, rate: 10 })]), { teardown: [logStep('teardown')] }), registry, createVu: vus.factory, seed: 1 });
    const done = run.start();
    await new Promise((r) => setTimeout(r, 500));
    const t = clock.now();
    run.abort('SIGINT');
    const report = await done;
    expect(clock.now() - t).toBeLessThan(1000);
    expect(report.verdict).toBe('aborted');
    expect(report.exitCode).toBe(130);
    expect(report.abortReason).toContain('SIGINT');
    expect(vus.events.some((e) => e.kind === 'steps')).toBe(true);
    expect(total(registry.cumulative(), METRIC.journeysInterrupted)).toBeGreaterThan(0);
  });

  it('feeds outputs an update per interval and the report at the end', async () => {
    const updates: IntervalUpdate[] = [];
    let ended: Report | undefined;
    let info: unknown;
    const out: Output = { name: 'spy', start: (i) => void (info = i), interval: (u) => void updates.push(u), end: (r) => void (ended = r) };
    const { report } = await runIt(open([phase({ durationMs: 1000, rate: 20 })]), {}, fakeVus(), [out], { intervalMs: 200 });
    expect(info).toMatchObject({ scenarioName: 'unit', plannedDurationMs: 1000 });
    expect(updates.length).toBeGreaterThanOrEqual(4);
    expect(updates.reduce((s, u) => s + u.point.started, 0)).toBeLessThanOrEqual(20);
    expect(updates.some((u) => u.targetRate === 20)).toBe(true);
    expect(ended).toBe(report);
    expect(report.timeline.reduce((s, p) => s + p.started, 0)).toBe(20);
  });

  it('each timeline point says the generator\'s own longest stall and GC time in that second', async () => {
    // One 300 ms stall of the generator's loop, 500 ms into a 1 s load timed in 200 ms intervals.
    const stall = setTimeout(() => {
      const end = performance.now() + 300;
      while (performance.now() < end);
    }, 500);
    const { report } = await runIt(open([phase({ durationMs: 1000, rate: 20 })]), {}, fakeVus(), [], { intervalMs: 200 });
    clearTimeout(stall);
    expect(report.timeline.length).toBeGreaterThanOrEqual(4);
    for (const p of report.timeline) {
      expect(p.lagMaxMs).toBeGreaterThanOrEqual(0);
      expect(p.gcMs).toBeGreaterThanOrEqual(0);
      expect(p.busy).toBeGreaterThanOrEqual(0);
      expect(p.busy).toBeLessThanOrEqual(1);
    }
    const lags = report.timeline.map((p) => p.lagMaxMs ?? NaN);
    // The interval the stall ran in was busy; some other interval had idle time to spare (20 arrivals a second).
    expect(report.timeline[worstOf(lags)]?.busy).toBeGreaterThan(0.5);
    expect(Math.min(...report.timeline.map((p) => p.busy ?? 1))).toBeLessThan(0.5);
    // The stall is in one interval, not carried into the next: each interval's maximum is its own.
    const worst = worstOf(lags);
    expect(lags[worst]).toBeGreaterThanOrEqual(250);
    expect(lags.filter((l) => l >= 250)).toHaveLength(1);
    expect(report.generator.eventLoopLagMaxMs).toBeGreaterThanOrEqual(lags[worst] as number);
  });

  it('a failing setup skips the load, still runs teardown, and fails the run', async () => {
    const vus = fakeVus();
    const failing = (o: Parameters<typeof vus.factory>[0]) => {
      const vu = vus.factory(o);
      return {
        ...vu,
        runSteps: async (steps: Parameters<typeof vu.runSteps>[0]) => {
          await vu.runSteps(steps);
          if (steps === setup) throw new Error('login: expected status 200, got 401');
          return {};
        },
      };
    };
    const setup = [logStep('setup')];
    const registry = createRegistry();
    const run = new Run({ clock, plan: plan(open([phase({ durationMs: 1000, rate: 10 })]), { setup, teardown: [logStep('teardown')] }), registry, createVu: failing, seed: 1 });
    const report = await run.start();
    expect(report).toMatchObject({ verdict: 'failed', exitCode: 1 });
    expect(report.abortReason).toContain('setup failed: login');
    expect(vus.events.filter((e) => e.kind === 'iteration')).toHaveLength(0);
    expect(vus.events.filter((e) => e.kind === 'steps')).toHaveLength(2);
  });

  it('ends the load early (not aborted) when stopWhen says so', async () => {
    let n = 0;
    const { report, registry } = await runIt(open([phase({ durationMs: 3000, rate: 20 })]), {}, fakeVus(), [], { stopWhen: () => (++n > 5 ? 'data feed users has no unique row left' : undefined) });
    expect(report.verdict).toBe('passed');
    expect(total(registry.cumulative(), METRIC.journeysStarted)).toBeLessThan(20);
    expect(report.warnings.join()).toContain('users');
  });
});

describe('Run (closed model)', () => {
  it('starts many VUs in slices of the event loop, however slow each start is', async () => {
    // Each VU's start (its first iteration up to its first wait) holds the loop 1 ms, as a
    // connection per VU's cold connect and first request do: 60 VUs due at once must not all
    // start in one turn of the event loop, whose timers and responses would wait 60 ms.
    let turn = 0;
    let counting = true;
    const count = (): void => {
      turn++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const turns: number[] = [];
    const factory: VuFactory = () => ({
      async runIteration() {
        turns.push(turn);
        const until = performance.now() + 1;
        while (performance.now() < until);
        await new Promise((r) => setTimeout(r, 5));
        return 'completed';
      },
      async runSteps() {
        return {};
      },
      close() {},
    });
    const registry = createRegistry();
    const stages = [{ name: 'hold', durationMs: 200, target: 60, onStart: [], onEnd: [] }];
    try {
      await new Run({ clock, plan: plan({ model: 'closed', startVus: 60, stages, iterationsPerVu: 1 }), registry, createVu: factory, outputs: [], seed: 1 }).start();
    } finally {
      // The turn counter stops with the run, failed or not.
      counting = false;
    }
    expect(turns).toHaveLength(60);
    const perTurn = new Map<number, number>();
    for (const t of turns) perTurn.set(t, (perTurn.get(t) ?? 0) + 1);
    // At least 1 ms each: a 5 ms slice holds at most five.
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(5);
    expect(perTurn.size).toBeGreaterThanOrEqual(12);
  });

  it('a closed VU whose iterations throw is counted, warned about, and goes on looping', async () => {
    let calls = 0;
    const factory: VuFactory = () => ({
      async runIteration() {
        calls++;
        await new Promise((r) => setTimeout(r, 2));
        throw new Error('engine bug');
      },
      async runSteps() {
        return {};
      },
      close() {},
    });
    const registry = createRegistry();
    const stages = [{ name: 'hold', durationMs: 2000, target: 2, onStart: [], onEnd: [] }];
    const report = await new Run({ clock, plan: plan({ model: 'closed', startVus: 2, stages, iterationsPerVu: 3 }), registry, createVu: factory, outputs: [], seed: 1 }).start();
    expect(calls).toBe(6);
    expect(total(registry.cumulative(), METRIC.journeysStarted)).toBe(6);
    expect(report.warnings).toContain('6 journey iterations ended with an internal error');
    // Every iteration ended in the bookkeeping: the run did not wait out its stage for one still "running".
    expect(report.durationMs).toBeLessThan(1500);
  });

  it('ramps VUs and honours the per-VU cap', async () => {
    const { registry, events } = await runIt(
      { model: 'closed', startVus: 0, stages: [{ name: 'ramp', durationMs: 400, target: 4, onStart: [], onEnd: [] }, { name: 'hold', durationMs: 400, target: 4, onStart: [], onEnd: [] }], iterationsPerVu: 3 },
      {},
      fakeVus({ durationMs: 20 }),
    );
    const its = events.filter((e) => e.kind === 'iteration');
    expect(new Set(its.map((e) => e.vu)).size).toBe(4);
    expect(its).toHaveLength(12);
    expect(total(registry.cumulative(), METRIC.journeysStarted)).toBe(12);
  });

  it('runs stage hooks at the boundaries and tags iterations with the stage', async () => {
    const { events, report } = await runIt(
      {
        model: 'closed',
        startVus: 2,
        stages: [
          { name: 'a', durationMs: 300, target: 2, onStart: [logStep('a-start')], onEnd: [logStep('a-end')] },
          { name: 'b', durationMs: 300, target: 2, onStart: [logStep('b-start')], onEnd: [] },
        ],
      },
      {},
      fakeVus({ durationMs: 40 }),
      [],
      { intervalMs: 100 },
    );
    const label = (e: (typeof events)[number]) => (e.kind === 'steps' ? (e.steps?.[0] as { message: { source: string } }).message.source : `it:${e.phase}`);
    const seq = events.filter((e) => e.kind !== 'close').map(label);
    expect(seq.filter((x) => !x.startsWith('it:'))).toEqual(['a-start', 'a-end', 'b-start']);
    expect(seq.indexOf('it:a')).toBeGreaterThan(seq.indexOf('a-start'));
    expect(seq.indexOf('it:b')).toBeGreaterThan(seq.indexOf('b-start'));
    expect(seq.slice(seq.indexOf('b-start')).includes('it:a')).toBe(false);
    expect(Math.max(...report.timeline.map((p) => p.vus))).toBe(2);
    expect(report.phases.map((p) => p.name)).toEqual(['a', 'b']);
  });

  it('ends when the shared iteration cap is used up', async () => {
    const t0 = clock.now();
    let info: RunInfo | undefined;
    const spy: Output = { name: 'spy', start: (i) => void (info = i) };
    const { events } = await runIt({ model: 'closed', startVus: 3, stages: [{ name: 'hold', durationMs: 10_000, target: 3, onStart: [], onEnd: [] }], iterations: 10 }, {}, fakeVus({ durationMs: 10 }), [spy]);
    expect(events.filter((e) => e.kind === 'iteration')).toHaveLength(10);
    expect(clock.now() - t0).toBeLessThan(3000);
    // The 10 s is a cap, not a plan: announced as such, with no planned duration to count down.
    expect(info?.plannedDurationMs).toBeUndefined();
    expect(info?.phases).toEqual([{ name: 'hold', durationMs: 10_000, iterations: { shared: 10, vus: 3 } }]);
  });

  it('lets VUs finish their iteration on ramp-down', async () => {
    const { registry } = await runIt(
      { model: 'closed', startVus: 2, stages: [{ name: 'down', durationMs: 300, target: 0, onStart: [], onEnd: [] }] },
      { gracefulStopMs: 2000 },
      fakeVus({ durationMs: 250 }),
    );
    expect(total(registry.cumulative(), METRIC.journeysInterrupted)).toBe(0);
  });
});

describe('thresholds', () => {
  it('fails the run when a threshold fails, and abortOnFail stops it', async () => {
    const vus = fakeVus({ durationMs: 5 });
    const t0 = clock.now();
    const { report } = await runIt(
      open([phase({ durationMs: 10_000, rate: 10 })]),
      { thresholds: [threshold(METRIC.journeysStarted, 'count < 3', { fn: 'count' }, '<', 3, { abortOnFail: true })] },
      vus,
      [],
      { intervalMs: 200 },
    );
    expect(clock.now() - t0).toBeLessThan(3000);
    expect(report.verdict).toBe('failed');
    expect(report.exitCode).toBe(1);
    expect(report.thresholds[0]).toMatchObject({ passed: false, aborted: true });
  });

  it('maps verdicts to exit codes', () => {
    expect(exitCodeFor('passed')).toBe(0);
    expect(exitCodeFor('failed')).toBe(1);
    expect(exitCodeFor('aborted', 'SIGINT')).toBe(130);
    expect(exitCodeFor('aborted', 'SIGTERM')).toBe(143);
  });
});

describe('Run (memory guard)', () => {
  it('stops itself when the heap nears its limit: report kept, marked aborted, exit 3', async () => {
    const registry = createRegistry();
    let ticks = 0;
    const heap = (): { used: number; limit: number } => ({ used: ++ticks >= 3 ? 950 : 100, limit: 1000 });
    const t0 = clock.now();
    const run = new Run({ clock, plan: plan(open([phase({ name: 'steady', durationMs: 20_000, rate: 20 })])), registry, createVu: fakeVus().factory, seed: 1, intervalMs: 100, heap });
    const report = await run.start();
    expect(clock.now() - t0).toBeLessThan(10_000);
    expect(report.verdict).toBe('aborted');
    expect(report.exitCode).toBe(3);
    expect(report.abortReason).toMatch(/^memory: the heap reached 0 MiB of 0 MiB: too many VUs for one process — spread them with --workers or shards/);
    expect(report.warnings.join('\n')).toMatch(/memory: the heap reached/);
  });

  it('stops starting VUs in the middle of a burst, before the next snapshot', async () => {
    let calls = 0;
    // Full from the fourth look on: the closed executor looks every 1000 VUs it starts.
    const heap = (): { used: number; limit: number } => ({ used: ++calls >= 4 ? 950 : 100, limit: 1000 });
    const vus = fakeVus({ durationMs: 5000 });
    const run = new Run({
      clock,
      plan: plan({ model: 'closed', startVus: 0, stages: [{ name: 'burst', durationMs: 20_000, target: 50_000, onStart: [], onEnd: [] }] }),
      registry: createRegistry(),
      createVu: vus.factory,
      seed: 1,
      heap,
    });
    const report = await run.start();
    expect(report.exitCode).toBe(3);
    const started = new Set(vus.events.filter((e) => e.kind === 'iteration').map((e) => e.vu)).size;
    expect(started).toBeGreaterThan(1000);
    expect(started).toBeLessThan(5000);
  });

  it('leaves a run alone while the heap stays below the limit', async () => {
    const { report } = await runIt(open([phase({ name: 'steady', durationMs: 300, rate: 10 })]), {}, fakeVus(), [], { intervalMs: 100 });
    expect(report.verdict).toBe('passed');
    expect(exitCodeFor('aborted', 'memory')).toBe(3);
    expect(exitCodeFor('aborted', 'some other reason')).toBe(1);
  });
});

describe('Run (load blocks)', () => {
  it('runs the blocks at once, each starting only its journeys, with its own phase tag and VU ids', async () => {
    const vus = fakeVus({ durationMs: 20 });
    const blocks = {
      model: 'blocks' as const,
      blocks: [
        { name: 'browsers', journeys: ['browse'], load: open([phase({ name: 'browsing', durationMs: 1000, rate: 20 })]) },
        { name: 'buyers', journeys: ['buy'], load: { model: 'closed' as const, startVus: 3, stages: [{ name: 'buying', durationMs: 1000, target: 3, onStart: [], onEnd: [] }] } },
      ],
    };
    const t0 = clock.now();
    const { report, events } = await runIt(blocks, { journeys: [journey('browse'), journey('buy')] }, vus);
    // At once, not one after the other.
    expect(clock.now() - t0).toBeLessThan(1900);
    const its = events.filter((e) => e.kind === 'iteration');
    const browse = its.filter((e) => e.journey === 'browse');
    const buy = its.filter((e) => e.journey === 'buy');
    expect(browse).toHaveLength(20);
    expect(buy.length).toBeGreaterThan(10);
    expect(new Set(browse.map((e) => e.phase))).toEqual(new Set(['browsing']));
    expect(new Set(buy.map((e) => e.phase))).toEqual(new Set(['buying']));
    // Interleaved ids: block 0 odd, block 1 even.
    expect(browse.every((e) => e.vu % 2 === 1)).toBe(true);
    expect(new Set(buy.map((e) => e.vu))).toEqual(new Set([2, 4, 6]));
    expect(report.phases.map((p) => p.name).sort()).toEqual(['browsing', 'buying']);
    expect(report.scenario.model).toBe('blocks');
    expect(report.verdict).toBe('passed');
  });
});
