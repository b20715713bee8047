import { describe, expect, it } from 'vitest';
import { canonicalTags, hasTags, seriesKey } from '../../../src/metrics/series-key.js';

describe('seriesKey', () => {
  it('is canonical: tag order does not matter', () => {
    expect(seriesKey('http.latency', { step: 'a', method: 'GET' })).toBe('http.latency{method=GET,step=a}');
    expect(seriesKey('http.latency', { method: 'GET', step: 'a' })).toBe('http.latency{method=GET,step=a}');
    expect(seriesKey('vus', {})).toBe('vus{}');
  });

  it('escapes structure so different tag sets never collide', () => {
    const a = seriesKey('m', { a: 'x,b=y' });
    const b = seriesKey('m', { a: 'x', b: 'y' });
    expect(a).not.toBe(b);
    expect(seriesKey('m{a=b}', {})).not.toBe(seriesKey('m', { a: 'b' }));
    expect(seriesKey('m', { 'a\\': 'b' })).not.toBe(seriesKey('m', { a: '\\b' }));
  });
});

describe('canonicalTags / hasTags', () => {
  it('sorts and freezes, keeping a __proto__ tag as plain data', () => {
    const t = canonicalTags(JSON.parse('{"z":"1","__proto__":"p","a":"2"}') as Record<string, string>);
    expect(Object.keys(t)).toEqual(['__proto__', 'a', 'z']);
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.getPrototypeOf(t)).toBe(Object.prototype);
  });

  it('matches when every filter tag is present with the same value', () => {
    expect(hasTags({ a: '1', b: '2' }, {})).toBe(true);
    expect(hasTags({ a: '1', b: '2' }, { a: '1' })).toBe(true);
    expect(hasTags({ a: '1', b: '2' }, { a: '2' })).toBe(false);
    expect(hasTags({ a: '1' }, { a: '1', b: '2' })).toBe(false);
    expect(hasTags({}, { toString: 'x' })).toBe(false);
  });
});
