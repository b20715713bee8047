import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseThresholdExpression, parseThresholdKey, ThresholdSyntaxError } from '../../../src/thresholds/parse.js';

const exprChars = fc.constantFrom('p', '(', ')', '9', '5', '.', ' ', '<', '>', '=', '!', '%', 'ms', 's', 'm', 'avg', 'rate', 'count', '-', 'x');
const keyChars = fc.constantFrom('a', '.', '{', '}', ':', ',', '"', "'", '\\', ' ', 'step', '1', '_');

function typedOrOk(fn: () => unknown, src: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ThresholdSyntaxError);
    const e = err as ThresholdSyntaxError;
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(src.length);
  }
}

describe('threshold parsing on random input', () => {
  it('parseThresholdExpression returns or throws ThresholdSyntaxError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.array(exprChars, { maxLength: 12 }).map((a) => a.join(''))), (src) => {
        typedOrOk(() => parseThresholdExpression(src), src);
      }),
      { numRuns: 5000 },
    );
  });

  it('parseThresholdKey returns or throws ThresholdSyntaxError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.array(keyChars, { maxLength: 16 }).map((a) => a.join(''))), (src) => {
        typedOrOk(() => parseThresholdKey(src), src);
      }),
      { numRuns: 5000 },
    );
  });

  it('well-formed expressions parse to what they say', () => {
    const agg = fc.oneof(
      fc.integer({ min: 1, max: 1000 }).map((n) => ({ text: `p(${n / 10})`, agg: { fn: 'p', percentile: n / 10 } })),
      fc.constantFrom('avg', 'min', 'max', 'med', 'sum').map((fn) => ({ text: fn, agg: { fn } })),
    );
    const op = fc.constantFrom('<', '<=', '>', '>=', '==', '!=');
    const unit = fc.constantFrom<[string, number]>(['', 1], ['ms', 1], ['s', 1000], ['m', 60_000]);
    fc.assert(
      fc.property(agg, op, fc.integer({ min: 0, max: 100_000 }), unit, fc.constantFrom('', ' ', '  '), (a, o, n, [u, factor], sp) => {
        const src = `${a.text}${sp}${o}${sp}${n}${u}`;
        expect(parseThresholdExpression(src)).toEqual({ source: src, agg: a.agg, op: o, value: n * factor });
      }),
      { numRuns: 2000 },
    );
  });

  it('rates in percent equal the same rate as a fraction', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (n) => {
        const pct = parseThresholdExpression(`rate < ${n / 10}%`).value;
        expect(pct).toBeCloseTo(n / 1000, 12);
        expect(parseThresholdExpression(`rate < ${n / 1000}`).value).toBe(n / 1000);
      }),
      { numRuns: 1000 },
    );
  });

  it('quoted tag values round-trip whatever they contain', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (a, b) => {
        const q = (s: string): string => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
        const key = `http.latency{step:${q(a)}, method:${q(b)}}`;
        expect(parseThresholdKey(key)).toEqual({ metric: 'http.latency', filter: { step: a, method: b } });
      }),
      { numRuns: 2000 },
    );
  });
});
