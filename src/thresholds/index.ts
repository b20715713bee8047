/** The thresholds layer: the expression grammar, and evaluation at the end and live. */
export { parseThresholdExpression, parseThresholdKey, ThresholdSyntaxError } from './parse.js';
export { evaluateThreshold, evaluateThresholds, aggregationText, compare, AGGREGATIONS } from './evaluate.js';
export { createLiveEvaluator } from './live.js';
export type { AbortRequest, LiveEvaluator, LiveEvaluatorOptions, LiveUpdate } from './live.js';
export { failureCounts, judgeFailures, requestsAnswered } from './failure-bounds.js';
export type { FailureCounts, FailureJudgement } from './failure-bounds.js';
