/**
 * The metrics registry: the MetricsSink of one run. It hands out one cached handle per series
 * (metric + tag set), caps the number of series, and produces interval and cumulative snapshots.
 * Memory is bounded by the number of series, never by the number of samples.
 */
import { EngineError } from '../errors.js';
import { liveHistogramFactory } from './hdr.js';
import type { HistogramFactory } from './hdr.js';
import { canonicalTags, seriesKey } from './series-key.js';
import { CounterSeries, GaugeSeries, RateSeries } from './series.js';
import { TrendSeries } from './trend-series.js';
import type { LiveSeries } from './series.js';
import type {
  CounterHandle,
  GaugeHandle,
  MetricsSink,
  MetricsSnapshot,
  MetricType,
  MetricUnit,
  RateHandle,
  SeriesSnapshot,
  Tags,
  TrendHandle,
} from './types.js';

/** Default cap on distinct series (metric + tag set) per registry. */
export const DEFAULT_MAX_SERIES = 10_000;

/** The tags of the one overflow series per metric that takes samples beyond the series cap. */
export const OVERFLOW_TAGS: Tags = Object.freeze({ overflow: 'true' });

export interface RegistryOptions {
  /** Distinct series (all metrics together) before new tag sets go to the overflow series. Default 10,000. */
  maxSeries?: number;
  /** Called once, the first time the cap is reached. Default: ignore. */
  onWarning?: (message: string) => void;
  /** Clock in ms since the epoch. Default Date.now. */
  now?: () => number;
}

/** A MetricsSink that also produces snapshots. One per run (per worker). */
export interface MetricsRegistry extends MetricsSink {
  /**
   * Everything recorded since the previous call (or since creation), as a snapshot whose window is
   * [previous call, now]; folds it into the cumulative state. Gauges are carried with their last value.
   * Series without samples in the interval are left out (gauges excepted).
   */
  takeInterval(): MetricsSnapshot;
  /** Everything recorded since creation (including what no interval took yet); window [creation, now]. */
  cumulative(): MetricsSnapshot;
  /** Distinct series so far, overflow series included. */
  readonly seriesCount: number;
  /** Frees the histograms' memory (held outside the JS heap). The registry must not be used afterwards. */
  dispose(): void;
}

type SeriesSpec =
  | { type: 'trend'; unit: 'us' | 'raw' }
  | { type: 'counter'; unit: 'bytes' | 'count' }
  | { type: 'rate'; unit: 'count' }
  | { type: 'gauge'; unit: 'count' };

/** Creates an empty registry. See {@link RegistryOptions} for the defaults. */
export function createRegistry(opts: RegistryOptions = {}): MetricsRegistry {
  const maxSeries = opts.maxSeries ?? DEFAULT_MAX_SERIES;
  if (!Number.isInteger(maxSeries) || maxSeries < 1) {
    throw new EngineError(`metrics: maxSeries must be a positive integer, got ${String(maxSeries)}`);
  }
  const now = opts.now ?? Date.now;
  const onWarning = opts.onWarning;
  // Made now, not at the first sample: the first use instantiates the WebAssembly histograms (tens
  // of ms in a cold process), which a registry made before a load must not leave to its first request.
  const newHist: HistogramFactory = liveHistogramFactory();

  const byKey = new Map<string, LiveSeries>();
  const overflowByMetric = new Map<string, LiveSeries>();
  const all: LiveSeries[] = [];
  const specs = new Map<string, { type: MetricType; unit: MetricUnit }>();
  const startMs = now();
  let lastTakeMs = startMs;
  let regular = 0;
  let warned = false;
  let disposed = false;

  function create(metric: string, tags: Tags, key: string, spec: SeriesSpec): LiveSeries {
    const id = { key, metric, tags: canonicalTags(tags) };
    switch (spec.type) {
      case 'trend':
        return new TrendSeries(id, spec.unit, newHist);
      case 'counter':
        return new CounterSeries(id, spec.unit);
      case 'rate':
        return new RateSeries(id);
      case 'gauge':
        return new GaugeSeries(id);
    }
  }

  function get(metric: string, tags: Tags, spec: SeriesSpec): LiveSeries {
    if (disposed) throw new EngineError('metrics: the registry was disposed');
    const key = seriesKey(metric, tags);
    const found = byKey.get(key);
    if (found) {
      if (found.type !== spec.type || found.unit !== spec.unit) conflict(metric, found, spec);
      return found;
    }
    const known = specs.get(metric);
    if (known && (known.type !== spec.type || known.unit !== spec.unit)) conflict(metric, known, spec);
    if (regular < maxSeries) {
      const series = create(metric, tags, key, spec);
      regular++;
      byKey.set(key, series);
      all.push(series);
      specs.set(metric, { type: spec.type, unit: spec.unit });
      return series;
    }
    return overflow(metric, spec);
  }

  function overflow(metric: string, spec: SeriesSpec): LiveSeries {
    if (!warned) {
      warned = true;
      onWarning?.(
        `metrics: more than ${maxSeries} series (metric + tag set); samples of new tag sets are recorded under ` +
          `{overflow: "true"} — a tag with unbounded values (an id, a URL with parameters) is the usual cause`,
      );
    }
    let series = overflowByMetric.get(metric);
    if (!series) {
      const key = seriesKey(metric, OVERFLOW_TAGS);
      // The user's own {overflow: "true"} series, when it exists, doubles as the overflow series.
      series = byKey.get(key) ?? create(metric, OVERFLOW_TAGS, key, spec);
      if (!byKey.has(key)) {
        byKey.set(key, series);
        all.push(series);
      }
      overflowByMetric.set(metric, series);
      specs.set(metric, { type: spec.type, unit: spec.unit });
    }
    return series;
  }

  return {
    trend(metric: string, tags: Tags, unit: 'us' | 'raw' = 'us'): TrendHandle {
      return get(metric, tags, { type: 'trend', unit }) as TrendSeries;
    },
    counter(metric: string, tags: Tags, unit: 'bytes' | 'count' = 'count'): CounterHandle {
      return get(metric, tags, { type: 'counter', unit }) as CounterSeries;
    },
    rate(metric: string, tags: Tags): RateHandle {
      return get(metric, tags, { type: 'rate', unit: 'count' }) as RateSeries;
    },
    gauge(metric: string, tags: Tags): GaugeHandle {
      return get(metric, tags, { type: 'gauge', unit: 'count' }) as GaugeSeries;
    },
    takeInterval(): MetricsSnapshot {
      if (disposed) throw new EngineError('metrics: the registry was disposed');
      const endMs = Math.max(now(), lastTakeMs);
      const series: SeriesSnapshot[] = [];
      for (const s of all) {
        const snap = s.interval(endMs);
        if (snap) series.push(snap);
        s.fold();
      }
      const out: MetricsSnapshot = { startMs: lastTakeMs, endMs, series };
      lastTakeMs = endMs;
      return out;
    },
    cumulative(): MetricsSnapshot {
      if (disposed) throw new EngineError('metrics: the registry was disposed');
      const endMs = Math.max(now(), lastTakeMs);
      return { startMs, endMs, series: all.map((s) => s.total(endMs)) };
    },
    get seriesCount(): number {
      return byKey.size;
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      for (const s of all) s.dispose();
    },
  };
}

function conflict(metric: string, had: { type: MetricType; unit: MetricUnit }, asked: SeriesSpec): never {
  throw new EngineError(
    `metrics: ${metric} is a ${had.type} (${had.unit}); it cannot also be recorded as a ${asked.type} (${asked.unit})`,
  );
}
