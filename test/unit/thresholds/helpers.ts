import { createRegistry } from '../../../src/metrics/registry.js';
import type { MetricsRegistry } from '../../../src/metrics/registry.js';
import type { MetricsSnapshot } from '../../../src/metrics/types.js';
import type { Aggregation, ComparisonOp, ThresholdPlan } from '../../../src/scenario/plan.js';

/** A ThresholdPlan built by hand (the parser is tested on its own). */
export function plan(
  key: string,
  metric: string,
  filter: Record<string, string>,
  agg: Aggregation | { fn: 'value' },
  op: ComparisonOp,
  value: number,
  extra: { abortOnFail?: boolean; delayAbortEvalMs?: number; source?: string } = {},
): ThresholdPlan {
  const aggText = agg.fn === 'p' ? `p(${(agg as { percentile: number }).percentile})` : agg.fn;
  return {
    key,
    metric,
    filter,
    expr: { source: extra.source ?? `${aggText} ${op} ${value}`, agg: agg as Aggregation, op, value },
    abortOnFail: extra.abortOnFail ?? false,
    delayAbortEvalMs: extra.delayAbortEvalMs ?? 0,
    pos: { file: 'scenario.yaml', line: 1, col: 1 },
  };
}

/** Records into a fresh registry over a window of `windowMs` and returns the cumulative snapshot. */
export function snapshotOf(record: (r: MetricsRegistry) => void, windowMs = 10_000): MetricsSnapshot {
  let t = 0;
  const r = createRegistry({ now: () => t });
  try {
    record(r);
    t = windowMs;
    return r.cumulative();
  } finally {
    r.dispose();
  }
}
