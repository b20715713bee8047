/**
 * The verdict and the exit code of a finished run (DESIGN.md, "Exit codes"): pure rules, used only
 * by the judge (judge.ts) and by the command that adds its own gates (a report that could not be
 * written, a regression against a baseline) through {@link gatedExitCode}.
 */
import type { ThresholdResult, Verdict } from './types.js';
import { EXIT } from '../../exit-codes.js';

/** Exit code of a distributed run that lost a shard (DESIGN.md). */
export const EXIT_SHARD_LOST = EXIT.SHARD_LOST;

/** The exit code of a finished run: 0 passed, 1 failed, 130/143 aborted by SIGINT/SIGTERM, 3 short of memory, 1 other aborts. */
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
 * aborted; failures that no threshold accepts (failure-bounds.ts: nothing answered, too many failed
 * journeys or requests) → failed, whatever the thresholds say; otherwise passed when every threshold
 * passed. An abortOnFail threshold that stopped the run gives `failed`, not `aborted`: the verdict is
 * a judgement of the service, and that threshold judged it.
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

/**
 * The exit code of `rampart run` once its report is out: 3 when a report file could not be written
 * (the gate has no record), else 1 when the run passed but regressed beyond the baseline's
 * tolerances, else the run's own code.
 */
export function gatedExitCode(runExit: number, gates: { readonly reportFailed?: boolean; readonly regressed?: boolean }): number {
  if (gates.reportFailed === true) return EXIT.ENGINE;
  if (runExit === EXIT.OK && gates.regressed === true) return EXIT.FAILED;
  return runExit;
}
