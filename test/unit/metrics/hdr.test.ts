import { describe, expect, it } from 'vitest';
import * as hdrLib from 'hdr-histogram-js';
import { createMergeHistogram, decodeHistogram, encodeHistogram, hdrParts, HIST_HIGHEST, liveHistogramFactory, toHistValue } from '../../../src/metrics/hdr.js';
import { EngineError } from '../../../src/errors.js';

describe('hdr configuration', () => {
  it("loads the library's parts from their own files: the functions and class its index exports", () => {
    // src/metrics/hdr.ts skips the index (its log writer builds an Intl format at load); a library
    // upgrade that moves these files fails here.
    expect(hdrParts.build).toBe(hdrLib.build);
    expect(hdrParts.initWebAssemblySync).toBe(hdrLib.initWebAssemblySync);
    expect(hdrParts.WasmHistogram).toBe(hdrLib.WasmHistogram);
    expect(hdrParts.encodeIntoCompressedBase64).toBe(hdrLib.encodeIntoCompressedBase64);
    expect(hdrParts.decodeFromCompressedBase64).toBe(hdrLib.decodeFromCompressedBase64);
  });

  it('converts values to the recorded integers: rounded, scaled, clamped', () => {
    expect(toHistValue(1234.4, 1)).toBe(1234);
    expect(toHistValue(1234.5, 1)).toBe(1235);
    expect(toHistValue(-3, 1)).toBe(0);
    expect(toHistValue(1e12, 1)).toBe(HIST_HIGHEST);
    expect(toHistValue(1.2345, 1000)).toBe(1235);
  });

  it('encodes live and merge histograms identically for identical samples', () => {
    const live = liveHistogramFactory()();
    const merge = createMergeHistogram();
    try {
      for (const v of [0, 1, 999, 1000, 54_321, HIST_HIGHEST]) {
        live.recordValue(v);
        merge.recordValue(v);
      }
      expect(encodeHistogram(live)).toBe(encodeHistogram(merge));
      const back = decodeHistogram(encodeHistogram(live));
      expect(back.totalCount).toBe(6);
      expect(back.getValueAtPercentile(50)).toBe(999);
      expect(encodeHistogram(back)).toBe(encodeHistogram(live));
      back.destroy();
      // The library's own decoder reads what rampart writes.
      expect(hdrLib.decodeFromCompressedBase64(encodeHistogram(live), 64, false).totalCount).toBe(6);
    } finally {
      live.destroy();
      merge.destroy();
    }
  });

  it('rejects text that is not a histogram, or one with another precision', () => {
    expect(() => decodeHistogram('garbage!')).toThrow(EngineError);
    expect(() => decodeHistogram('AAAA')).toThrow(EngineError);
    const other = hdrLib.build({ numberOfSignificantValueDigits: 2 });
    other.recordValue(10);
    expect(() => decodeHistogram(hdrLib.encodeIntoCompressedBase64(other))).toThrow(/significant digits/);
    const wide = hdrLib.build({ highestTrackableValue: 10 ** 12, autoResize: false });
    wide.recordValue(10);
    expect(() => decodeHistogram(hdrLib.encodeIntoCompressedBase64(wide))).toThrow(/over 1\.\.1000000000000/);
    // Valid base64, valid envelope, corrupted compressed bytes.
    const good = Buffer.from(hdrLib.encodeIntoCompressedBase64(other), 'base64');
    good.fill(7, 10);
    expect(() => decodeHistogram(good.toString('base64'))).toThrow(EngineError);
  });
});
