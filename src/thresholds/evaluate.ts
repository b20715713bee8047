/**
 * Threshold evaluation against a snapshot (usually the cumulative one). Pure: the same plan and
 * snapshot always give the same results.
 *
 * What each aggregation reads, per metric type (display units: ms for time trends, real values for
 * custom trends, fractions 0..1 for rates):
 *
 * | metric type | aggregations                                                                  |
 * | ----------- | ----------------------------------------------------------------------------- |
 * | trend       | p(N), avg, min, max, med, count (samples), sum                                |
 * | rate        | rate (fraction of trues), count (samples), sum (trues)                        |
 * | counter     | count (= the counter's total), sum (the same), rate (total per second of the window) |
 * | gauge       | value (last value), min, max                                                  |
 *
 * Any other pair fails with a message that says which aggregations the metric has. A threshold
 * whose metric and tag filter match no samples fails with "no samples for …": a typo in a tag never
 * passes silently. (A counter series that exists with nothing added reads as 0.)
 */
import type { ThresholdResult } from './judge/types.js';
import { selectSeries, summarize } from '../metrics/summary.js';
import { seriesKey } from '../metrics/series-key.js';
import type { MetricsSnapshot, MetricType, MetricUnit, SeriesSnapshot, SeriesSummary } from '../metrics/types.js';
import type { Aggregation, ComparisonOp, ThresholdPlan } from './plan-types.js';
import { AGGREGATIONS, aggregationText } from './parse.js';

export { AGGREGATIONS, aggregationText };

type Observed = { value: number } | { error: string };

function observe(type: MetricType, agg: Aggregation, m: SeriesSummary): Observed {
  // `value` is the gauge aggregation; read fn as a string so plans that carry it are understood.
  const fn: string = agg.fn;
  switch (type) {
    case 'trend':
      if (agg.fn === 'p') return { value: m.percentile(agg.percentile) };
      if (fn === 'med') return { value: m.p50 };
      if (fn === 'avg' || fn === 'min' || fn === 'max' || fn === 'count' || fn === 'sum') return { value: m[fn] };
      break;
    case 'rate':
      if (fn === 'rate' || fn === 'count' || fn === 'sum') return { value: m[fn] };
      break;
    case 'counter':
      if (fn === 'count' || fn === 'sum') return { value: m.sum };
      if (fn === 'rate') return { value: m.rate };
      break;
    case 'gauge':
      if (fn === 'value') return { value: m.rate };
      if (fn === 'min' || fn === 'max') return { value: m[fn] };
      break;
  }
  return { error: `${aggregationText(agg)} does not apply to a ${type} metric; use ${(AGGREGATIONS[type] ?? []).join(', ')}` };
}

/** Compares observed with the expression's right-hand side. */
export function compare(observed: number, op: ComparisonOp, value: number): boolean {
  switch (op) {
    case '<':
      return observed < value;
    case '<=':
      return observed <= value;
    case '>':
      return observed > value;
    case '>=':
      return observed >= value;
    case '==':
      return observed === value;
    case '!=':
      return observed !== value;
  }
}

/** A number for people: at most 3 decimals, no trailing zeros. */
function fmt(v: number): string {
  return String(Math.round(v * 1000) / 1000);
}

/** A value with its display unit, for messages. */
function show(v: number, type: MetricType, unit: MetricUnit, agg: Aggregation): string {
  if (agg.fn === 'count') return fmt(v);
  if (type === 'trend' && unit === 'us') return `${fmt(v)}ms`;
  if (type === 'rate' && agg.fn === 'rate') return `${fmt(v * 100)}%`;
  if (type === 'counter' && agg.fn === 'rate') return `${fmt(v)}/s`;
  return fmt(v);
}

interface Selection {
  readonly first: SeriesSnapshot | undefined;
  readonly summary: SeriesSummary;
}

function select(t: ThresholdPlan, snapshot: MetricsSnapshot): Selection {
  const series = selectSeries(snapshot, t.metric, t.filter);
  return { first: series[0], summary: summarize(series, snapshot.endMs - snapshot.startMs) };
}

/** Evaluates one threshold against a snapshot; the rate of counters is per second of its window. */
export function evaluateThreshold(t: ThresholdPlan, snapshot: MetricsSnapshot): ThresholdResult {
  return evaluateSelected(t, select(t, snapshot));
}

function evaluateSelected(t: ThresholdPlan, { first, summary: m }: Selection): ThresholdResult {
  const base = { key: t.key, metric: t.metric, filter: t.filter, expression: t.expr.source, abortOnFail: t.abortOnFail };
  const noSamples = { ...base, passed: false, observed: null, message: `no samples for ${t.key}` };
  if (!first) return noSamples;
  // Every summary with samples has a finite min (gauges: once set). A counter that exists but was
  // never added to is an observed 0 (e.g. `journeys.dropped: count == 0`), not a missing metric.
  if (Number.isNaN(m.min) && first.type !== 'counter') return noSamples;
  const seen = observe(first.type, t.expr.agg, m);
  if ('error' in seen) return { ...base, passed: false, observed: null, message: `${t.key}: ${seen.error}` };
  if (Number.isNaN(seen.value)) return noSamples;
  const passed = compare(seen.value, t.expr.op, t.expr.value);
  if (passed) return { ...base, passed, observed: seen.value };
  const agg = aggregationText(t.expr.agg);
  const shown = (v: number): string => show(v, first.type, first.unit, t.expr.agg);
  return {
    ...base,
    passed,
    observed: seen.value,
    message: `${t.key}: ${agg} = ${shown(seen.value)}, expected ${t.expr.op} ${shown(t.expr.value)}`,
  };
}

/** Evaluates every threshold, in order. Thresholds on one key (p(95) and p(99) of a metric) share one summary. */
export function evaluateThresholds(ts: readonly ThresholdPlan[], snapshot: MetricsSnapshot): ThresholdResult[] {
  const selections = new Map<string, Selection>();
  return ts.map((t) => {
    const id = seriesKey(t.metric, t.filter);
    let sel = selections.get(id);
    if (!sel) {
      sel = select(t, snapshot);
      selections.set(id, sel);
    }
    return evaluateSelected(t, sel);
  });
}
