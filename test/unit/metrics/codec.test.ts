import { describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot } from '../../../src/metrics/codec.js';
import { createRegistry } from '../../../src/metrics/registry.js';
import { ERROR_CODES, EngineError } from '../../../src/errors.js';
import type { MetricsSnapshot } from '../../../src/metrics/types.js';

function sample(): MetricsSnapshot {
  let t = 5000;
  const r = createRegistry({ now: () => t });
  try {
    const lat = r.trend('http.latency', { step: 'home', method: 'GET' });
    for (let i = 1; i <= 500; i++) lat.record(i * 37);
    r.trend('cart.value', { journey: 'buy' }, 'raw').record(12.345);
    r.counter('http.requests', { status: '200' }).add(1);
    r.counter('data.received', {}, 'bytes').add(2048);
    r.rate('checks', { check: 'ok' }).add(true);
    r.rate('checks', { check: 'ok' }).add(false);
    r.gauge('vus', {}).set(7);
    t = 6000;
    return r.takeInterval();
  } finally {
    r.dispose();
  }
}

function expectDecodeError(text: string, pattern: RegExp): void {
  let caught: unknown;
  try {
    decodeSnapshot(text);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(EngineError);
  expect((caught as EngineError).code).toBe(ERROR_CODES.ENGINE);
  expect((caught as EngineError).message).toMatch(pattern);
}

describe('encodeSnapshot / decodeSnapshot', () => {
  it('round-trips every metric type exactly', () => {
    const s = sample();
    const text = encodeSnapshot(s);
    expect(typeof text).toBe('string');
    const back = decodeSnapshot(text);
    expect(back).toEqual(s);
    expect(encodeSnapshot(back)).toBe(text);
  });

  it('is compact: metric names once, one short row per series', () => {
    const s = sample();
    const text = encodeSnapshot(s);
    expect(text.split('"http.latency"')).toHaveLength(2);
    expect(text.length).toBeLessThan(JSON.stringify(s).length);
  });

  it('round-trips an empty snapshot', () => {
    const s: MetricsSnapshot = { startMs: 1, endMs: 2, series: [] };
    expect(decodeSnapshot(encodeSnapshot(s))).toEqual(s);
  });

  it('rejects garbage with a typed error naming the problem', () => {
    const good = JSON.parse(encodeSnapshot(sample())) as { x: unknown[][]; [k: string]: unknown };
    const withRow = (i: number, value: unknown): string => {
      const copy = structuredClone(good);
      (copy.x[0] as unknown[])[i] = value;
      return JSON.stringify(copy);
    };
    expectDecodeError('not json', /not JSON/);
    expectDecodeError('[]', /not an object/);
    expectDecodeError(JSON.stringify({ ...good, v: 2 }), /version/);
    expectDecodeError(JSON.stringify({ ...good, s: 'x' }), /start/);
    expectDecodeError(JSON.stringify({ ...good, e: 0 }), /end is before start/);
    expectDecodeError(JSON.stringify({ ...good, m: [1] }), /metric names/);
    expectDecodeError(JSON.stringify({ ...good, x: {} }), /series is not an array/);
    expectDecodeError(withRow(0, 99), /metric index/);
    expectDecodeError(withRow(1, 'z'), /unknown type/);
    expectDecodeError(withRow(1, 'toString'), /unknown type/);
    expectDecodeError(withRow(2, 'b'), /unit "b" does not fit a trend/);
    expectDecodeError(withRow(3, ['lonely']), /tags/);
    expectDecodeError(withRow(4, -1), /count/);
    expectDecodeError(withRow(4, 1.5), /count/);
    expectDecodeError(withRow(5, null), /sum/);
    expectDecodeError(withRow(6, 1e12), /min is above max/);
    expectDecodeError(withRow(8, 0), /no histogram/);
    expectDecodeError(JSON.stringify({ ...good, x: [[0, 't']] }), /9- or 10-item/);
  });
});
