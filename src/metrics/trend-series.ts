/** The live series of a trend (see series.ts): exact count/sum/min/max plus an HDR histogram. */
import { encodeHistogram, RAW_SCALE, toHistValue } from './hdr.js';
import type { Histogram, HistogramFactory } from './hdr.js';
import type { SeriesSnapshot, Tags, TrendHandle } from './types.js';
import { snap, type Identity, type LiveSeries } from './series.js';

/** A trend: exact count/sum/min/max in the recorded unit plus an HDR histogram. */
export class TrendSeries implements TrendHandle, LiveSeries {
  readonly type = 'trend' as const;
  readonly key: string;
  readonly metric: string;
  readonly tags: Tags;
  readonly unit: 'us' | 'raw';
  private readonly scale: number;
  private readonly hist: Histogram;
  private count = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;
  private cumHist: Histogram | undefined;
  private cumCount = 0;
  private cumSum = 0;
  private cumMin = Infinity;
  private cumMax = -Infinity;
  /** The encoded cumulative histogram, until the next fold changes it (idle series encode once). */
  private cumText: string | undefined;

  constructor(id: Identity, unit: 'us' | 'raw', private readonly newHist: HistogramFactory) {
    this.key = id.key;
    this.metric = id.metric;
    this.tags = id.tags;
    this.unit = unit;
    this.scale = unit === 'raw' ? RAW_SCALE : 1;
    this.hist = newHist();
  }

  /** Records one value in the metric's unit (µs, or the raw value). Non-finite values are ignored. */
  record(value: number): void {
    if (!Number.isFinite(value)) return;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.hist.recordValue(toHistValue(value, this.scale));
  }

  interval(): SeriesSnapshot | undefined {
    if (this.count === 0) return undefined;
    return snap(this, 'trend', this.unit, this.count, this.sum, this.min, this.max, { hist: encodeHistogram(this.hist) });
  }

  total(): SeriesSnapshot {
    const count = this.cumCount + this.count;
    let hist: string | undefined;
    if (this.count === 0) {
      if (this.cumHist && this.cumCount > 0) hist = this.cumText ??= encodeHistogram(this.cumHist);
    } else if (!this.cumHist || this.cumCount === 0) {
      hist = encodeHistogram(this.hist);
    } else {
      const both = this.newHist();
      try {
        both.add(this.cumHist);
        both.add(this.hist);
        hist = encodeHistogram(both);
      } finally {
        both.destroy();
      }
    }
    return snap(this, 'trend', this.unit, count, this.cumSum + this.sum, Math.min(this.cumMin, this.min), Math.max(this.cumMax, this.max), hist === undefined ? undefined : { hist });
  }

  fold(): void {
    if (this.count === 0) return;
    this.cumHist ??= this.newHist();
    this.cumHist.add(this.hist);
    this.cumText = undefined;
    this.cumCount += this.count;
    this.cumSum += this.sum;
    if (this.min < this.cumMin) this.cumMin = this.min;
    if (this.max > this.cumMax) this.cumMax = this.max;
    this.hist.reset();
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }

  dispose(): void {
    this.hist.destroy();
    this.cumHist?.destroy();
    this.cumHist = undefined;
  }
}
