import { describe, expect, it } from 'vitest';
import { parseThresholdExpression, parseThresholdKey, ThresholdSyntaxError } from '../../../src/thresholds/parse.js';
import type { Aggregation, ComparisonOp } from '../../../src/scenario/plan.js';
import { ERROR_CODES } from '../../../src/errors.js';

function expectSyntaxError(fn: () => unknown, offset: number, message: RegExp): void {
  try {
    fn();
    expect.unreachable();
  } catch (err) {
    expect(err).toBeInstanceOf(ThresholdSyntaxError);
    const e = err as ThresholdSyntaxError;
    expect(e.offset).toBe(offset);
    expect(e.message).toMatch(message);
    expect(e.message).toContain(`at column ${offset + 1}`);
    expect(e.code).toBe(ERROR_CODES.THRESHOLD);
  }
}

describe('parseThresholdKey', () => {
  it.each<[string, string, Record<string, string>]>([
    ['http.latency', 'http.latency', {}],
    ['checks', 'checks', {}],
    ['  http.errors  ', 'http.errors', {}],
    ['http.latency{step:product}', 'http.latency', { step: 'product' }],
    ['http.latency{step:product,method:GET}', 'http.latency', { step: 'product', method: 'GET' }],
    ['http.latency{ step : product , method : GET }', 'http.latency', { step: 'product', method: 'GET' }],
    ['http.latency {status:200}', 'http.latency', { status: '200' }],
    ['http.latency{step:GET /items/:id}', 'http.latency', { step: 'GET /items/:id' }],
    ['journey.duration{group:::checkout::pay}', 'journey.duration', { group: '::checkout::pay' }],
    ['http.latency{step:"GET /items/{id}"}', 'http.latency', { step: 'GET /items/{id}' }],
    ["http.latency{step:'a,b'}", 'http.latency', { step: 'a,b' }],
    ['x{name:"say \\"hi\\" \\\\ bye"}', 'x', { name: 'say "hi" \\ bye' }],
    ['x{name:""}', 'x', { name: '' }],
    ['orders_placed-total{error.class:5xx}', 'orders_placed-total', { 'error.class': '5xx' }],
  ])('%j', (key, metric, filter) => {
    expect(parseThresholdKey(key)).toEqual({ metric, filter });
  });

  it('keeps a __proto__ tag as an own key', () => {
    const { filter } = parseThresholdKey('x{__proto__:a}');
    expect(Object.hasOwn(filter, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(filter)).toBe(Object.prototype);
    expect(filter['__proto__']).toBe('a');
  });

  it.each<[string, number, RegExp]>([
    ['', 0, /expected a metric name/],
    ['{step:a}', 0, /expected a metric name/],
    ['1metric', 0, /expected a metric name/],
    ['http latency', 5, /unexpected "l" after the metric name/],
    ['x{}', 2, /expected a tag name/],
    ['x{step}', 6, /expected : after the tag step/],
    ['x{step:}', 7, /expected a value for the tag step/],
    ['x{step:a', 8, /expected , or \} after the value of step/],
    ['x{step:a,}', 9, /expected a tag name/],
    ['x{step:a,step:b}', 9, /the tag step appears twice/],
    ['x{step:"a}', 7, /unterminated quoted value/],
    ['x{step:"a" b}', 11, /expected , or \}/],
    ['x{step:a{b}}', 8, /quote values that contain/],
    ['x{step:"\\n"}', 8, /escapes/],
    ['x{step:a} y', 10, /unexpected "y"/],
  ])('%j fails at offset %d', (key, offset, message) => {
    expectSyntaxError(() => parseThresholdKey(key), offset, message);
  });
});

