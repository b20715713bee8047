import { afterEach, describe, expect, it, vi } from 'vitest';
import { droppedWarning, droppedWhileBusy, generatorHealth, missedWhileBusy, OVERLOAD_BUSY, overloadWarnings } from '../../../src/engine/health.js';
import { decideVerdict } from '../../../src/thresholds/judge/verdict.js';
import { requestsAnswered } from '../../../src/thresholds/judge/failure-bounds.js';
import { startTicker } from '../../../src/engine/ticker.js';
import type { ThresholdResult } from '../../../src/thresholds/judge/types.js';

const th = (passed: boolean): ThresholdResult => ({ key: 'k', metric: 'm', filter: {}, expression: 'e', passed, observed: 1, abortOnFail: false });

describe('verdict', () => {
  it('fails on a failed threshold, an abortOnFail stop or a failed setup; aborts on other stops', () => {
    const base = { thresholdAbort: false, aborted: false, setupFailed: false, thresholds: [th(true)] };
    expect(decideVerdict(base)).toBe('passed');
    expect(decideVerdict({ ...base, thresholds: [th(true), th(false)] })).toBe('failed');
    expect(decideVerdict({ ...base, thresholdAbort: true, aborted: true })).toBe('failed');
    expect(decideVerdict({ ...base, aborted: true })).toBe('aborted');
    expect(decideVerdict({ ...base, setupFailed: true })).toBe('failed');
  });

  it('calls the generator overloaded on lag or on many late arrivals, not on a handful', () => {
    expect(generatorHealth({ p99Ms: 80, maxMs: 120 }, { started: 100, late: 0, dropped: 0 }).overloaded).toBe(true);
    expect(generatorHealth({ p99Ms: 2, maxMs: 30 }, { started: 1000, late: 4, dropped: 0 }).overloaded).toBe(false);
    expect(generatorHealth({ p99Ms: 2, maxMs: 30 }, { started: 100, late: 6, dropped: 0 }).overloaded).toBe(true);
    expect(generatorHealth({ p99Ms: 1.23456, maxMs: 3 }, { started: 1, late: 0, dropped: 2 })).toMatchObject({ eventLoopLagP99Ms: 1.235, droppedArrivals: 2 });
  });

  it('calls it overloaded when arrivals were dropped or late while its loop had no idle time, not when a slow service kept the VUs', () => {
    // 100,000/s asked of one core: 15,000/s started, the rest dropped at maxVus, the loop busy throughout, its lag short.
    const saturated = generatorHealth({ p99Ms: 18, maxMs: 28, busy: 0.997 }, { started: 72_000, late: 3_000, dropped: 427_000 });
    expect(saturated).toMatchObject({ overloaded: true, eventLoopBusy: 0.997 });
    // The same drops behind a service answering in 500 ms: the loop idles while its VUs wait.
    expect(generatorHealth({ p99Ms: 2, maxMs: 4, busy: 0.08 }, { started: 600, late: 0, dropped: 2_400 }).overloaded).toBe(false);
    // A busy loop that started every arrival on time (a saturated closed loop, or a fast open one).
    expect(generatorHealth({ p99Ms: 3, maxMs: 9, busy: 0.99 }, { started: 50_000, late: 10, dropped: 0 }).overloaded).toBe(false);
    // A handful dropped at the very start is no overload either.
    expect(generatorHealth({ p99Ms: 3, maxMs: 9, busy: 0.95 }, { started: 50_000, late: 2, dropped: 2 }).overloaded).toBe(false);
    expect(missedWhileBusy({ started: 100, late: 3, dropped: 3 }, OVERLOAD_BUSY)).toBe(true);
    expect(missedWhileBusy({ started: 100, late: 3, dropped: 3 }, OVERLOAD_BUSY - 0.01)).toBe(false);
    expect(missedWhileBusy({ started: 100, late: 3, dropped: 3 }, undefined)).toBe(false);
  });

  it('calls it overloaded when the arrivals were dropped in seconds its loop was busy, though the whole load was not', () => {
    // 10,000/s: four seconds behind (the loop busy throughout, 4,000 drops each), then caught up and idle half the time.
    const timeline = [
      ...Array.from({ length: 4 }, () => ({ dropped: 4_000, busy: 0.99 })),
      ...Array.from({ length: 6 }, () => ({ dropped: 0, busy: 0.45 })),
    ];
    const counts = { started: 84_000, late: 1_200, dropped: 16_000 };
    expect(droppedWhileBusy(timeline)).toBe(16_000);
    expect(generatorHealth({ p99Ms: 26, maxMs: 46, busy: 0.83 }, counts).overloaded).toBe(false);
    expect(generatorHealth({ p99Ms: 26, maxMs: 46, busy: 0.83 }, counts, undefined, undefined, droppedWhileBusy(timeline)).overloaded).toBe(true);
    // The same drops in seconds the loop idled (a slow service held the VUs): the service's.
    const idle = timeline.map((p) => ({ ...p, busy: 0.3 }));
    expect(droppedWhileBusy(idle)).toBe(0);
    expect(generatorHealth({ p99Ms: 26, maxMs: 46, busy: 0.3 }, counts, undefined, undefined, droppedWhileBusy(idle)).overloaded).toBe(false);
    // Seconds without a busy figure (a report of an older version, a library caller) count as not busy.
    expect(droppedWhileBusy([{ dropped: 500 }, { dropped: 7, busy: OVERLOAD_BUSY }])).toBe(7);
    expect(missedWhileBusy({ started: 100, late: 0, dropped: 6 }, 0.5, 6)).toBe(true);
    expect(missedWhileBusy({ started: 100, late: 0, dropped: 6 }, 0.5, 5)).toBe(false);
  });

  it('tells whose the dropped arrivals were: the generator\'s when its loop was busy, else asks for a higher maxVus', () => {
    expect(droppedWarning(2_400, 0)).toBe('2400 arrivals dropped: maxVus reached (raise load.maxVus or lower the rate)');
    expect(droppedWarning(16_000, 15_000)).toBe(
      "16000 arrivals dropped: maxVus reached, 15000 of them in seconds the load generator's event loop was busy at least 90 %: there one core could not start them, and a higher maxVus would only add journeys waiting for it; lower the rate per process (--workers, shards)",
    );
    const counts = { started: 84_000, late: 1_200, dropped: 16_000 };
    const [w] = overloadWarnings(generatorHealth({ p99Ms: 26, maxMs: 46, busy: 0.83 }, counts, undefined, undefined, 16_000), counts, 16_000);
    expect(w).toBe(
      "the load generator was overloaded (event loop busy 83 % of the load, event-loop lag p99 26.0 ms, 1200 late and 16000 dropped arrivals): it could not start the planned arrivals on time, 16000 of them dropped in seconds its event loop was busy at least 90 %, and latencies may include the generator's own delay",
    );
  });

  it('says why in its warning: how busy, how many late and dropped', () => {
    const counts = { started: 72_000, late: 3_000, dropped: 427_000 };
    const [w] = overloadWarnings(generatorHealth({ p99Ms: 18, maxMs: 28, busy: 0.997 }, counts), counts);
    expect(w).toBe(
      "the load generator was overloaded (event loop busy 100 % of the load, event-loop lag p99 18.0 ms, 3000 late and 427000 dropped arrivals): it could not start the planned arrivals on time, and latencies may include the generator's own delay",
    );
    const lagOnly = { started: 100, late: 0, dropped: 0 };
    expect(overloadWarnings(generatorHealth({ p99Ms: 80, maxMs: 120 }, lagOnly), lagOnly)).toEqual([
      "the load generator was overloaded (event-loop lag p99 80.0 ms, 0 late arrivals): latencies may include the generator's own delay",
    ]);
  });
});

