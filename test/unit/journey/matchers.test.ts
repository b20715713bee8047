import { describe, expect, it } from 'vitest';
import { compare, evalCondition, looseEquals, RegexCache, statusMatches } from '../../../src/journey/index.js';
import { checkMatcher } from '../../../src/journey/matchers.js';
import { describeExpected, shown } from '../../../src/journey/matcher-messages.js';
import type { Comparison, Matcher } from '../../../src/scenario/plan.js';
import { ResponseView } from '../../../src/journey/response.js';
import { RENDERED_REGEX_CACHE } from '../../../src/journey/regex-cache.js';
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
  it('compiles a constant regex once per plan node and ignores a g flag (no lastIndex state)', () => {
    const cache = new RegexCache();
    const cmp = { op: 'matches', pattern: 'a+', flags: 'g' } as const;
    const a = cache.forMatches(cmp, scope());
    expect(cache.forMatches(cmp, scope())).toBe(a);
    expect(a?.flags).toBe('');
    expect([1, 2, 3].map(() => compare(cmp, 'aaa', scope(), cache))).toEqual([true, true, true]);
  });
  it('renders a templated pattern per use; values are regex source, regexEscape() quotes them', () => {
    const cache = new RegexCache();
    const cmp = { op: 'matches', pattern: '^{{ want }}$', flags: '', template: tpl('^{{ want }}$') } as const;
    expect(compare(cmp, 42, scope({ want: 42 }), cache)).toBe(true);
    expect(compare(cmp, 43, scope({ want: 42 }), cache)).toBe(false);
    expect(compare(cmp, 'a.c', scope({ want: 'a.c' }), cache)).toBe(true);
    expect(compare(cmp, 'abc', scope({ want: 'a.c' }), cache)).toBe(true);
    const quoted = { op: 'matches', pattern: '^{{ regexEscape(want) }}$', flags: 'i', template: tpl('^{{ regexEscape(want) }}$') } as const;
    expect(compare(quoted, 'A.C', scope({ want: 'a.c' }), cache)).toBe(true);
    expect(compare(quoted, 'abc', scope({ want: 'a.c' }), cache)).toBe(false);
    expect(compare(quoted, '(x)[1]', scope({ want: '(x)[1]' }), cache)).toBe(true);
  });
  it('keeps a bounded number of rendered patterns, and a rendered pattern that does not compile fails with a reason', () => {
    const cache = new RegexCache();
    const cmp = { op: 'matches', pattern: '^{{ n }}$', flags: '', template: tpl('^{{ n }}$') } as const;
    for (let n = 0; n < 1000; n++) expect(compare(cmp, n, scope({ n }), cache)).toBe(true);
    const inner = (cache as unknown as { rendered: WeakMap<object, Map<string, unknown>> }).rendered.get(cmp);
    expect(inner?.size).toBe(RENDERED_REGEX_CACHE);
    const m = { kind: 'body', cmp } as const;
    expect(checkMatcher(m, view('x'), scope({ n: '(' }), cache)).toMatch(/^body: expected matches \/\^\{\{ n \}\}\$\/, got "x": the rendered pattern "\^\(\$" is not a valid regular expression/);
    expect(checkMatcher(m, view('x'), scope({ n: 'x' }), cache)).toBeUndefined();
    expect(checkMatcher(m, view('y'), scope({ n: 'x' }), cache)).toBe('body: expected matches /^{{ n }}$/, got "y"');
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
    expect(checkMatcher({ kind: 'latency', maxMs: 200 }, v, scope(), rx)).toBe('latency: expected under 200 ms, got 250.0 ms');
    expect(checkMatcher({ kind: 'json', path: jp('$.state'), cmp: { op: 'equals', value: tval('done') } }, v, scope(), rx)).toBe('json $.state: expected equals "done", got "ok"');
    expect(checkMatcher({ kind: 'status', oneOf: [201] }, v, scope(), rx)).toBe('status: expected 201, got 200');
  });
  it('a body that is not JSON reads as absent for json matchers', () => {
    const v = view('<html>');
    expect(checkMatcher({ kind: 'json', path: jp('$.id'), cmp: { op: 'exists', value: false } }, v, scope(), rx)).toBeUndefined();
  });
});