describe('parseThresholdExpression', () => {
  it.each<[string, Aggregation, ComparisonOp, number]>([
    ['p(95) < 250ms', { fn: 'p', percentile: 95 }, '<', 250],
    ['p(99) < 500', { fn: 'p', percentile: 99 }, '<', 500],
    ['p(99.9)<=1.5s', { fn: 'p', percentile: 99.9 }, '<=', 1500],
    ['p( 50 ) > 1s', { fn: 'p', percentile: 50 }, '>', 1000],
    ['p(100) < 2m', { fn: 'p', percentile: 100 }, '<', 120_000],
    ['p(0.1) >= 0', { fn: 'p', percentile: 0.1 }, '>=', 0],
    ['avg < 200', { fn: 'avg' }, '<', 200],
    // On a counter, rate is per second: values above 1 parse (the scenario check rejects them on rate metrics).
    ['rate > 50', { fn: 'rate' }, '>', 50],
    ['value < 100', { fn: 'value' }, '<', 100],
    ['avg < 1.1s', { fn: 'avg' }, '<', 1100],
    ['min >= 10ms', { fn: 'min' }, '>=', 10],
    ['max < 3s', { fn: 'max' }, '<', 3000],
    ['med != -1', { fn: 'med' }, '!=', -1],
    ['count >= 100', { fn: 'count' }, '>=', 100],
    ['count == 0', { fn: 'count' }, '==', 0],
    ['sum < 1m', { fn: 'sum' }, '<', 60_000],
    ['rate < 1%', { fn: 'rate' }, '<', 0.01],
    ['rate<0.1%', { fn: 'rate' }, '<', 0.001],
    ['rate > 0.8', { fn: 'rate' }, '>', 0.8],
    ['rate >= 99.9 %', { fn: 'rate' }, '>=', 0.999],
    ['rate == 100%', { fn: 'rate' }, '==', 1],
    ['  rate   <   5%  ', { fn: 'rate' }, '<', 0.05],
  ])('%j', (src, agg, op, value) => {
    const t = parseThresholdExpression(src);
    expect(t).toEqual({ source: src, agg, op, value });
    expect(Object.isFrozen(t)).toBe(true);
  });

  it.each<[string, number, RegExp]>([
    ['', 0, /expected an aggregation such as p\(95\), avg, rate at column 1/],
    ['< 5', 0, /expected an aggregation such as p\(95\), avg, rate/],
    ['foo < 5', 0, /expected an aggregation.*\(aggregations: p\(N\), avg, min, max, med, count, rate, sum, value\)/],
    ['AVG < 5', 0, /lower case: avg/],
    ['p95 < 250ms', 0, /percentiles are written p\(95\), not p95/],
    ['p99.9 < 1s', 0, /p\(99\.9\), not p99\.9/],
    ['p < 5', 2, /expected \( after p/],
    ['p() < 5', 2, /expected a percentile between 0 and 100/],
    ['p(0) < 5', 2, /greater than 0 and at most 100, got 0/],
    ['p(100.5) < 5', 2, /at most 100, got 100\.5/],
    ['p(95 < 5', 5, /expected \) to close p\(95/],
    ['p(-5) < 5', 2, /expected a percentile/],
    ['avg 5', 4, /expected a comparison such as < or >=/],
    ['avg = 5', 4, /use == for equality/],
    ['avg => 5', 4, /use == for equality/],
    ['avg ≤ 5', 4, /write <=/],
    ['avg <', 5, /expected a number after <, found the end/],
    ['avg < ms', 6, /expected a number after </],
    ['avg < .5', 6, /expected a number/],
    ['avg < 5x', 7, /unknown unit "x": use ms, s, m or %/],
    ['avg < 5h', 7, /unknown unit "h"/],
    ['avg < 5 ms extra', 11, /unexpected "e" after the value/],
    ['avg < 5%', 7, /% applies to rate only/],
    ['rate < 5ms', 8, /rate takes no time unit/],
    ['count < 5s', 9, /count takes no time unit/],
    ['rate < 101%', 7, /a rate is a fraction between 0 and 1 \(or 0% to 100%\), or per second on a counter; got 101%/],
    ['rate < -0.1', 7, /a rate is a fraction/],
    ['avg < 5 < 6', 8, /unexpected "<"/],
  ])('%j fails at offset %d', (src, offset, message) => {
    expectSyntaxError(() => parseThresholdExpression(src), offset, message);
  });
});