describe('a run that reached nothing', () => {
  const series = (status: string, sum: number) => ({ metric: 'http.requests', type: 'counter' as const, unit: 'count' as const, tags: { step: 's', status }, count: sum, sum, min: 1, max: 1 });

  it('counts requests with and without an HTTP answer', () => {
    const snap = { startMs: 0, endMs: 1000, series: [series('0', 7), series('200', 3), series('503', 2)] };
    expect(requestsAnswered(snap)).toEqual({ sent: 12, answered: 5 });
    expect(requestsAnswered({ startMs: 0, endMs: 1000, series: [series('0', 4)] })).toEqual({ sent: 4, answered: 0 });
  });

  it('leaves out the requests rampart cut itself (a signal, a run stopping): they say nothing of the target', () => {
    const cut = { ...series('0', 9), tags: { step: 's', status: '0', error: 'aborted' } };
    const refused = { ...series('0', 2), tags: { step: 's', status: '0', error: 'refused' } };
    expect(requestsAnswered({ startMs: 0, endMs: 1000, series: [cut] })).toEqual({ sent: 0, answered: 0 });
    expect(requestsAnswered({ startMs: 0, endMs: 1000, series: [cut, refused] })).toEqual({ sent: 2, answered: 0 });
  });

  it('fails even when every threshold passed', () => {
    const base = { thresholdAbort: false, aborted: false, setupFailed: false, thresholds: [th(true)] };
    expect(decideVerdict({ ...base, tooManyFailures: true })).toBe('failed');
    expect(decideVerdict({ ...base, tooManyFailures: false })).toBe('passed');
    // an interrupted run stays aborted (the signal's exit code wins)
    expect(decideVerdict({ ...base, aborted: true, tooManyFailures: true })).toBe('aborted');
  });
});

describe('ticker', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ticks on absolute instants even when a tick is slow', () => {
    // Fake timers and a clock that a slow tick pushes forward: exact, whatever the machine's load.
    vi.useFakeTimers();
    let skew = 0;
    const clock = { now: () => Date.now() + skew };
    const start = clock.now();
    const at: number[] = [];
    const t = startTicker(clock, start, 50, () => {
      at.push(clock.now() - start);
      if (at.length === 1) skew += 30; // the first tick takes 30 ms
    });
    vi.advanceTimersByTime(210);
    t.stop();
    // the k-th tick lands at k·50 ms of the clock, not k·(50 + 30)
    expect(at).toEqual([50, 100, 150, 200]);
    vi.advanceTimersByTime(200);
    expect(at).toHaveLength(4);
  });
});
