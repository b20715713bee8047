import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';

/** Event-loop lag and garbage-collection pauses of the generator itself, in ms. */
export interface LagStats {
  readonly p99Ms: number;
  readonly maxMs: number;
  /** GC pauses while the monitor ran. */
  readonly gc: { readonly count: number; readonly maxMs: number; readonly totalMs: number };
}

/**
 * Measures event-loop delay (perf_hooks monitorEventLoopDelay) and GC pauses (perf_hooks `gc`
 * entries) while a run is going: a busy or overloaded generator shows up here rather than as a
 * slow server.
 * @param resolutionMs sampling resolution (default 10 ms).
 */
export function createLagMonitor(resolutionMs = 10): { start(): void; stop(): LagStats; peek(): LagStats } {
  let h: IntervalHistogram | undefined;
  let obs: PerformanceObserver | undefined;
  const gc = { count: 0, maxMs: 0, totalMs: 0 };
  const read = (): LagStats => {
    const pauses = { count: gc.count, maxMs: round3(gc.maxMs), totalMs: round3(gc.totalMs) };
    if (!h || h.count === 0) return { p99Ms: 0, maxMs: 0, gc: pauses };
    // The histogram includes the sampling period itself; subtract it so an idle loop reads ~0.
    const adj = (ns: number): number => Math.max(0, ns / 1e6 - resolutionMs);
    return { p99Ms: adj(h.percentile(99)), maxMs: adj(h.max), gc: pauses };
  };
  return {
    start(): void {
      h = monitorEventLoopDelay({ resolution: resolutionMs });
      h.enable();
      obs = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          gc.count++;
          gc.totalMs += e.duration;
          if (e.duration > gc.maxMs) gc.maxMs = e.duration;
        }
      });
      obs.observe({ entryTypes: ['gc'] });
    },
    stop(): LagStats {
      obs?.disconnect();
      const s = read();
      h?.disable();
      return s;
    },
    peek: read,
  };
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;
