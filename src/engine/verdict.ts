/** How a finished run is judged: its verdict, its exit code (DESIGN.md) and the generator's health. */
import type { GeneratorHealth, ThresholdResult, Verdict, WarmUpReport } from '../report/model.js';
import type { LagStats } from './lag-monitor.js';
import { METRIC, type MetricsSnapshot } from '../metrics/types.js';

/** Event-loop lag p99 above this (ms) marks the generator overloaded. */
export const OVERLOAD_LAG_MS = 50;
/** More than this fraction of late arrivals (and at least {@link OVERLOAD_MIN_LATE}) marks it overloaded too. */
export const OVERLOAD_LATE_FRACTION = 0.05;
export const OVERLOAD_MIN_LATE = 5;

/** The exit code of a finished run: 0 passed, 1 failed, 130/143 aborted by SIGINT/SIGTERM, 1 other aborts. */
export function exitCodeFor(verdict: Verdict, abortedBy?: string): number {
  if (verdict === 'passed') return 0;
  if (verdict === 'aborted' && abortedBy === 'SIGINT') return 130;
  if (verdict === 'aborted' && abortedBy === 'SIGTERM') return 143;
  // The generator ran out of memory: an engine error, whatever the service did (the report is kept).
  if (verdict === 'aborted' && abortedBy === 'memory') return 3;
  return 1;
}

/**
 * The verdict: a threshold that stopped the run or a failed setup → failed; any other abort →
 * aborted; a run whose requests never got an HTTP answer → failed, whatever its thresholds say (a
 * latency threshold alone would otherwise pass against a target that is down); otherwise passed
 * when every threshold passed.
 */
export function decideVerdict(s: {
  thresholdAbort: boolean;
  aborted: boolean;
  setupFailed: boolean;
  thresholds: readonly ThresholdResult[];
  reachedNothing?: boolean;
}): Verdict {
  if (s.thresholdAbort) return 'failed';
  if (s.aborted) return 'aborted';
  if (s.setupFailed) return 'failed';
  if (s.reachedNothing === true) return 'failed';
  return s.thresholds.every((t) => t.passed) ? 'passed' : 'failed';
}

/**
 * How many requests were sent and how many got an HTTP answer (any status), from a snapshot's
 * `http.requests` series (a request with no answer is tagged `status: "0"`).
 */
export function requestsAnswered(snapshot: MetricsSnapshot): { sent: number; answered: number } {
  let sent = 0;
  let answered = 0;
  for (const s of snapshot.series) {
    if (s.metric !== METRIC.httpRequests) continue;
    // Requests rampart cut itself (a signal, a stopping run) say nothing about the target.
    if (s.tags['error'] === 'aborted') continue;
    sent += s.sum;
    if (s.tags['status'] !== '0') answered += s.sum;
  }
  return { sent, answered };
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
