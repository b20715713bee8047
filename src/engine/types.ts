/**
 * The engine's seams: what a Run needs from the outside, passed in (no globals). The CLI wires the
 * real collaborators (src/engine/wire.ts); unit tests pass fakes.
 */
import type { JourneyPlan, Step } from '../scenario/plan.js';
import type { MetricsSink, MetricsSnapshot } from '../metrics/types.js';
import type { Random } from '../load/random.js';
import { onAbort } from '../journey/timing.js';

/** How a journey iteration ended. */
export type IterationOutcome = 'completed' | 'failed' | 'interrupted';

/** What the engine needs of a virtual user (src/journey's Vu satisfies it). */
export interface EngineVu {
  /** Runs one iteration. `scheduledAtMs`: the open model's planned start (epoch ms). */
  runIteration(journey: JourneyPlan, scheduledAtMs?: number): Promise<IterationOutcome>;
  /** Runs steps once (setup, teardown, phase hooks) and resolves to the variables they captured. */
  runSteps(steps: readonly Step[]): Promise<Record<string, unknown>>;
  close(): void | Promise<void>;
}

/** What a VU is built with, per VU. */
export interface EngineVuOptions {
  /** 1-based VU id (0 for the VU that runs setup, teardown and hooks). */
  readonly id: number;
  /** The current phase/stage name (for the `phase` tag). */
  readonly phase: () => string;
  /** Aborted when running journeys must be cut (graceful stop over, or the run aborted). */
  readonly signal: AbortSignal;
  /** Setup captures over plan.variables: visible to every journey. */
  readonly globals: Readonly<Record<string, unknown>>;
  readonly random: Random;
}

export type VuFactory = (opts: EngineVuOptions) => EngineVu;

/** The metrics registry a Run records into and snapshots every second. */
export interface RunRegistry extends MetricsSink {
  /** Everything since the previous call (folded into the cumulative state). */
  takeInterval(): MetricsSnapshot;
  /** Everything since the start. */
  cumulative(): MetricsSnapshot;
}

/** Time source. `now()` is epoch ms with sub-millisecond precision, never going backwards. */
export interface Clock {
  now(): number;
}

/** The default clock: performance.timeOrigin + performance.now() (monotonic, epoch-based). */
export const systemClock: Clock = { now: () => performance.timeOrigin + performance.now() };

/** Resolves after `ms`, or as soon as `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const off = signal !== undefined ? onAbort(signal, () => done()) : undefined;
    const done = (): void => {
      clearTimeout(timer);
      off?.();
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
  });
}
