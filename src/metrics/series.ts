/**
 * Live series: the handles producers record into. Each one holds the state of the current interval
 * (plain number fields and, for trends, one live histogram) and the cumulative state it is folded
 * into once per interval. Recording is a few field updates (and one histogram record): no strings,
 * no allocation.
 */
import type {
  CounterHandle,
  GaugeHandle,
  MetricType,
  MetricUnit,
  RateHandle,
  SeriesSnapshot,
  Tags,
} from './types.js';

/** What the registry needs from every live series. */
export interface LiveSeries {
  readonly key: string;
  readonly metric: string;
  readonly type: MetricType;
  readonly unit: MetricUnit;
  readonly tags: Tags;
  /** The interval's state as a snapshot series, or undefined when nothing happened in it. */
  interval(atMs: number): SeriesSnapshot | undefined;
  /** Everything so far (cumulative plus the pending interval), without changing any state. */
  total(atMs: number): SeriesSnapshot;
  /** Adds the interval's state to the cumulative one and starts a new interval. */
  fold(): void;
  /** Frees histogram memory. The series must not be used afterwards. */
  dispose(): void;
}

/** A series' name and tags. */
export interface Identity {
  readonly key: string;
  readonly metric: string;
  readonly tags: Tags;
}

/** A snapshot series from a live series' state (min/max 0 when empty). */
export function snap(
  id: Identity,
  type: MetricType,
  unit: MetricUnit,
  count: number,
  sum: number,
  min: number,
  max: number,
  extra?: { hist?: string; atMs?: number },
): SeriesSnapshot {
  const empty = count === 0;
  return {
    metric: id.metric,
    type,
    unit,
    tags: id.tags,
    count,
    sum,
    min: empty ? 0 : min,
    max: empty ? 0 : max,
    ...(extra?.hist !== undefined ? { hist: extra.hist } : {}),
    ...(extra?.atMs !== undefined ? { atMs: extra.atMs } : {}),
  };
}

/** A counter: count = number of adds, sum = total added. */
export class CounterSeries implements CounterHandle, LiveSeries {
  readonly type = 'counter' as const;
  readonly key: string;
  readonly metric: string;
  readonly tags: Tags;
  readonly unit: 'bytes' | 'count';
  private count = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;
  private cumCount = 0;
  private cumSum = 0;
  private cumMin = Infinity;
  private cumMax = -Infinity;

  constructor(id: Identity, unit: 'bytes' | 'count') {
    this.key = id.key;
    this.metric = id.metric;
    this.tags = id.tags;
    this.unit = unit;
  }

  /** Adds n (default use: 1 per event, bytes per response). Non-finite values are ignored. */
  add(n: number): void {
    if (!Number.isFinite(n)) return;
    this.count++;
    this.sum += n;
    if (n < this.min) this.min = n;
    if (n > this.max) this.max = n;
  }

  interval(): SeriesSnapshot | undefined {
    return this.count === 0 ? undefined : snap(this, 'counter', this.unit, this.count, this.sum, this.min, this.max);
  }

  total(): SeriesSnapshot {
    return snap(this, 'counter', this.unit, this.cumCount + this.count, this.cumSum + this.sum, Math.min(this.cumMin, this.min), Math.max(this.cumMax, this.max));
  }

  fold(): void {
    if (this.count === 0) return;
    this.cumCount += this.count;
    this.cumSum += this.sum;
    if (this.min < this.cumMin) this.cumMin = this.min;
    if (this.max > this.cumMax) this.cumMax = this.max;
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }

  dispose(): void {}
}

/** A rate: count = samples, sum = trues; min/max are 0 or 1. */
export class RateSeries implements RateHandle, LiveSeries {
  readonly type = 'rate' as const;
  readonly unit = 'count' as const;
  readonly key: string;
  readonly metric: string;
  readonly tags: Tags;
  private count = 0;
  private trues = 0;
  private cumCount = 0;
  private cumTrues = 0;

  constructor(id: Identity) {
    this.key = id.key;
    this.metric = id.metric;
    this.tags = id.tags;
  }

  add(ok: boolean): void {
    this.count++;
    if (ok) this.trues++;
  }

  private build(count: number, trues: number): SeriesSnapshot {
    return snap(this, 'rate', 'count', count, trues, trues === count ? 1 : 0, trues > 0 ? 1 : 0);
  }

  interval(): SeriesSnapshot | undefined {
    return this.count === 0 ? undefined : this.build(this.count, this.trues);
  }

  total(): SeriesSnapshot {
    return this.build(this.cumCount + this.count, this.cumTrues + this.trues);
  }

  fold(): void {
    this.cumCount += this.count;
    this.cumTrues += this.trues;
    this.count = 0;
    this.trues = 0;
  }

  dispose(): void {}
}

/**
 * A gauge: the last value set, with min/max. An interval snapshot carries the current value even when
 * it was not set during the interval (min = max = value then); sum is the value.
 */
export class GaugeSeries implements GaugeHandle, LiveSeries {
  readonly type = 'gauge' as const;
  readonly unit = 'count' as const;
  readonly key: string;
  readonly metric: string;
  readonly tags: Tags;
  private value = 0;
  private count = 0;
  private min = Infinity;
  private max = -Infinity;
  private cumCount = 0;
  private cumMin = Infinity;
  private cumMax = -Infinity;

  constructor(id: Identity) {
    this.key = id.key;
    this.metric = id.metric;
    this.tags = id.tags;
  }

  set(value: number): void {
    if (!Number.isFinite(value)) return;
    this.value = value;
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  interval(atMs: number): SeriesSnapshot | undefined {
    if (this.count === 0 && this.cumCount === 0) return undefined;
    const min = this.count === 0 ? this.value : this.min;
    const max = this.count === 0 ? this.value : this.max;
    return { ...snap(this, 'gauge', 'count', this.count, this.value, min, max), min, max, atMs };
  }

  total(atMs: number): SeriesSnapshot {
    const count = this.cumCount + this.count;
    return snap(this, 'gauge', 'count', count, this.value, Math.min(this.cumMin, this.min), Math.max(this.cumMax, this.max), count > 0 ? { atMs } : undefined);
  }

  fold(): void {
    this.cumCount += this.count;
    if (this.min < this.cumMin) this.cumMin = this.min;
    if (this.max > this.cumMax) this.cumMax = this.max;
    this.count = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }

  dispose(): void {}
}
