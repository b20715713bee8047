/**
 * rampart's metrics as Prometheus metric families, computed from the cumulative snapshot (and the
 * last interval for the "current" percentiles). Pure: no server, no clock.
 *
 * Naming (`rampart_` + the metric name with every character outside [a-zA-Z0-9_] as `_`):
 * - time trends (µs) → a histogram in seconds, `rampart_http_latency_seconds_bucket{le}` / `_sum` /
 *   `_count`, with the explicit buckets {@link LATENCY_BUCKETS_SECONDS}: aggregatable across series
 *   and instances (`histogram_quantile(0.95, sum by (le) (rate(rampart_http_latency_seconds_bucket[1m])))`).
 *   Bucket counts come from the HDR histogram (3 significant digits), so a sample within 0.1 % of a
 *   boundary may land in the next bucket.
 * - custom (raw) trends → `rampart_<name>_count` and `_sum` counters.
 * - every trend also gets `rampart_<name>_current_p95[_seconds]` and `_p99` gauges: the percentile
 *   over the last interval (one second). They are NOT aggregatable — never sum or average them
 *   across series or instances; use the histogram for that.
 * - counters → `rampart_<name>_total` (bytes: `rampart_<name>_bytes_total`).
 * - rates → `rampart_<name>_true_total` and `rampart_<name>_samples_total` (the rate is their ratio).
 * - gauges → `rampart_<name>`.
 * Tags become labels (names sanitized the same way).
 */
import type { JsHistogram } from 'hdr-histogram-js';
import type { MetricsSnapshot, SeriesSnapshot, Tags } from '../metrics/types.js';
import { hdrParts, selectSeries, seriesKey, summarize } from '../metrics/index.js';

/** Histogram bucket upper bounds (seconds) of every time trend: 1 ms … 60 s, plus +Inf. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export type FamilyType = 'counter' | 'gauge' | 'histogram';

export interface Sample {
  /** Full sample name when it differs from the family's (`_bucket`, `_sum`, `_count`). */
  readonly name?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: FamilyType;
  readonly samples: Sample[];
}

/** A Prometheus metric or label name from any string. */
export function promName(s: string): string {
  const n = s.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(n) ? `_${n}` : n;
}

/** Tags as labels; reserved (`__…`) and colliding names get a `tag_` prefix. */
export function labelsOf(tags: Tags, reserved: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) {
    let name = promName(k);
    if (name.startsWith('__') || reserved.includes(name) || Object.hasOwn(out, name)) name = `tag_${name}`;
    out[name] = v;
  }
  return out;
}

/** Cumulative counts of the HDR histogram at each bound (µs), from its recorded values. */
export function bucketCounts(hist: string, boundsUs: readonly number[]): number[] {
  const h = hdrParts.decodeFromCompressedBase64(hist, 64, false) as JsHistogram;
  const counts = boundsUs.map(() => 0);
  const it = h.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    for (let i = 0; i < boundsUs.length; i++) if (v.valueIteratedTo <= (boundsUs[i] ?? 0)) counts[i] = (counts[i] ?? 0) + v.countAtValueIteratedTo;
  }
  return counts;
}

/** Adds a sample to the family `name`, creating it on first use. */
function add(families: Map<string, Family>, name: string, type: FamilyType, help: string, sample: Sample): void {
  let f = families.get(name);
  if (!f) {
    f = { name, type, help, samples: [] };
    families.set(name, f);
  }
  f.samples.push(sample);
}

const BOUNDS_US = LATENCY_BUCKETS_SECONDS.map((s) => Math.round(s * 1_000_000));

/**
 * Bucket counts of the last scrape or push, per series: a series whose histogram did not change is
 * not decoded again. Owned by one output.
 */
export type BucketCache = Map<string, { readonly hist: string; readonly counts: readonly number[] }>;

