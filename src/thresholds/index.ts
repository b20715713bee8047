/** The thresholds layer: the expression grammar, evaluation, and the judge of a run (judge/). */
export { parseThresholdExpression, parseThresholdKey, ThresholdSyntaxError } from './parse.js';
export { evaluateThreshold, evaluateThresholds, aggregationText, compare, AGGREGATIONS } from './evaluate.js';
export * from './judge/index.js';
