/**
 * The judge of a run: the one place that decides, for every kind of run (one process, worker
 * threads, `--agents`, `rampart collect`), what its thresholds say live and at the end, whether a
 * threshold stops it, its verdict and its exit code. It is fed snapshots — the cumulative one each
 * interval, the whole run's at the end — and never knows who merged them.
 *
 * Live: every interval `live()` evaluates the thresholds on the cumulative snapshot; the first
 * abortOnFail threshold that fails after its delay (or an external one, e.g. a Prometheus query)
 * asks the run to stop through `onAbort`, once. At the end `final()` evaluates them on the whole
 * run, adds the external results, marks the one that stopped the run, applies the failure bounds
 * (failure-bounds.ts) and decides the verdict and the exit code (verdict.ts).
 */
import type { MetricsSnapshot } from '../../metrics/types.js';
import { evaluateThresholds } from '../evaluate.js';
import type { ThresholdPlan } from '../plan-types.js';
import { judgeFailures, type JudgedPlan } from './failure-bounds.js';
import { createLiveEvaluator, type LiveEvaluator } from './live.js';
import type { AbortRequest, ExternalThresholds, ThresholdResult, Verdict } from './types.js';
import { decideVerdict, exitCodeFor, EXIT_SHARD_LOST } from './verdict.js';

export interface JudgeOptions {
  /** What the judge reads of the plan: its thresholds, failure bounds and target. */
  readonly plan: JudgedPlan & { readonly thresholds: readonly ThresholdPlan[] };
  /** Thresholds judged outside the snapshots (the scenario's Prometheus queries). */
  readonly external?: ExternalThresholds;
  /**
   * False for one shard of a merged run: its thresholds and failure bounds are judged where the
   * shards are merged, so this judge only says whether the shard was stopped. Default true.
   */
  readonly judges?: boolean;
  /**
   * A threshold asks to stop the run, with the reason to give. Return false when the run is already
   * stopping for another reason: the threshold is then not the one that stopped it.
   */
  readonly onAbort: (reason: string, a: AbortRequest) => boolean;
}

/** How a run ended, besides its metrics: what the judge is told at the end. */
export interface RunEnd {
  /** Everything the run recorded (merged over its shards). */
  readonly cumulative: MetricsSnapshot;
  /** The run's window (epoch ms), for the external thresholds. */
  readonly startMs: number;
  readonly endMs: number;
  /** False: the external thresholds are not asked (a report before teardown: their answer may be slow). Default true. */
  readonly external?: boolean;
  /** The run was stopped early, not by a threshold: why, and by what (`SIGINT`, `SIGTERM`, `memory`, or a text). */
  readonly stopped?: { readonly reason?: string; readonly by?: string };
  /** Why the setup failed, when it did. */
  readonly setupFailed?: string;
  /** A merged run lost shards: what to say of them (verdict aborted, exit 4). */
  readonly lost?: string;
}

/** The judge's answer at the end. */
export interface Judgement {
  readonly thresholds: ThresholdResult[];
  readonly verdict: Verdict;
  readonly exitCode: number;
  readonly abortReason?: string;
  /** Why failures that no threshold judges fail the run (say them once). */
  readonly warnings: readonly string[];
}

export interface Judge {
  /** Starts judging at the run's start (epoch ms): delayAbortEval counts from here; external thresholds start. */
  start(startMs: number): void;
  /** Evaluates the thresholds on the cumulative snapshot at `nowMs`; `final` ticks never stop the run. */
  live(cumulative: MetricsSnapshot, nowMs: number, final?: boolean): ThresholdResult[];
  /** The threshold that stopped the run, once one did. */
  readonly thresholdAbort: AbortRequest | undefined;
  /** Stops the live evaluation of the external thresholds. */
  stop(): Promise<void>;
  /** The results, verdict and exit code of the run. @throws what the external thresholds throw (exit 3) */
  final(end: RunEnd): Promise<Judgement>;
}

/** The words of a run stopped by a threshold. */
export function thresholdAbortReason(a: AbortRequest): string {
  return `threshold ${a.key}: ${a.expression} failed (${a.message})`;
}

/** Creates the judge of one run. */
export function createJudge(o: JudgeOptions): Judge {
  const judges = o.judges !== false;
  const thresholds = judges ? o.plan.thresholds : [];
  let live: LiveEvaluator | undefined;
  let thresholdAbort: AbortRequest | undefined;
  let closed = false;
  let externalStarted = false;
  const take = (a: AbortRequest): void => {
    if (thresholdAbort !== undefined || closed) return;
    if (o.onAbort(thresholdAbortReason(a), a)) thresholdAbort = a;
  };
  const markAbort = (results: ThresholdResult[]): ThresholdResult[] => {
    const ab = thresholdAbort;
    if (!ab) return results;
    return results.map((r) => (r.key === ab.key && r.expression === ab.expression ? { ...r, passed: false, aborted: true } : r));
  };
  return {
    start(startMs) {
      live ??= createLiveEvaluator(thresholds, { startMs });
      if (judges && o.external !== undefined && !externalStarted) {
        externalStarted = true;
        o.external.start(startMs, take);
      }
    },
    live(cumulative, nowMs, final = false) {
      if (live === undefined) return [];
      const res = live.update(cumulative, nowMs);
      if (res.abort && !final) take(res.abort);
      return res.results;
    },
    get thresholdAbort() {
      return thresholdAbort;
    },
    async stop() {
      if (externalStarted) await o.external?.stop();
    },
    async final(end) {
      closed = end.external !== false;
      const external = judges && o.external !== undefined && end.external !== false ? await o.external.final(end.startMs, end.endMs) : [];
      const results = markAbort([...evaluateThresholds(thresholds, end.cumulative), ...external]);
      const failures = judges ? judgeFailures(o.plan, end.cumulative) : { failed: false, warnings: [] };
      let verdict = decideVerdict({
        thresholdAbort: thresholdAbort !== undefined,
        aborted: end.stopped !== undefined,
        setupFailed: end.setupFailed !== undefined,
        thresholds: results,
        tooManyFailures: failures.failed,
      });
      let exitCode = exitCodeFor(verdict, end.stopped?.by);
      let abortReason = thresholdAbort !== undefined ? thresholdAbortReason(thresholdAbort) : (end.stopped?.reason ?? end.setupFailed);
      if (end.lost !== undefined) {
        verdict = 'aborted';
        exitCode = EXIT_SHARD_LOST;
        abortReason = end.lost;
      }
      return { thresholds: results, verdict, exitCode, ...(abortReason !== undefined ? { abortReason } : {}), warnings: failures.warnings };
    },
  };
}
