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
 * and read percentiles are WebAssembly too (decoding is ~3× faster than into a JavaScript one), with
 * 64-bit buckets so counts merged from many agents cannot overflow; they are destroyed right after
 * use ({@link withHistograms}). Without WebAssembly everything falls back to the JavaScript ones.
 */
import { inflateSync } from 'node:zlib';
import type { Histogram } from 'hdr-histogram-js';
import { build } from 'hdr-histogram-js/dist/HistogramBuilder.js';
import { initWebAssemblySync, WasmHistogram } from 'hdr-histogram-js/dist/wasm/index.js';
// encoding.js also gives WasmHistogram its encodeIntoCompressedBase64 method.
import { decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js/dist/encoding.js';
import { EngineError } from '../errors.js';

export type { Histogram };

/**
 * The library's parts this file uses, loaded from their own files: its index also loads the log
 * reader and writer, whose module code builds an Intl number format (about 25 ms of a cold start
 * on the bench's machines, for nothing a run uses). The package has no `exports` map; the lockfile
 * pins it, and test/unit/metrics/hdr.test.ts checks these are the functions its index exports.
 * Exported for the layers above that read histograms themselves (the Prometheus output).
 */
export const hdrParts = { build, initWebAssemblySync, WasmHistogram, encodeIntoCompressedBase64, decodeFromCompressedBase64 };

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

/** HdrHistogram V2 cookies: compressed envelope and the encoding inside it. */
const COMPRESSED_COOKIE = 0x1c849304 | 0x10;
const V2_COOKIE_BASE = 0x1c849303;

/**
 * True when the WebAssembly histograms can be used. The library instantiates its module once per
 * process (about a millisecond) and keeps it; later calls return at once.
 */
function wasmReady(): boolean {
  try {
    initWebAssemblySync();
    return true;
  } catch {
    return false;
  }
}

/** Creates histograms that record samples. */
export type HistogramFactory = () => Histogram;

/**
 * Returns the factory of live (recording) histograms: WebAssembly with 32-bit buckets, or
 * JavaScript where WebAssembly is unavailable. Live histograms may hold memory outside the JS heap:
 * call `destroy()` on each one when it is no longer needed.
 */
export function liveHistogramFactory(): HistogramFactory {
  const useWebAssembly = wasmReady();
  return () => build({ ...CONFIG, bitBucketSize: 32, useWebAssembly });
}

/**
 * A histogram to merge into and read from: 64-bit buckets (counts merged from many agents cannot
 * overflow), WebAssembly when available. The caller destroys it — see {@link withHistograms}.
 */
export function createMergeHistogram(): Histogram {
  return build({ ...CONFIG, bitBucketSize: 64, useWebAssembly: wasmReady() });
}

/**
 * Runs `fn` with a `keep` function that registers histograms to destroy when `fn` returns or
 * throws, so transient WebAssembly memory is never leaked.
 */
export function withHistograms<T>(fn: (keep: (h: Histogram) => Histogram) => T): T {
  const kept: Histogram[] = [];
  try {
    return fn((h) => {
      kept.push(h);
      return h;
    });
  } finally {
    for (const h of kept) h.destroy();
  }
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

/** Encodes a histogram in the HdrHistogram V2 compressed base64 format (any HdrHistogram reads it). */
export function encodeHistogram(h: Histogram): string {
  return encodeIntoCompressedBase64(h);
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function bad(what: string, cause?: unknown): never {
  throw new EngineError(`invalid metrics histogram: ${what}`, cause === undefined ? undefined : { cause });
}

/**
 * Decodes an encoded histogram into a merge histogram (64-bit buckets; the caller destroys it),
 * checking that it has rampart's configuration — otherwise merging would not be exact. Throws an
 * EngineError on anything else.
 */
export function decodeHistogram(text: string): Histogram {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !BASE64.test(text)) bad('not an encoded HDR histogram (base64)');
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length < 8 || (bytes.readInt32BE(0) & ~0xf0) !== (COMPRESSED_COOKIE & ~0xf0)) bad('not a compressed HDR histogram (V2)');
  const length = bytes.readInt32BE(4);
  if (length < 0 || 8 + length > bytes.length) bad('truncated');
  let inner: Buffer;
  try {
    inner = inflateSync(bytes.subarray(8, 8 + length));
  } catch (cause) {
    bad(cause instanceof Error ? cause.message : String(cause), cause);
  }
  // V2 header: cookie, payload length, normalizing offset, digits (int32 each), lowest, highest (int64).
  if (inner.length < 40 || (inner.readInt32BE(0) & ~0xf0) !== (V2_COOKIE_BASE & ~0xf0)) bad('not an HDR histogram encoding (V2)');
  const digits = inner.readInt32BE(12);
  const lowest = Number(inner.readBigInt64BE(16));
  const highest = Number(inner.readBigInt64BE(24));
  if (digits !== HIST_DIGITS || lowest !== HIST_LOWEST || highest !== HIST_HIGHEST) {
    bad(
      `expected ${HIST_DIGITS} significant digits over ${HIST_LOWEST}..${HIST_HIGHEST}, ` +
        `got ${digits} digits over ${lowest}..${highest}`,
    );
  }
  try {
    return wasmReady() ? WasmHistogram.decode(new Uint8Array(inner), 64) : decodeFromCompressedBase64(text, 64, false);
  } catch (cause) {
    bad(cause instanceof Error ? cause.message : String(cause), cause);
  }
}