describe('failure messages: what was expected, and what came', () => {
  const rx = new RegexCache();
  const long = 'x'.repeat(200);
  const body = JSON.stringify({ status: 'bad', n: 7, tags: ['a', 'b'], obj: { k: 1 }, long, none: null });
  const v = view(body, 503, { 'x-cache': 'MISS', 'content-type': 'application/json' }, 812_300);
  const s = scope({ want: 'good', max: 3 });
  const json = (path: string, cmp: Comparison): Matcher => ({ kind: 'json', path: jp(path), cmp });
  const cases: [string, Matcher, string][] = [
    ['status list', { kind: 'status', oneOf: [200, 201] }, 'status: expected 200 or 201, got 503'],
    ['status range', { kind: 'status', min: 200, max: 299 }, 'status: expected 200..299, got 503'],
    ['status list and range', { kind: 'status', oneOf: [404], min: 200, max: 299 }, 'status: expected 404 or 200..299, got 503'],
    ['latency', { kind: 'latency', maxMs: 500 }, 'latency: expected under 500 ms, got 812.3 ms'],
    ['header equals', { kind: 'header', name: 'x-cache', cmp: { op: 'equals', value: tval('HIT') } }, 'header x-cache: expected equals "HIT", got "MISS"'],
    ['header exists', { kind: 'header', name: 'x-request-id', cmp: { op: 'exists', value: true } }, 'header x-request-id: expected exists, got absent'],
    ['header absent', { kind: 'header', name: 'x-cache', cmp: { op: 'exists', value: false } }, 'header x-cache: expected absent, got "MISS"'],
    ['json equals a template', json('$.status', { op: 'equals', value: tval('{{ want }}') }), 'json $.status: expected equals "good" (from {{ want }}), got "bad"'],
    ['json notEquals', json('$.status', { op: 'notEquals', value: tval('bad') }), 'json $.status: expected notEquals "bad", got "bad"'],
    ['json equals a number', json('$.n', { op: 'equals', value: tval(8) }), 'json $.n: expected equals 8, got 7'],
    ['json equals on a missing path', json('$.missing', { op: 'equals', value: tval('x') }), 'json $.missing: expected equals "x", got absent'],
    ['json null', json('$.none', { op: 'equals', value: tval('x') }), 'json $.none: expected equals "x", got null'],
    ['json contains', json('$.tags', { op: 'contains', value: tpl('c') }), 'json $.tags: expected contains "c", got ["a","b"]'],
    ['json notContains', json('$.tags', { op: 'notContains', value: tpl('a') }), 'json $.tags: expected notContains "a", got ["a","b"]'],
    ['json matches', json('$.status', { op: 'matches', pattern: '^go+d$', flags: 'i' }), 'json $.status: expected matches /^go+d$/i, got "bad"'],
    ['json lt', json('$.n', { op: 'lt', value: 5 }), 'json $.n: expected lt 5, got 7'],
    ['json lte', json('$.n', { op: 'lte', value: 6 }), 'json $.n: expected lte 6, got 7'],
    ['json gt', json('$.n', { op: 'gt', value: 9 }), 'json $.n: expected gt 9, got 7'],
    ['json gte', json('$.n', { op: 'gte', value: 10 }), 'json $.n: expected gte 10, got 7'],
    ['json oneOf', json('$.status', { op: 'oneOf', values: [tval('good'), tval('{{ want }}!')] }), 'json $.status: expected oneOf ["good", "good!" (from {{ want }}!)], got "bad"'],
    ['json object', json('$.obj', { op: 'equals', value: tval({ k: 2 }) }), 'json $.obj: expected equals {"k":2}, got {"k":1}'],
    ['json long value', json('$.long', { op: 'equals', value: tval('short') }), `json $.long: expected equals "short", got "${'x'.repeat(80)}…"`],
    ['body contains', { kind: 'body', cmp: { op: 'contains', value: tpl('{{ want }}') } }, `body: expected contains "good" (from {{ want }}), got ${JSON.stringify(body.slice(0, 80) + '…')}`],
    ['body matches', { kind: 'body', cmp: { op: 'matches', pattern: '^<html', flags: '' } }, `body: expected matches /^<html/, got ${JSON.stringify(body.slice(0, 80) + '…')}`],
  ];
  it.each(cases)('%s', (_name, m, message) => {
    expect(checkMatcher(m, v, s, rx)).toBe(message);
  });
  it('a right-hand side that cannot render shows its source', () => {
    expect(describeExpected({ op: 'equals', value: tval('{{ nope }}') }, scope())).toBe('equals {{ nope }}');
    expect(describeExpected({ op: 'contains', value: tpl('id={{ nope }}') }, scope())).toBe('contains id={{ nope }}');
  });
  it('no response is said so', () => {
    expect(checkMatcher({ kind: 'status', oneOf: [200] }, view('', 0), s, rx)).toBe('status: expected 200, got no response');
  });
  it('values are cut at 80 characters with an ellipsis', () => {
    expect(shown('y'.repeat(81))).toBe(`"${'y'.repeat(80)}…"`);
    expect(shown('y'.repeat(80))).toBe(`"${'y'.repeat(80)}"`);
    expect(shown(Array.from({ length: 50 }, (_, i) => i))).toMatch(/^\[0,1,2,.{60,}…$/);
    expect(shown(Array.from({ length: 50 }, (_, i) => i)).length).toBe(81);
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
