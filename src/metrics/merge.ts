/**
 * Pure, exact merging of snapshots — of consecutive intervals, or of the same interval from several
 * workers or agents. Histograms of one configuration merge bucket by bucket, so percentiles of a
 * merge equal the percentiles of one histogram fed every sample. The merge is associative and
 * commutative; its output lists the series sorted by their canonical key.
 */
import { EngineError } from '../errors.js';
import { decodeHistogram, encodeHistogram, withHistograms } from './hdr.js';
import { seriesKey } from './series-key.js';
import type { MetricsSnapshot, SeriesSnapshot } from './types.js';

/** Merges two snapshots: window = [min start, max end], series with the same key merged. */
export function mergeSnapshots(a: MetricsSnapshot, b: MetricsSnapshot): MetricsSnapshot {
  const merged = new Map<string, SeriesSnapshot>();
  for (const s of a.series) add(merged, s, a.endMs);
  for (const s of b.series) add(merged, s, b.endMs);
  const keys = [...merged.keys()].sort();
  return {
    startMs: Math.min(a.startMs, b.startMs),
    endMs: Math.max(a.endMs, b.endMs),
    series: keys.map((k) => merged.get(k) as SeriesSnapshot),
  };
}

/** Merges any number of snapshots (left fold of {@link mergeSnapshots}); undefined for none. */
export function mergeAll(snapshots: readonly MetricsSnapshot[]): MetricsSnapshot | undefined {
  let out: MetricsSnapshot | undefined;
  for (const s of snapshots) out = out ? mergeSnapshots(out, s) : s;
  return out;
}

function add(into: Map<string, SeriesSnapshot>, s: SeriesSnapshot, snapshotEndMs: number): void {
  const key = seriesKey(s.metric, s.tags);
  const self = normalizeGauge(s, snapshotEndMs);
  const had = into.get(key);
  into.set(key, had ? mergeSeries(had, self) : self);
}

/** A gauge without `atMs` (older encodings, hand-built snapshots) holds at its snapshot's end. */
function normalizeGauge(s: SeriesSnapshot, snapshotEndMs: number): SeriesSnapshot {
  if (s.type !== 'gauge' || s.atMs !== undefined || s.count === 0) return s;
  return { ...s, atMs: snapshotEndMs };
}

/**
 * Merges two snapshots of one series (same metric, type, unit and tags). Throws an EngineError when
 * the types or units differ. Gauges keep the value with the latest `atMs`; values of the same
 * instant (several agents) add up.
 */
export function mergeSeries(x: SeriesSnapshot, y: SeriesSnapshot): SeriesSnapshot {
  if (x.type !== y.type || x.unit !== y.unit) {
    throw new EngineError(
      `metrics: cannot merge ${x.metric} as a ${x.type} (${x.unit}) with a ${y.type} (${y.unit}) of the same name and tags`,
    );
  }
  if (x.type === 'gauge') return mergeGauge(x, y);
  // An empty series is the identity of the merge.
  if (x.count === 0) return y;
  if (y.count === 0) return x;
  const base: SeriesSnapshot = {
    metric: x.metric,
    type: x.type,
    unit: x.unit,
    tags: x.tags,
    count: x.count + y.count,
    sum: x.sum + y.sum,
    min: Math.min(x.min, y.min),
    max: Math.max(x.max, y.max),
  };
  if (x.type !== 'trend') return base;
  const hist = mergeHist(x.hist, y.hist);
  return hist === undefined ? base : { ...base, hist };
}

function mergeHist(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  // Decoding checked both have rampart's configuration, so adding into one of them is exact.
  return withHistograms((keep) => {
    const h = keep(decodeHistogram(a));
    h.add(keep(decodeHistogram(b)));
    return encodeHistogram(h);
  });
}

function mergeGauge(x: SeriesSnapshot, y: SeriesSnapshot): SeriesSnapshot {
  if (x.atMs === undefined) return y.atMs === undefined ? { ...x, count: x.count + y.count } : { ...y, count: x.count + y.count };
  if (y.atMs === undefined) return { ...x, count: x.count + y.count };
  const sum = x.atMs > y.atMs ? x.sum : y.atMs > x.atMs ? y.sum : x.sum + y.sum;
  return {
    metric: x.metric,
    type: 'gauge',
    unit: x.unit,
    tags: x.tags,
    count: x.count + y.count,
    sum,
    min: Math.min(x.min, y.min),
    max: Math.max(x.max, y.max),
    atMs: Math.max(x.atMs, y.atMs),
  };
}
