/** How a finished run is judged: its verdict, its exit code (DESIGN.md) and the generator's health. */
import type { GeneratorHealth, ThresholdResult, Verdict, WarmUpReport } from '../report/model.js';
import type { LagStats } from './lag-monitor.js';
import { EXIT } from '../exit-codes.js';

/** Event-loop lag p99 above this (ms) marks the generator overloaded. */
export const OVERLOAD_LAG_MS = 50;
/** More than this fraction of late arrivals (and at least {@link OVERLOAD_MIN_LATE}) marks it overloaded too. */
export const OVERLOAD_LATE_FRACTION = 0.05;
export const OVERLOAD_MIN_LATE = 5;

/** The exit code of a finished run: 0 passed, 1 failed, 130/143 aborted by SIGINT/SIGTERM, 1 other aborts. */
export function exitCodeFor(verdict: Verdict, abortedBy?: string): number {
  if (verdict === 'passed') return EXIT.OK;
  if (verdict === 'aborted' && abortedBy === 'SIGINT') return EXIT.SIGINT;
  if (verdict === 'aborted' && abortedBy === 'SIGTERM') return EXIT.SIGTERM;
  // The generator ran out of memory: an engine error, whatever the service did (the report is kept).
  if (verdict === 'aborted' && abortedBy === 'memory') return EXIT.ENGINE;
  return EXIT.FAILED;
}

/**
 * The verdict: a threshold that stopped the run or a failed setup → failed; any other abort →
 * aborted; failures that no threshold accepts (src/thresholds/failure-bounds.ts: nothing answered,
 * too many failed journeys or requests) → failed, whatever the thresholds say; otherwise passed
 * when every threshold passed. An abortOnFail threshold that stopped the run gives `failed`, not
 * `aborted`: the verdict is a judgement of the service, and that threshold judged it.
 */
export function decideVerdict(s: {
  thresholdAbort: boolean;
  aborted: boolean;
  setupFailed: boolean;
  thresholds: readonly ThresholdResult[];
  tooManyFailures?: boolean;
}): Verdict {
  if (s.thresholdAbort) return 'failed';
  if (s.aborted) return 'aborted';
  if (s.setupFailed) return 'failed';
  if (s.tooManyFailures === true) return 'failed';
  return s.thresholds.every((t) => t.passed) ? 'passed' : 'failed';
}

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
