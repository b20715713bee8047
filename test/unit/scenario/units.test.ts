import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatDuration, parseDuration, parseFraction, parseSize, UnitError } from '../../../src/scenario/units.js';
import { ERROR_CODES } from '../../../src/errors.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['5s', 5000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['1.1s', 1100],
    ['0.001s', 1],
    ['1m30s', 90_000],
    ['1h30m', 5_400_000],
    ['1h2m3s', 3_723_000],
    ['2s500ms', 2500],
    ['0.5ms', 0.5],
    ['0s', 0],
    ['1.5m', 90_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['5', 1, /"5" has no unit: write 5s or 5ms/],
    ['1.5', 3, /write 1.5s or 1.5ms/],
    ['', 0, /empty/],
    ['5x', 1, /unknown duration unit "x"/],
    ['5S', 1, /unknown duration unit "S"/],
    ['5 s', 1, /no spaces inside a duration: write "5s"/],
    ['-5s', 0, /cannot be negative/],
    ['1s1m', 3, /largest to smallest/],
    ['1s1s', 3, /largest to smallest/],
    ['1m30', 4, /missing unit after 30/],
    ['s', 0, /expected a duration/],
    ['.5s', 0, /expected a duration/],
    [' 5s', 0, /expected a duration/],
    ['5s ', 2, /expected a number after the unit/],
  ])('rejects %j at offset %d', (text, offset, message) => {
    try {
      parseDuration(text);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UnitError);
      const e = err as UnitError;
      expect(e.offset).toBe(offset);
      expect(e.message).toMatch(message);
      expect(e.code).toBe(ERROR_CODES.DURATION);
    }
  });

  it('rejects absurdly large durations', () => {
    expect(() => parseDuration(`${'9'.repeat(400)}h`)).toThrow(/too large/);
  });

  it('only ever returns a finite number or throws UnitError (random input)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9.]{0,6}(ms|s|m|h|x)?([0-9.]{0,4}(ms|s|m|h))?$/)), (text) => {
        try {
          const ms = parseDuration(text);
          expect(Number.isFinite(ms) && ms >= 0).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(UnitError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [250, '250ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [1250, '1.25s'],
    [60_000, '1m'],
    [60_500, '1m500ms'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [3_723_000, '1h2m3s'],
    [0.25, '0.25ms'],
    [-5, '-5ms'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips with parseDuration for whole milliseconds', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10 * 24 * 3_600_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseFraction', () => {
  it.each([
    ['1%', 0.01],
    ['50%', 0.5],
    ['99.9%', 0.999],
    ['0.01', 0.01],
    [' 5 % ', 0.05],
    [0.01, 0.01],
    [0, 0],
    [1, 1],
    ['100%', 1],
  ] as const)('%j → %d', (v, f) => {
    expect(parseFraction(v)).toBe(f);
  });

  it.each([['101%'], [1.5], [-0.1], ['abc'], ['5%%'], [''], [Number.NaN], ['-1%']] as const)('rejects %j', (v) => {
    expect(() => parseFraction(v)).toThrow(UnitError);
  });

  it('names the range in its message', () => {
    expect(() => parseFraction('150%')).toThrow(/between 0 and 1/);
  });
});

describe('parseSize', () => {
  it.each([
    ['512', 512],
    ['0', 0],
    ['10B', 10],
    ['10KB', 10_000],
    ['10kb', 10_000],
    ['10MB', 10_000_000],
    ['1GB', 1e9],
    ['1KiB', 1024],
    ['1.5KiB', 1536],
    ['10 MiB', 10 * 1024 * 1024],
    ['1GiB', 1024 ** 3],
    ['2TiB', 2 * 1024 ** 4],
  ])('%s → %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each([
    ['10XB', 2],
    ['', 0],
    ['MB', 0],
    ['10  MB', 3],
    ['-1KB', 0],
  ])('rejects %j at offset %d', (text, offset) => {
    try {
      parseSize(text);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UnitError);
      expect((err as UnitError).offset).toBe(offset);
    }
  });
});
