/**
 * Live threshold evaluation while a run is going: each second the engine hands the cumulative
 * snapshot over and learns whether an `abortOnFail` threshold asks to stop the run.
 */
import type { AbortRequest, ThresholdResult } from './types.js';
import type { MetricsSnapshot } from '../../metrics/types.js';
import type { ThresholdPlan } from '../plan-types.js';
import { evaluateThresholds } from '../evaluate.js';

export type { AbortRequest };

export interface LiveUpdate {
  /** Every threshold's state now (the aborting one is marked `aborted: true`). */
  readonly results: ThresholdResult[];
  /** Set from the first update that decided to abort, and on every update after it. */
  readonly abort?: AbortRequest;
}

export interface LiveEvaluator {
  /** Evaluates against the cumulative snapshot at `nowMs` (ms since the epoch, same clock as startMs). */
  update(cumulative: MetricsSnapshot, nowMs: number): LiveUpdate;
}

export interface LiveEvaluatorOptions {
  /** When the run started (ms since the epoch): `delayAbortEvalMs` counts from here. */
  readonly startMs: number;
}

/**
 * Creates a live evaluator. An `abortOnFail` threshold stops the run only when it fails on observed
 * samples once `delayAbortEvalMs` has elapsed since the start; "no samples" never aborts a running
 * test (the samples may still come — a step late in a journey, a slow first iteration), it is decided
 * by the final evaluation instead.
 */
export function createLiveEvaluator(thresholds: readonly ThresholdPlan[], opts: LiveEvaluatorOptions): LiveEvaluator {
  let abort: AbortRequest | undefined;
  let abortIndex = -1;
  return {
    update(cumulative: MetricsSnapshot, nowMs: number): LiveUpdate {
      const results = evaluateThresholds(thresholds, cumulative);
      if (!abort) {
        const elapsed = nowMs - opts.startMs;
        abortIndex = results.findIndex(
          (r, i) => r.abortOnFail && !r.passed && r.observed !== null && elapsed >= (thresholds[i]?.delayAbortEvalMs ?? 0),
        );
        const hit = results[abortIndex];
        if (hit) {
          abort = { key: hit.key, expression: hit.expression, message: hit.message ?? `${hit.key}: ${hit.expression} failed` };
        }
      }
      if (!abort) return { results };
      const i = abortIndex;
      return { results: results.map((r, j) => (j === i ? { ...r, aborted: true } : r)), abort };
    },
  };
}
