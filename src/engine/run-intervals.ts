/**
 * A Run's intervals: each one takes the registry's interval snapshot, adds a timeline point, feeds
 * the cumulative snapshot to the judge (live thresholds) and hands an IntervalUpdate to the outputs.
 * The final tick (at the end, or before an aborted run's teardown) only closes the timeline.
 */
import type { OpenLoad } from '../scenario/plan.js';
import type { HeldBackReport, IntervalUpdate, TimelinePoint } from '../report/model.js';
import type { Judge } from '../thresholds/judge/judge.js';
import type { ThresholdResult } from '../thresholds/judge/types.js';
import { openRateAt, plannedArrivalsBetween } from '../load/open-schedule.js';
import { LATE_AFTER_MS, type JourneyTracker } from './context.js';
import { heldBackMuch, OVERLOAD_LATE_FRACTION, OVERLOAD_MIN_LATE } from './health.js';
import type { OutputFanout } from './outputs.js';
import type { RunState } from './run-blocks.js';
import { timelinePoint } from './timeline.js';
import type { LagSecond } from './lag-monitor.js';
import type { Clock, RunRegistry } from './types.js';

export interface IntervalsOptions {
  readonly clock: Clock;
  readonly registry: RunRegistry;
  readonly startedAt: number;
  readonly openModels: readonly OpenLoad[];
  /** Epoch ms at which the load started (undefined before). */
  readonly origin: () => number | undefined;
  readonly tracker: JourneyTracker;
  readonly state: RunState;
  readonly judge: Judge;
  readonly outputs: OutputFanout;
  readonly warn: (message: string) => void;
  /** Called before every interval that is not the final one (a stop condition, the memory check). */
  readonly beforeTick: () => void;
  /** What the limit on requests in flight held back so far, when the run has one. */
  readonly heldBack?: () => Pick<HeldBackReport, 'requests' | 'iterations' | 'maxWaitMs'>;
  /** The generator's own stalls since the previous interval (the lag monitor's). */
  readonly stalls?: () => LagSecond;
}

export interface Intervals {
  /** Takes one interval; `final` ones reach no output. */
  tick(final: boolean): void;
  /** One point per interval so far. */
  readonly timeline: TimelinePoint[];
}

export function createIntervals(o: IntervalsOptions): Intervals {
  const { clock, registry, startedAt, openModels, tracker, state } = o;
  const timeline: TimelinePoint[] = [];
  let liveResults: readonly ThresholdResult[] = [];
  // One snapshot per interval, on absolute ticks from the start (never drifting).
  let lastTick = startedAt;
  // Said once, as soon as a second's arrivals start late: the report says it again at the end.
  let lateSeen = 0;
  let behindSaid = false;
  let heldSeen = { requests: 0, iterations: 0 };
  let heldSaid = false;
  const tick = (final: boolean): void => {
    if (!final) o.beforeTick();
    const now = clock.now();
    const interval = registry.takeInterval();
    const cumulative = registry.cumulative();
    const offsetMs = now - startedAt;
    const origin = o.origin();
    let planned: number | undefined;
    if (openModels.length > 0 && origin !== undefined) {
      planned = openModels.reduce((n, m) => n + plannedArrivalsBetween(m, lastTick - origin, now - origin), 0);
    }
    const point = timelinePoint(interval, offsetMs / 1000, state.doing, tracker.vus, planned, o.stalls?.());
    lastTick = now;
    const late = tracker.late - lateSeen;
    lateSeen = tracker.late;
    if (!final && !behindSaid && late >= OVERLOAD_MIN_LATE && late > OVERLOAD_LATE_FRACTION * Math.max(1, point.started)) {
      behindSaid = true;
      o.warn(
        `the load generator is falling behind: ${late} of ${point.started} arrivals in the last second started more than ${LATE_AFTER_MS} ms late (short of CPU, or a rate too high for one process); latencies may include its own delay`,
      );
    }
    const held = o.heldBack?.();
    if (held !== undefined) {
      const last = { requests: held.requests - heldSeen.requests, iterations: held.iterations - heldSeen.iterations };
      heldSeen = held;
      if (!final && !heldSaid && heldBackMuch(last, point.started)) {
        heldSaid = true;
        o.warn(
          `the load generator is holding back load to keep its event loop on time: ${last.iterations + last.requests} iterations and requests waited in the last second (up to ${held.maxWaitMs.toFixed(0)} ms); ` +
            'it is asked for more than one process sends, so the request rate is its ceiling (the waits are not in http.latency)',
        );
      }
    }
    // The final point holds the last partial second's samples, however short: the timeline adds up to the summary.
    timeline.push(point);
    try {
      liveResults = o.judge.live(cumulative, now, final);
    } catch (err) {
      o.warn(`live thresholds: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (final) return;
    const targetRate = openModels.length > 0 && origin !== undefined ? openModels.reduce((r, m) => r + openRateAt(m, now - origin), 0) : undefined;
    const update: IntervalUpdate = {
      offsetMs,
      phase: state.doing,
      interval,
      cumulative,
      point,
      thresholds: liveResults,
      ...(targetRate !== undefined ? { targetRate } : {}),
      ...(state.targetVus !== undefined ? { targetVus: state.targetVus } : {}),
    };
    o.outputs.interval(update);
  };
  return { tick, timeline };
}
