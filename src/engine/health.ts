/**
 * The load generator's health over a run: whether it kept up (event-loop lag, late arrivals, the
 * load it held back to keep its event loop on time). The
 * run's verdict and exit code are the judge's (src/thresholds/judge/).
 */
import type { GeneratorHealth, HeldBackReport, TimelinePoint, WarmUpReport } from '../report/model.js';
import type { LagStats } from './lag-monitor.js';
import { heldBackWhat, OVERLOAD_LAG_MS } from '../report/format.js';

/** Event-loop lag p99 above this (ms) marks the generator overloaded (defined with the report, which explains it). */
export { OVERLOAD_LAG_MS } from '../report/format.js';
/** More than this fraction of late arrivals (and at least {@link OVERLOAD_MIN_LATE}) marks it overloaded too. */
export const OVERLOAD_LATE_FRACTION = 0.05;
export const OVERLOAD_MIN_LATE = 5;
/**
 * An event loop busy for at least this share of the load (`performance.eventLoopUtilization`) had no
 * time left to wait in: the generator, not the service, set the pace.
 */
export const OVERLOAD_BUSY = 0.9;

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** Whether more than {@link OVERLOAD_LATE_FRACTION} of the arrivals started late (at least {@link OVERLOAD_MIN_LATE}). */
export function lateMuch(counts: { readonly started: number; readonly late: number }): boolean {
  return counts.late >= OVERLOAD_MIN_LATE && counts.started > 0 && counts.late / counts.started > OVERLOAD_LATE_FRACTION;
}

/**
 * The arrivals dropped in the seconds of the timeline whose event loop was busy at least
 * {@link OVERLOAD_BUSY} of the second: there the generator had no time left to start them. A load
 * that fell behind for a few seconds and caught up again drops all its arrivals in those seconds,
 * while its loop idles the rest of the run.
 */
export function droppedWhileBusy(timeline: readonly Pick<TimelinePoint, 'dropped' | 'busy'>[]): number {
  let n = 0;
  for (const p of timeline) if (p.busy !== undefined && p.busy >= OVERLOAD_BUSY) n += p.dropped;
  return n;
}

/**
 * Whether more than {@link OVERLOAD_LATE_FRACTION} of the arrivals started late or not at all
 * (dropped: every one of `load.maxVus` was in flight), at least {@link OVERLOAD_MIN_LATE}, while the
 * event loop was busy {@link OVERLOAD_BUSY} of the load or more; or whether as many were dropped in
 * seconds busy that much ({@link droppedWhileBusy}: `busyDropped`). Drops alone do not tell whose
 * they are: a slow service keeps its VUs in flight too, but then the loop idles while it waits.
 */
export function missedWhileBusy(counts: { readonly started: number; readonly late: number; readonly dropped: number }, busy: number | undefined, busyDropped = 0): boolean {
  const much = (missed: number): boolean => missed >= OVERLOAD_MIN_LATE && missed > OVERLOAD_LATE_FRACTION * (counts.started + counts.dropped);
  return (busy !== undefined && busy >= OVERLOAD_BUSY && much(counts.late + counts.dropped)) || much(busyDropped);
}

/**
 * Whether the generator held back a share of the load worth saying: at least
 * {@link OVERLOAD_MIN_LATE}, and more than {@link OVERLOAD_LATE_FRACTION} of the iterations started.
 */
export function heldBackMuch(held: Pick<HeldBackReport, 'requests' | 'iterations'> | undefined, started: number): boolean {
  if (held === undefined) return false;
  const n = held.requests + held.iterations;
  return n >= OVERLOAD_MIN_LATE && n > OVERLOAD_LATE_FRACTION * Math.max(1, started);
}

/**
 * What the generator saw of itself; `overloaded` by event-loop lag, the share of late arrivals, the
 * share of arrivals late or dropped while its loop had no idle time (over the load, or in the seconds
 * they were dropped in: `busyDropped`, {@link droppedWhileBusy}), or the share of the load it held
 * back to keep its loop on time.
 */
