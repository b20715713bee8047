/**
 * Reading snapshots: select the series of a metric by tags, and summarize them in display units
 * (ms for µs trends, the real values for raw trends, fractions for rates).
 */
import type { SeriesReport } from './types.js';
import { EngineError } from '../errors.js';
import { decodeHistogram, RAW_SCALE, withHistograms } from './hdr.js';
import { mergeSeries } from './merge.js';
import { hasTags } from './series-key.js';
import type { MetricsSnapshot, SeriesSnapshot, SeriesSummary, Tags } from './types.js';

/** The series of `metric` that carry every tag of `filter` (an empty filter selects them all). */
export function selectSeries(s: MetricsSnapshot, metric: string, filter: Tags): SeriesSnapshot[] {
  return s.series.filter((x) => x.metric === metric && hasTags(x.tags, filter));
}

const EMPTY: SeriesSummary = Object.freeze({
  count: 0,
  rate: 0,
  sum: 0,
  avg: NaN,
  min: NaN,
  max: NaN,
  p50: NaN,
  p90: NaN,
  p95: NaN,
  p99: NaN,
  percentile: () => NaN,
});

/**
 * Merges the given series (one metric type) and summarizes them over a window of `windowMs`:
 * - trend: count = samples; sum/avg/min/max/percentiles in ms (µs trends) or raw values; rate = samples/s.
 * - counter: count = increments, sum = total, avg = mean increment; rate = sum/s.
 * - rate: count = samples, sum = trues, rate = avg = trues/samples; min/max 0 or 1.
 * - gauge: rate = sum = avg = the last value (summed over series that hold it at the same instant), min/max.
 * Percentiles are NaN for everything but trends; every field but count/rate/sum is NaN without samples.
 */
export function summarize(series: readonly SeriesSnapshot[], windowMs: number): SeriesSummary {
  const first = series[0];
  if (!first) return EMPTY;
  for (const s of series) {
    if (s.type !== first.type || s.unit !== first.unit) {
      throw new EngineError(`metrics: cannot summarize a ${first.type} (${first.unit}) together with a ${s.type} (${s.unit})`);
    }
  }
  const perSecond = windowMs > 0 ? 1000 / windowMs : 0;
  if (first.type === 'gauge') return gaugeSummary(series);

  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  const hists: string[] = [];
  for (const s of series) {
    if (s.count === 0) continue;
    count += s.count;
    sum += s.sum;
    if (s.min < min) min = s.min;
    if (s.max > max) max = s.max;
    if (s.hist !== undefined) hists.push(s.hist);
  }
  if (count === 0) return EMPTY;

  if (first.type === 'counter') {
    return plain({ count, rate: sum * perSecond, sum, avg: sum / count, min, max });
  }
  if (first.type === 'rate') {
    const fraction = sum / count;
    return plain({ count, rate: fraction, sum, avg: fraction, min, max });
  }
  // trend: exact sum/min/max kept beside the histogram; µs are shown as ms.
  const div = first.unit === 'us' ? 1000 : 1;
  const lo = min / div;
  const hi = max / div;
  const clamp = (v: number): number => (v < lo ? lo : v > hi ? hi : v);
  // HDR answers with the top of a bucket; never report beyond what was actually seen.
  const at = (ps: readonly number[]): number[] =>
    hists.length === 0
      ? ps.map(() => NaN)
      : withHistograms((keep) => {
          const h = keep(decodeHistogram(hists[0] as string));
          for (let i = 1; i < hists.length; i++) h.add(keep(decodeHistogram(hists[i] as string)));
          return ps.map((p) => clamp(h.getValueAtPercentile(p) / RAW_SCALE));
        });
  const [p50, p90, p95, p99] = at([50, 90, 95, 99]) as [number, number, number, number];
  const known = new Map<number, number>([[50, p50], [90, p90], [95, p95], [99, p99], [0, lo]]);
  const percentile = (p: number): number => {
    if (!(p >= 0 && p <= 100)) return NaN;
    let v = known.get(p);
    if (v === undefined) {
      v = at([p])[0] as number;
      known.set(p, v);
    }
    return v;
  };
  return { count, rate: count * perSecond, sum: sum / div, avg: sum / count / div, min: lo, max: hi, p50, p90, p95, p99, percentile };
}

function plain(v: Pick<SeriesSummary, 'count' | 'rate' | 'sum' | 'avg' | 'min' | 'max'>): SeriesSummary {
  return { ...v, p50: NaN, p90: NaN, p95: NaN, p99: NaN, percentile: () => NaN };
}

function gaugeSummary(series: readonly SeriesSnapshot[]): SeriesSummary {
  let acc: SeriesSnapshot | undefined;
  for (const s of series) {
    // A gauge with a value but no instant holds it "now": all such values add up.
    const g = s.count > 0 && s.atMs === undefined ? { ...s, atMs: 0 } : s;
    acc = acc ? mergeSeries(acc, g) : g;
  }
  if (!acc || acc.atMs === undefined) return EMPTY;
  return plain({ count: acc.count, rate: acc.sum, sum: acc.sum, avg: acc.sum, min: acc.min, max: acc.max });
}

/** 0 for NaN: the JSON report has numbers only. */
function num(v: number): number {
  return Number.isNaN(v) ? 0 : v;
}

/**
 * One series as the report shows it (display units; fields that do not apply, or have no samples,
 * are 0). The histogram is kept (recorded unit) so reports can be re-merged and compared exactly.
 */
export function toSeriesReport(series: SeriesSnapshot, windowMs: number): SeriesReport {
  const m = summarize([series], windowMs);
  return {
    metric: series.metric,
    type: series.type,
    unit: series.unit,
    tags: series.tags,
    count: series.count,
    rate: num(m.rate),
    sum: num(m.sum),
    avg: num(m.avg),
    min: num(m.min),
    max: num(m.max),
    p50: num(m.p50),
    p90: num(m.p90),
    p95: num(m.p95),
    p99: num(m.p99),
    ...(series.hist !== undefined ? { hist: series.hist } : {}),
  };
}
