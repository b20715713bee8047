/**
 * The one place where rampart's HDR histograms are configured. Every histogram in rampart has the
 * same configuration, so any two of them merge exactly (bucket by bucket):
 *
 * - integers from 1 to 300,000,000 (1 µs – 5 min when the unit is µs), 3 significant digits;
 * - values below 0 are recorded as 0 and values above the top as the top; the exact min, max and
 *   sum are kept beside the histogram by the series, so only percentiles see the clamp;
 * - `raw` trends (custom values) are scaled by {@link RAW_SCALE} before recording so that three
 *   decimals survive the integer histogram; time trends record µs as they are.
 *
 * Implementation choice, measured on Node 20 with this range (bench/metrics-record.ts and a
 * comparison of the variants):
 * - recording into the JavaScript histograms costs ~85 ns per value whatever the bucket size (the
 *   bucket index is computed with Math.log2/Math.pow), packed JS ~500 ns;
 * - recording into the WebAssembly histogram with 32-bit buckets costs ~20 ns per value (64-bit
 *   buckets: the same speed, twice the memory; packed WebAssembly ~220 ns).
 * So the live histograms, which take every sample, are WebAssembly with 32-bit buckets (~80 KB
 * each; 2^31 samples per bucket is far beyond any run). Histograms that only exist to decode, merge
 * and read percentiles are plain JavaScript with 64-bit float buckets: they need no explicit
 * `destroy()`, and counts merged from many agents cannot overflow.
 */
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { EngineError } from '../errors.js';

export type { Histogram };

/** Lowest value distinguished from 0 (1 µs for time trends). */
export const HIST_LOWEST = 1;
/** Highest recordable value: 5 minutes in µs. Larger values are recorded as this. */
export const HIST_HIGHEST = 300_000_000;
/** Significant decimal digits kept by every histogram. */
export const HIST_DIGITS = 3;
/** `raw` trends record `value × RAW_SCALE` so three decimals survive. */
export const RAW_SCALE = 1000;

const CONFIG = {
  autoResize: false,
  lowestDiscernibleValue: HIST_LOWEST,
  highestTrackableValue: HIST_HIGHEST,
  numberOfSignificantValueDigits: HIST_DIGITS,
} as const;

/** Creates histograms that record samples: WebAssembly when available, else JavaScript. */
export type HistogramFactory = () => Histogram;

/**
 * Returns the factory of live (recording) histograms. The first call instantiates the WebAssembly
 * module (about a millisecond; the library keeps it for the process). Live histograms hold memory
 * outside the JS heap: call `destroy()` on each one when it is no longer needed.
 */
export function liveHistogramFactory(): HistogramFactory {
  let wasm = false;
  try {
    hdr.initWebAssemblySync();
    wasm = true;
  } catch {
    wasm = false;
  }
  return wasm
    ? () => hdr.build({ ...CONFIG, bitBucketSize: 32, useWebAssembly: true })
    : () => hdr.build({ ...CONFIG, bitBucketSize: 32, useWebAssembly: false });
}

/** A JavaScript histogram (64-bit float buckets) to merge into and read from. No destroy needed. */
export function createMergeHistogram(): Histogram {
  return hdr.build({ ...CONFIG, bitBucketSize: 64, useWebAssembly: false });
}

/**
 * Converts a recorded value into the integer the histogram takes: scaled (raw trends), rounded,
 * clamped to [0, HIST_HIGHEST]. Allocation-free; callers guarantee a finite number.
 */
export function toHistValue(value: number, scale: number): number {
  const v = value * scale;
  if (v <= 0) return 0;
  if (v >= HIST_HIGHEST) return HIST_HIGHEST;
  return (v + 0.5) | 0;
}

/** Encodes a histogram in the HdrHistogram V2 compressed base64 format. */
export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Decodes an encoded histogram into a merge histogram, checking that it has rampart's configuration
 * (otherwise merging would not be exact). Throws an EngineError on anything else.
 */
export function decodeHistogram(text: string): Histogram {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !BASE64.test(text)) {
    throw new EngineError('invalid metrics histogram: not an encoded HDR histogram (base64)');
  }
  let decoded: Histogram;
  try {
    decoded = hdr.decodeFromCompressedBase64(text, 64, false);
  } catch (cause) {
    throw new EngineError(`invalid metrics histogram: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  if (decoded.numberOfSignificantValueDigits !== HIST_DIGITS || (decoded.totalCount > 0 && decoded.maxValue > HIST_HIGHEST * 1.001)) {
    throw new EngineError(
      `invalid metrics histogram: expected ${HIST_DIGITS} significant digits and values up to ${HIST_HIGHEST}, ` +
        `got ${decoded.numberOfSignificantValueDigits} digits and a maximum of ${decoded.maxValue}`,
    );
  }
  // Re-home into the canonical configuration so every merge target is identical.
  const out = createMergeHistogram();
  out.add(decoded);
  return out;
}
