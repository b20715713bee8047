import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Event-loop lag of the generator itself, in ms. */
export interface LagStats {
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * Measures event-loop delay (perf_hooks monitorEventLoopDelay) while a run is going: a busy or
 * overloaded generator shows up here rather than as a slow server.
 * @param resolutionMs sampling resolution (default 10 ms).
 */
export function createLagMonitor(resolutionMs = 10): { start(): void; stop(): LagStats; peek(): LagStats } {
  let h: IntervalHistogram | undefined;
  const read = (): LagStats => {
    if (!h || h.count === 0) return { p99Ms: 0, maxMs: 0 };
    // The histogram includes the sampling period itself; subtract it so an idle loop reads ~0.
    const adj = (ns: number): number => Math.max(0, ns / 1e6 - resolutionMs);
    return { p99Ms: adj(h.percentile(99)), maxMs: adj(h.max) };
  };
  return {
    start(): void {
      h = monitorEventLoopDelay({ resolution: resolutionMs });
      h.enable();
    },
    stop(): LagStats {
      const s = read();
      h?.disable();
      return s;
    },
    peek: read,
  };
}
