/**
 * What the judge says about a run, and what it is fed besides snapshots: the types every layer
 * above the thresholds reads (the engine, the scale-out layer, the reports).
 */
import type { Tags } from '../../metrics/types.js';

/** A run's verdict: every threshold passed, one failed (or stopped the run), or the run was stopped. */
export type Verdict = 'passed' | 'failed' | 'aborted';

/** One threshold's result, live or at the end. */
export interface ThresholdResult {
  /** The key as written, e.g. `http.latency{step:product}`. */
  readonly key: string;
  readonly metric: string;
  readonly filter: Tags;
  /** The expression as written, e.g. `p(95) < 250ms`. */
  readonly expression: string;
  readonly passed: boolean;
  /** The observed value in display units (ms for time, 0..1 for rates); null when no samples. */
  readonly observed: number | null;
  /** Why it failed, in words (e.g. "no samples for http.latency{step:x}"). */
  readonly message?: string;
  readonly abortOnFail: boolean;
  /** True when this threshold stopped the run. */
  readonly aborted?: boolean;
}

/** Why the run should stop: the first abortOnFail threshold that failed after its delay. */
export interface AbortRequest {
  readonly key: string;
  readonly expression: string;
  readonly message: string;
}

/** A source of thresholds that the metrics of the run do not hold (the scenario's Prometheus queries). */
export interface ExternalThresholds {
  /** Starts live evaluation; `onAbort` stops the run like a failing abortOnFail threshold. */
  start(startMs: number, onAbort: (a: AbortRequest) => void): void;
  /** Stops live evaluation. */
  stop(): Promise<void>;
  /** The results over the run [startMs, endMs] (epoch ms). */
  final(startMs: number, endMs: number): Promise<ThresholdResult[]>;
}

/** Makes the external thresholds of a run, given where their warnings go. */
export type ExternalThresholdsFactory = (warn: (message: string) => void) => ExternalThresholds;
