/** The judge of every kind of run (judge.ts), and the types it answers with. */
export { createJudge, thresholdAbortReason } from './judge.js';
export type { Judge, JudgeOptions, Judgement, RunEnd } from './judge.js';
export { decideVerdict, exitCodeFor, gatedExitCode, EXIT_SHARD_LOST } from './verdict.js';
export { failureCounts, judgeFailures, requestsAnswered } from './failure-bounds.js';
export type { FailureCounts, FailureJudgement, JudgedPlan } from './failure-bounds.js';
export type { AbortRequest, ExternalThresholds, ExternalThresholdsFactory, ThresholdResult, Verdict } from './types.js';