export function generatorHealth(
  lag: Pick<LagStats, 'p99Ms' | 'maxMs'> & Partial<Pick<LagStats, 'gc' | 'busy'>>,
  counts: { started: number; late: number; dropped: number },
  warmUp?: WarmUpReport,
  heldBack?: HeldBackReport,
  busyDropped = 0,
): GeneratorHealth {
  const held = heldBack !== undefined && heldBack.requests + heldBack.iterations > 0 ? heldBack : undefined;
  return {
    lateArrivals: counts.late,
    droppedArrivals: counts.dropped,
    eventLoopLagP99Ms: round3(lag.p99Ms),
    eventLoopLagMaxMs: round3(lag.maxMs),
    ...(lag.busy !== undefined ? { eventLoopBusy: round3(lag.busy) } : {}),
    overloaded: lag.p99Ms > OVERLOAD_LAG_MS || lateMuch(counts) || missedWhileBusy(counts, lag.busy, busyDropped) || heldBackMuch(held, counts.started),
    ...(lag.gc !== undefined ? { gc: lag.gc } : {}),
    ...(warmUp !== undefined ? { warmUp } : {}),
    ...(held !== undefined ? { heldBack: held } : {}),
  };
}

/** What a run says (live and in its report) when it held back much of its load. */
export function heldBackWarning(held: Pick<HeldBackReport, 'requests' | 'iterations' | 'maxWaitMs' | 'lowestLimit'>): string {
  return (
    `the load generator held back ${heldBackWhat(held)} (up to ${held.maxWaitMs.toFixed(0)} ms each, as few as ${held.lowestLimit} requests in flight) to keep its event loop on time: ` +
    'it was asked for more than one process sends. Its waits are not in http.latency (a held request\'s is in http.blocked), but the request rate is the generator\'s ceiling, not the scenario\'s: ' +
    'spread the load with --workers or shards'
  );
}

/**
 * What an overloaded generator says at the end of its run: the load it held back, and (when its loop
 * ran late or its arrivals started late all the same) that its latencies include its own delay.
 * `busyDropped`: the arrivals dropped in seconds its loop was busy ({@link droppedWhileBusy}).
 */
export function overloadWarnings(g: GeneratorHealth, counts: { readonly started: number; readonly late: number; readonly dropped: number }, busyDropped = 0): string[] {
  const out: string[] = [];
  const held = heldBackMuch(g.heldBack, counts.started);
  if (held && g.heldBack !== undefined) out.push(heldBackWarning(g.heldBack));
  const missed = missedWhileBusy(counts, g.eventLoopBusy, busyDropped);
  if (g.overloaded && (!held || g.eventLoopLagP99Ms > OVERLOAD_LAG_MS || lateMuch(counts) || missed)) {
    const busy = g.eventLoopBusy !== undefined ? `event loop busy ${Math.round(g.eventLoopBusy * 100)} % of the load, ` : '';
    const arrivals = counts.dropped > 0 ? `${counts.late} late and ${counts.dropped} dropped arrivals` : `${counts.late} late arrivals`;
    const inBusySeconds = busyDropped > 0 ? `, ${busyDropped} of them dropped in seconds its event loop was busy at least ${Math.round(OVERLOAD_BUSY * 100)} %` : '';
    const why = missed ? `it could not start the planned arrivals on time${inBusySeconds}, and ` : '';
    out.push(`the load generator was overloaded (${busy}event-loop lag p99 ${g.eventLoopLagP99Ms.toFixed(1)} ms, ${arrivals}): ${why}latencies may include the generator's own delay`);
  }
  return out;
}

/**
 * What a run says of its dropped arrivals. Dropped while the generator's loop was busy
 * (`busyDropped`), they are the generator's: a higher `maxVus` would only add journeys waiting for
 * the same core.
 */
export function droppedWarning(dropped: number, busyDropped: number): string {
  if (busyDropped * 2 < dropped) return `${dropped} arrivals dropped: maxVus reached (raise load.maxVus or lower the rate)`;
  return (
    `${dropped} arrivals dropped: maxVus reached, ${busyDropped} of them in seconds the load generator's event loop was busy at least ${Math.round(OVERLOAD_BUSY * 100)} %: ` +
    'there one core could not start them, and a higher maxVus would only add journeys waiting for it; lower the rate per process (--workers, shards)'
  );
}
