import { monitorEventLoopDelay, performance, PerformanceObserver, type EventLoopUtilization, type IntervalHistogram, type PerformanceEntry } from 'node:perf_hooks';

/** Event-loop lag and garbage-collection pauses of the generator itself, in ms. */
export interface LagStats {
  readonly p99Ms: number;
  readonly maxMs: number;
  /** GC pauses while the monitor ran. */
  readonly gc: { readonly count: number; readonly maxMs: number; readonly totalMs: number };
  /**
   * The share of the time (0–1) the event loop was busy rather than waiting for I/O or timers
   * (`performance.eventLoopUtilization`), from {@link LagMonitor.loadStarted} (else the start) to now.
   */
  readonly busy?: number;
}

/** The generator's own stalls in one interval (a second of the timeline), in ms. */
export interface LagSecond {
  /** The longest event-loop delay seen in the interval. */
  readonly lagMaxMs: number;
  /** Garbage-collection pause time within the interval. */
  readonly gcMs: number;
  /** The share of the interval (0–1) the event loop was busy rather than waiting; absent when the monitor is not running. */
  readonly busy?: number;
}

/** The monitor of one run: whole-run figures (`peek`, `stop`) and each interval's (`second`). */
export interface LagMonitor {
  start(): void;
  /** The load starts now: `busy` is measured from here (before it, the loop waits for connections and idles on purpose). */
  loadStarted(): void;
  stop(): LagStats;
  peek(): LagStats;
  /** The stalls since the previous call (or the start), and starts the next interval. */
  second(): LagSecond;
}

/**
 * Measures event-loop delay (perf_hooks monitorEventLoopDelay) and GC pauses (perf_hooks `gc`
 * entries) while a run is going: a busy or overloaded generator shows up here rather than as a
 * slow server.
 * @param resolutionMs sampling resolution (default 10 ms).
 */
export function createLagMonitor(resolutionMs = 10): LagMonitor {
  let h: IntervalHistogram | undefined;
  // A second's own longest stall comes from a probe timer of its own: the histogram loses the first
  // delay after a reset(), which is the stall when the interval's tick runs before its timer does.
  let probe: NodeJS.Timeout | undefined;
  let lastProbe = 0;
  /** When the last interval ended (`second()`); 0 before the first. */
  let tickAt = 0;
  let secondMaxMs = 0;
  let obs: PerformanceObserver | undefined;
  let elu: EventLoopUtilization | undefined;
  /** The event loop's utilization when the current interval began; undefined while not running. */
  let eluSecond: EventLoopUtilization | undefined;
  const gc = { count: 0, maxMs: 0, totalMs: 0 };
  let gcSecondMs = 0;
  // The longest of the seconds so far: the histogram and the probe sample on timers of their own, so
  // a second's maximum can exceed the whole run's by a fraction of a ms; the run's is never below it.
  let secondsMaxMs = 0;
  const pause = (e: PerformanceEntry): void => {
    gc.count++;
    gc.totalMs += e.duration;
    gcSecondMs += e.duration;
    if (e.duration > gc.maxMs) gc.maxMs = e.duration;
  };
  // The histogram includes the sampling period itself; subtract it so an idle loop reads ~0.
  const adj = (ns: number): number => Math.max(0, ns / 1e6 - resolutionMs);
  const read = (): LagStats => {
    const pauses = { count: gc.count, maxMs: round3(gc.maxMs), totalMs: round3(gc.totalMs) };
    const busy = elu !== undefined ? { busy: round3(performance.eventLoopUtilization(elu).utilization) } : {};
    if (!h || h.count === 0) return { p99Ms: 0, maxMs: secondsMaxMs, gc: pauses, ...busy };
    return { p99Ms: adj(h.percentile(99)), maxMs: Math.max(adj(h.max), secondsMaxMs), gc: pauses, ...busy };
  };
  return {
    start(): void {
      elu = performance.eventLoopUtilization();
      eluSecond = elu;
      h = monitorEventLoopDelay({ resolution: resolutionMs });
      h.enable();
      lastProbe = performance.now();
      probe = setInterval(() => {
        const now = performance.now();
        const whole = now - lastProbe - resolutionMs;
        // A stall the interval's end fell into was counted up to that end by second(). Went on past
        // it (one turn of the loop, the tick's callback in its middle), the stall is this interval's
        // too, at its whole length: it ended here. Ended right at the tick, only what came after is.
        const late = tickAt > lastProbe && now - tickAt < resolutionMs ? now - tickAt - resolutionMs : whole;
        secondMaxMs = Math.max(secondMaxMs, late);
        lastProbe = now;
      }, resolutionMs);
      probe.unref();
      obs = new PerformanceObserver((list) => list.getEntries().forEach(pause));
      obs.observe({ entryTypes: ['gc'] });
    },
    loadStarted(): void {
      elu = performance.eventLoopUtilization();
    },
    stop(): LagStats {
      obs?.disconnect();
      const s = read();
      eluSecond = undefined;
      h?.disable();
      clearInterval(probe);
      probe = undefined;
      return s;
    },
    peek: read,
    second(): LagSecond {
      // A GC entry is delivered after its pause: take what the observer has not handed over yet.
      obs?.takeRecords().forEach(pause);
      // A stall the probe has not seen yet (it ended just before this tick, or this tick runs in its
      // middle) belongs to this second up to now; the probe tells the two apart (see above).
      const now = performance.now();
      const pending = probe !== undefined ? now - lastProbe - resolutionMs : 0;
      tickAt = now;
      let busy: { busy: number } | undefined;
      if (eluSecond !== undefined) {
        const u = performance.eventLoopUtilization();
        busy = { busy: round3(performance.eventLoopUtilization(u, eluSecond).utilization) };
        eluSecond = u;
      }
      const out = { lagMaxMs: round3(Math.max(0, secondMaxMs, pending)), gcMs: round3(gcSecondMs), ...busy };
      secondsMaxMs = Math.max(secondsMaxMs, out.lagMaxMs);
      secondMaxMs = 0;
      gcSecondMs = 0;
      return out;
    },
  };
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;
