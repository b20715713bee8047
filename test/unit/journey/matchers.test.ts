import { describe, expect, it } from 'vitest';
import { compare, evalCondition, looseEquals, RegexCache, statusMatches } from '../../../src/journey/index.js';
import { checkMatcher } from '../../../src/journey/matchers.js';
import { ResponseView } from '../../../src/journey/response.js';
import type { HttpResult } from '../../../src/http/index.js';
import type { Scope } from '../../../src/scenario/template/index.js';
import { jp, tpl, tval } from '../../support/journey-plans.js';

const scope = (vars: Record<string, unknown> = {}, r = 0.5): Scope => ({ lookup: (k) => vars[k], random: () => r, now: () => 0 });

function view(body: string, status = 200, headers: Record<string, string | string[]> = {}, totalUs = 1000): ResponseView {
  const result: HttpResult = { status, headers, body: Buffer.from(body), bytesIn: 0, bytesOut: 0, timings: { totalUs, ttfbUs: totalUs }, url: 'http://x/', redirects: 0 };
  return new ResponseView(result);
}

describe('comparisons', () => {
  const rx = new RegexCache();
  it('equals across text and numbers, structurally for objects', () => {
    expect(looseEquals(200, '200')).toBe(true);
    expect(looseEquals({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(looseEquals({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(looseEquals(undefined, 'undefined')).toBe(false);
    expect(compare({ op: 'equals', value: tval('{{ id }}') }, 42, scope({ id: 42 }), rx)).toBe(true);
    expect(compare({ op: 'notEquals', value: tval('x') }, 'y', scope(), rx)).toBe(true);
  });
  it('exists, contains, matches, numeric bounds, oneOf', () => {
    expect(compare({ op: 'exists', value: true }, 0, scope(), rx)).toBe(true);
    expect(compare({ op: 'exists', value: false }, undefined, scope(), rx)).toBe(true);
    expect(compare({ op: 'contains', value: tpl('ell') }, 'hello', scope(), rx)).toBe(true);
    expect(compare({ op: 'contains', value: tpl('b') }, ['a', 'b'], scope(), rx)).toBe(true);
    expect(compare({ op: 'notContains', value: tpl('z') }, 'hello', scope(), rx)).toBe(true);
    expect(compare({ op: 'matches', pattern: '^HE', flags: 'i' }, 'hello', scope(), rx)).toBe(true);
    expect(compare({ op: 'lt', value: 10 }, '9.5', scope(), rx)).toBe(true);
    expect(compare({ op: 'gte', value: 10 }, 10, scope(), rx)).toBe(true);
    expect(compare({ op: 'gt', value: 0 }, 'abc', scope(), rx)).toBe(false);
    expect(compare({ op: 'lt', value: 1 }, undefined, scope(), rx)).toBe(false);
    expect(compare({ op: 'oneOf', values: [tval('a'), tval(2)] }, '2', scope(), rx)).toBe(true);
  });
  it('compiles a regex once and ignores a g flag (no lastIndex state)', () => {
    const cache = new RegexCache();
    const a = cache.get('a+', 'g');
    expect(cache.get('a+', 'g')).toBe(a);
    expect(a.flags).toBe('');
    expect([1, 2, 3].map(() => compare({ op: 'matches', pattern: 'a+', flags: 'g' }, 'aaa', scope(), cache))).toEqual([true, true, true]);
  });
});

describe('matchers on a response', () => {
  const rx = new RegexCache();
  it('status lists and ranges', () => {
    expect(statusMatches({ kind: 'status', oneOf: [200, 201] }, 201)).toBe(true);
    expect(statusMatches({ kind: 'status', min: 200, max: 299 }, 204)).toBe(true);
    expect(statusMatches({ kind: 'status', min: 200, max: 299 }, 302)).toBe(false);
    expect(statusMatches({ kind: 'status', oneOf: [404], min: 200, max: 299 }, 404)).toBe(true);
  });
  it('json, header, body and latency, with a reason when failing', () => {
    const v = view('{"items":[{"id":7}],"state":"ok"}', 200, { 'x-cache': 'HIT', 'set-cookie': ['a=1', 'b=2'] }, 250_000);
    expect(checkMatcher({ kind: 'json', path: jp('$.items[0].id'), cmp: { op: 'equals', value: tval(7) } }, v, scope(), rx)).toBeUndefined();
    expect(checkMatcher({ kind: 'header', name: 'x-cache', cmp: { op: 'equals', value: tval('HIT') } }, v, scope(), rx)).toBeUndefined();
    expect(checkMatcher({ kind: 'header', name: 'set-cookie', cmp: { op: 'contains', value: tpl('b=2') } }, v, scope(), rx)).toBeUndefined();
    expect(checkMatcher({ kind: 'body', cmp: { op: 'contains', value: tpl('"ok"') } }, v, scope(), rx)).toBeUndefined();
    expect(checkMatcher({ kind: 'latency', maxMs: 300 }, v, scope(), rx)).toBeUndefined();
    expect(checkMatcher({ kind: 'latency', maxMs: 200 }, v, scope(), rx)).toMatch(/latency 250.0 ms is not under 200 ms/);
    expect(checkMatcher({ kind: 'json', path: jp('$.state'), cmp: { op: 'equals', value: tval('done') } }, v, scope(), rx)).toBe('json $.state (ok) does not satisfy equals');
    expect(checkMatcher({ kind: 'status', oneOf: [201] }, v, scope(), rx)).toBe('status 200 is not 201');
  });
  it('a body that is not JSON reads as absent for json matchers', () => {
    const v = view('<html>');
    expect(checkMatcher({ kind: 'json', path: jp('$.id'), cmp: { op: 'exists', value: false } }, v, scope(), rx)).toBeUndefined();
  });
});

describe('conditions', () => {
  const rx = new RegexCache();
  it('compare keeps the type of a single reference; all/any/not/chance', () => {
    const s = scope({ n: 5, mode: 'fast' }, 0.3);
    const gt3 = { kind: 'compare', left: tpl('{{ n }}'), cmp: { op: 'gt', value: 3 } } as const;
    const isSlow = { kind: 'compare', left: tpl('{{ mode }}'), cmp: { op: 'equals', value: tval('slow') } } as const;
    expect(evalCondition(gt3, s, rx)).toBe(true);
    expect(evalCondition({ kind: 'all', of: [gt3, isSlow] }, s, rx)).toBe(false);
    expect(evalCondition({ kind: 'any', of: [gt3, isSlow] }, s, rx)).toBe(true);
    expect(evalCondition({ kind: 'not', condition: isSlow }, s, rx)).toBe(true);
    expect(evalCondition({ kind: 'chance', probability: 0.5 }, s, rx)).toBe(true);
    expect(evalCondition({ kind: 'chance', probability: 0.2 }, s, rx)).toBe(false);
  });
  it('exists on an unset variable is false instead of an error', () => {
    expect(evalCondition({ kind: 'compare', left: tpl('{{ token }}'), cmp: { op: 'exists', value: true } }, scope(), rx)).toBe(false);
    expect(() => evalCondition({ kind: 'compare', left: tpl('{{ token }}'), cmp: { op: 'equals', value: tval('x') } }, scope(), rx)).toThrow(/token is not defined/);
  });
});

describe('json paths with a wildcard', () => {
  const rx = new RegexCache();
  const v = view('{"items":[{"name":"Desk Lamp","n":1},{"name":"Chair","n":5}]}');
  it('compare the list of every match', () => {
    expect(checkMatcher({ kind: 'json', path: jp('$.items[*].name'), cmp: { op: 'contains', value: tpl('Lamp') } }, v, scope(), rx)).toBeUndefined();
    expect(checkMatcher({ kind: 'json', path: jp('$.items[*].name'), cmp: { op: 'contains', value: tpl('Sofa') } }, v, scope(), rx)).toBeDefined();
    expect(checkMatcher({ kind: 'json', path: jp('$.items[*].n'), cmp: { op: 'equals', value: tval([1, 5]) } }, v, scope(), rx)).toBeUndefined();
    expect(checkMatcher({ kind: 'json', path: jp('$.none[*].n'), cmp: { op: 'exists', value: false } }, v, scope(), rx)).toBeUndefined();
  });
});
