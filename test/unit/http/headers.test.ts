import { describe, expect, it } from 'vitest';
import { mergeCookieHeaders, parseRawHeaders, rawHeaderValues } from '../../../src/http/headers.js';

const raw = (...kv: string[]): Buffer[] => kv.map((s) => Buffer.from(s, 'latin1'));

describe('raw response headers', () => {
  it('lower-cases names and turns repeated headers into lists', () => {
    const h = parseRawHeaders(raw('Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'X-Three', '1', 'x-three', '2', 'X-THREE', '3'));
    expect(h).toEqual({ 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'], 'x-three': ['1', '2', '3'] });
    expect(Object.getPrototypeOf(h)).toBeNull();
    expect(parseRawHeaders(undefined)).toEqual({});
  });
  it('a key like __proto__ is just a key', () => {
    const h = parseRawHeaders(raw('__proto__', 'x'));
    expect(h['__proto__']).toBe('x');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
  it('finds every value of one header without parsing the rest', () => {
    expect(rawHeaderValues(raw('Location', '/a', 'Set-Cookie', 's=1', 'SET-COOKIE', 't=2'), 'set-cookie')).toEqual(['s=1', 't=2']);
    expect(rawHeaderValues(raw('Location', '/a'), 'set-cookie')).toEqual([]);
  });
  it('merges a request cookie over the jar', () => {
    expect(mergeCookieHeaders('a=1; b=2', 'c=3')).toBe('a=1; b=2; c=3');
    expect(mergeCookieHeaders('a=1; b=2', 'b=9; a=8')).toBe('b=9; a=8');
  });
});