function cachedCounts(s: SeriesSnapshot, cache: BucketCache | undefined): readonly number[] {
  if (s.hist === undefined || s.count === 0) return BOUNDS_US.map(() => 0);
  const key = seriesKey(s.metric, s.tags);
  const hit = cache?.get(key);
  if (hit && hit.hist === s.hist) return hit.counts;
  const counts = bucketCounts(s.hist, BOUNDS_US);
  cache?.set(key, { hist: s.hist, counts });
  return counts;
}

function trendFamilies(out: Map<string, Family>, s: SeriesSnapshot, last: MetricsSnapshot | undefined, cache: BucketCache | undefined): void {
  const base = `rampart_${promName(s.metric)}`;
  const time = s.unit === 'us';
  const labels = labelsOf(s.tags, ['le', 'quantile']);
  if (time) {
    const name = `${base}_seconds`;
    const help = `${s.metric} in seconds (histogram; buckets ${LATENCY_BUCKETS_SECONDS.join(', ')} s; aggregatable)`;
    const counts = cachedCounts(s, cache);
    LATENCY_BUCKETS_SECONDS.forEach((le, i) => add(out, name, 'histogram', help, { name: `${name}_bucket`, labels: { ...labels, le: String(le) }, value: counts[i] ?? 0 }));
    add(out, name, 'histogram', help, { name: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: s.count });
    add(out, name, 'histogram', help, { name: `${name}_sum`, labels, value: s.sum / 1_000_000 });
    add(out, name, 'histogram', help, { name: `${name}_count`, labels, value: s.count });
  } else {
    add(out, `${base}_count`, 'counter', `${s.metric}: samples recorded`, { labels, value: s.count });
    add(out, `${base}_sum`, 'counter', `${s.metric}: sum of the recorded values`, { labels, value: s.sum / 1000 });
  }
  // The current percentiles: of this exact series over the last interval.
  const now = last ? selectSeries(last, s.metric, s.tags).filter((x) => Object.keys(x.tags).length === Object.keys(s.tags).length) : [];
  if (now.length === 0) return;
  const m = summarize(now, Math.max(1, (last?.endMs ?? 1) - (last?.startMs ?? 0)));
  const unit = time ? '_seconds' : '';
  const scale = time ? 1 / 1000 : 1;
  for (const [q, v] of [['p95', m.p95], ['p99', m.p99]] as const) {
    if (!Number.isFinite(v)) continue;
    add(out, `${base}_current_${q}${unit}`, 'gauge', `${q} of ${s.metric} over the last interval (1 s)${time ? ', seconds' : ''}. NOT aggregatable: never sum or average across series or instances; use the histogram`, {
      labels,
      value: v * scale,
    });
  }
}

/**
 * Every family of the metrics in `cumulative`; `last` is the latest interval (for current
 * percentiles); `cache` spares decoding histograms that did not change since the previous call.
 */
export function metricFamilies(cumulative: MetricsSnapshot, last: MetricsSnapshot | undefined, cache?: BucketCache): Map<string, Family> {
  const out = new Map<string, Family>();
  for (const s of cumulative.series) {
    const base = `rampart_${promName(s.metric)}`;
    const labels = labelsOf(s.tags);
    switch (s.type) {
      case 'trend':
        trendFamilies(out, s, last, cache);
        break;
      case 'counter':
        add(out, `${base}${s.unit === 'bytes' ? '_bytes' : ''}_total`, 'counter', `${s.metric} (counter${s.unit === 'bytes' ? ', bytes' : ''})`, { labels, value: s.sum });
        break;
      case 'rate':
        add(out, `${base}_true_total`, 'counter', `${s.metric}: samples that were true (rate = _true_total / _samples_total)`, { labels, value: s.sum });
        add(out, `${base}_samples_total`, 'counter', `${s.metric}: samples evaluated`, { labels, value: s.count });
        break;
      case 'gauge':
        add(out, base, 'gauge', `${s.metric} (last value)`, { labels, value: s.sum });
        break;
    }
  }
  return out;
}
