/**
 * The load generator's health over a run: whether it kept up (event-loop lag, late arrivals). The
 * run's verdict and exit code are the judge's (src/thresholds/judge/).
 */
import type { GeneratorHealth, WarmUpReport } from '../report/model.js';
import type { LagStats } from './lag-monitor.js';

/** Event-loop lag p99 above this (ms) marks the generator overloaded. */
export const OVERLOAD_LAG_MS = 50;
/** More than this fraction of late arrivals (and at least {@link OVERLOAD_MIN_LATE}) marks it overloaded too. */
export const OVERLOAD_LATE_FRACTION = 0.05;
export const OVERLOAD_MIN_LATE = 5;

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** What the generator saw of itself; `overloaded` by event-loop lag or the share of late arrivals. */
export function generatorHealth(
  lag: Pick<LagStats, 'p99Ms' | 'maxMs'> & Partial<Pick<LagStats, 'gc'>>,
  counts: { started: number; late: number; dropped: number },
  warmUp?: WarmUpReport,
): GeneratorHealth {
  const lateFrac = counts.started > 0 ? counts.late / counts.started : 0;
  return {
    lateArrivals: counts.late,
    droppedArrivals: counts.dropped,
    eventLoopLagP99Ms: round3(lag.p99Ms),
    eventLoopLagMaxMs: round3(lag.maxMs),
    overloaded: lag.p99Ms > OVERLOAD_LAG_MS || (counts.late >= OVERLOAD_MIN_LATE && lateFrac > OVERLOAD_LATE_FRACTION),
    ...(lag.gc !== undefined ? { gc: lag.gc } : {}),
    ...(warmUp !== undefined ? { warmUp } : {}),
  };
}
