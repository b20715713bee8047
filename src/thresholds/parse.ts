/**
 * The threshold language: keys (`http.latency{step:product,method:GET}`) and expressions
 * (`p(95) < 250ms`). Pure parsing with exact offsets; evaluation lives elsewhere in src/thresholds.
 *
 *   key        := metric [ '{' tag ':' value ( ',' tag ':' value )* '}' ]
 *   metric     := [A-Za-z_] [A-Za-z0-9_.-]*
 *   tag        := [A-Za-z0-9_.-]+
 *   value      := quoted | bare          (bare: up to the next , or }, trimmed; may contain :)
 *   quoted     := "…" | '…'              (escapes \\ \" \')
 *
 *   expression := agg op number [unit]
 *   agg        := p(N) (0 < N ≤ 100) | avg | min | max | med | count | rate | sum | value
 *   op         := < | <= | > | >= | == | !=
 *   unit       := ms | s | m (→ milliseconds) | % (→ a fraction; rate only)
 */
import type { Aggregation, ComparisonOp, ThresholdExpr } from './plan-types.js';
import type { MetricType } from '../metrics/types.js';
import { ERROR_CODES, RampartError } from '../errors.js';

/** A threshold key or expression that does not parse. */
/** Aggregation names per metric type, as the grammar spells them. `value` applies to gauges. */
export const AGGREGATIONS: Readonly<Record<MetricType, readonly string[]>> = Object.freeze({
  trend: ['p(N)', 'avg', 'min', 'max', 'med', 'count', 'sum'],
  rate: ['rate', 'count', 'sum'],
  counter: ['count', 'sum', 'rate'],
  gauge: ['value', 'min', 'max'],
});

/** `p(95)`, `avg`, … — the aggregation as written. */
export function aggregationText(agg: Aggregation): string {
  return agg.fn === 'p' ? `p(${agg.percentile})` : agg.fn;
}

export class ThresholdSyntaxError extends RampartError {
  /** 0-based index into `source` where the problem is. */
  readonly offset: number;
  readonly source: string;
  constructor(message: string, source: string, offset: number) {
    super(ERROR_CODES.THRESHOLD, message);
    this.name = 'ThresholdSyntaxError';
    this.source = source;
    this.offset = offset;
  }
}

function fail(source: string, offset: number, message: string, tail = ''): never {
  throw new ThresholdSyntaxError(`${message} at column ${offset + 1} of ${JSON.stringify(source)}${tail}`, source, offset);
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

function isLetter(ch: string | undefined): boolean {
  return ch !== undefined && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'));
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t';
}

function isNameChar(ch: string | undefined): boolean {
  return isLetter(ch) || isDigit(ch) || ch === '_' || ch === '.' || ch === '-';
}

function found(source: string, i: number): string {
  return i >= source.length ? 'the end' : JSON.stringify(source[i]);
}

function setOwn(target: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Parses a threshold key: a metric name and an optional tag filter in braces, e.g.
 * `http.latency{step:product, method:GET}` or `http.latency{step:"GET /items/{id}"}`.
 * Surrounding whitespace is ignored; a tag may appear once.
 * @throws {ThresholdSyntaxError}
 */
export function parseThresholdKey(key: string): { metric: string; filter: Record<string, string> } {
  if (typeof key !== 'string') throw new ThresholdSyntaxError('a threshold key must be a string', '', 0);
  let i = 0;
  while (isSpace(key[i])) i++;
  const start = i;
  if (!isLetter(key[i]) && key[i] !== '_') fail(key, i, `expected a metric name such as http.latency, found ${found(key, i)}`);
  while (isNameChar(key[i])) i++;
  const metric = key.slice(start, i);
  const filter: Record<string, string> = {};
  while (isSpace(key[i])) i++;
  if (key[i] === '{') {
    i++;
    for (;;) {
      while (isSpace(key[i])) i++;
      const tagStart = i;
      while (isNameChar(key[i])) i++;
      if (i === tagStart) fail(key, i, `expected a tag name such as step or method, found ${found(key, i)}`);
      const tag = key.slice(tagStart, i);
      while (isSpace(key[i])) i++;
      if (key[i] !== ':') fail(key, i, `expected : after the tag ${tag}, found ${found(key, i)}`);
      i++;
      while (isSpace(key[i])) i++;
      let value: string;
      const q = key[i];
      if (q === '"' || q === "'") {
        const r = readQuoted(key, i);
        value = r.value;
        i = r.end;
        while (isSpace(key[i])) i++;
      } else {
        const valueStart = i;
        while (i < key.length && key[i] !== ',' && key[i] !== '}' && key[i] !== '{' && key[i] !== '"' && key[i] !== "'") i++;
        value = key.slice(valueStart, i).trim();
        if (value === '') fail(key, valueStart, `expected a value for the tag ${tag} (quote it if it is empty: "")`);
        if (key[i] === '{' || key[i] === '"' || key[i] === "'") {
          fail(key, i, `unexpected ${found(key, i)} in the value of ${tag}: quote values that contain { } , or quotes`);
        }
      }
      if (Object.hasOwn(filter, tag)) fail(key, tagStart, `the tag ${tag} appears twice`);
      setOwn(filter, tag, value);
      if (key[i] === ',') {
        i++;
        continue;
      }
      if (key[i] === '}') {
        i++;
        break;
      }
      fail(key, i, `expected , or } after the value of ${tag}, found ${found(key, i)}`);
    }
    while (isSpace(key[i])) i++;
  }
  if (i < key.length) {
    fail(key, i, `unexpected ${found(key, i)} after the metric name (a tag filter is written {tag:value})`);
  }
  return { metric, filter };
}

function readQuoted(src: string, start: number): { value: string; end: number } {
  const quote = src[start];
  let i = start + 1;
  let out = '';
  for (;;) {
    const ch = src[i];
    if (ch === undefined) fail(src, start, `unterminated quoted value: expected a closing ${quote}`);
    if (ch === quote) return { value: out, end: i + 1 };
    if (ch === '\\') {
      const esc = src[i + 1];
      if (esc !== '\\' && esc !== '"' && esc !== "'") fail(src, i, 'only \\\\, \\" and \\\' are escapes in a quoted value');
      out += esc;
      i += 2;
      continue;
    }
    out += ch;
    i++;
  }
}

const SIMPLE_AGGS: ReadonlySet<string> = new Set(['avg', 'min', 'max', 'med', 'count', 'rate', 'sum', 'value']);
const AGG_LIST = ' (aggregations: p(N), avg, min, max, med, count, rate, sum, value)';

/**
 * Parses a threshold expression `agg op value[unit]`, e.g. `p(95) < 250ms`, `rate < 1%`,
 * `count >= 100`, `p(99.9) <= 1.5s`. Units: ms, s, m convert to milliseconds; % converts to a
 * fraction and applies to `rate` only; `rate` with % must lie in 0%..100%; `count` and `rate` take no
 * time unit. A plain `rate` value may exceed 1: on a counter, `rate` is per second
 * (`http.requests: rate > 50`); the scenario's semantic check rejects rate > 1 on rate metrics,
 * where it is a fraction. `value` is a gauge's last value. Whitespace between tokens is free.
 * @throws {ThresholdSyntaxError} with `.offset` (0-based) and a message naming the column
 */
export function parseThresholdExpression(src: string): ThresholdExpr {
  if (typeof src !== 'string') throw new ThresholdSyntaxError('a threshold expression must be a string', '', 0);
  let i = 0;
  const skip = (): void => {
    while (isSpace(src[i])) i++;
  };
  skip();
  const aggStart = i;
  while (isLetter(src[i])) i++;
  const name = src.slice(aggStart, i);
  let agg: Aggregation;
  if (name === 'p') {
    if (isDigit(src[i])) {
      let j = i;
      while (isDigit(src[j]) || src[j] === '.') j++;
      const digits = src.slice(i, j);
      fail(src, aggStart, `percentiles are written p(${digits}), not p${digits}`);
    }
    skip();
    if (src[i] !== '(') fail(src, i, `expected ( after p: percentiles are written p(95)`);
    i++;
    skip();
    const numStart = i;
    const n = readNumber(src, i, false);
    if (!n) fail(src, i, `expected a percentile between 0 and 100 such as p(95), found ${found(src, i)}`);
    i = n.end;
    if (!(n.value > 0 && n.value <= 100)) fail(src, numStart, `the percentile must be greater than 0 and at most 100, got ${n.text}`);
    skip();
    if (src[i] !== ')') fail(src, i, `expected ) to close p(${n.text}, found ${found(src, i)}`);
    i++;
    agg = { fn: 'p', percentile: n.value };
  } else if (SIMPLE_AGGS.has(name)) {
    agg = { fn: name as 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'sum' | 'value' };
  } else {
    const lower = name.toLowerCase();
    const hint = SIMPLE_AGGS.has(lower) || lower === 'p' ? ` (aggregations are lower case: ${lower})` : '';
    fail(src, aggStart, `expected an aggregation such as p(95), avg, rate${hint}`, AGG_LIST);
  }
  skip();
  const op = readOp(src, i);
  i += op.length;
  skip();
  const valueStart = i;
  const v = readNumber(src, i, true);
  if (!v) fail(src, i, `expected a number after ${op}, found ${found(src, i)}`);
  i = v.end;
  skip();
  const unitStart = i;
  while (isLetter(src[i]) || src[i] === '%') i++;
  const unit = src.slice(unitStart, i);
  let value: number;
  if (unit === '') {
    value = v.value;
  } else if (unit === 'ms' || unit === 's' || unit === 'm') {
    if (agg.fn === 'rate' || agg.fn === 'count') fail(src, unitStart, `${agg.fn} takes no time unit: write a plain number`);
    value = unit === 'ms' ? v.value : Number(`${v.text}e3`) * (unit === 'm' ? 60 : 1);
  } else if (unit === '%') {
    if (agg.fn !== 'rate') fail(src, unitStart, `% applies to rate only (e.g. rate < 1%)`);
    value = Number(`${v.text}e-2`);
  } else {
    fail(src, unitStart, `unknown unit ${JSON.stringify(unit)}: use ms, s, m or %`);
  }
  if (agg.fn === 'rate' && (value < 0 || (unit === '%' && value > 1))) {
    fail(src, valueStart, `a rate is a fraction between 0 and 1 (or 0% to 100%), or per second on a counter; got ${v.text}${unit}`);
  }
  skip();
  if (i < src.length) fail(src, i, `unexpected ${found(src, i)} after the value`);
  return Object.freeze({ source: src, agg: Object.freeze(agg), op, value });
}

const OPS: readonly ComparisonOp[] = ['<=', '>=', '==', '!=', '<', '>'];

function readOp(src: string, i: number): ComparisonOp {
  for (const op of OPS) if (src.startsWith(op, i)) return op;
  if (src[i] === '=') fail(src, i, 'expected a comparison: use == for equality (or <, <=, >, >=, !=)');
  if (src[i] === '≤' || src[i] === '≥') fail(src, i, `expected a comparison: write ${src[i] === '≤' ? '<=' : '>='}`);
  fail(src, i, `expected a comparison such as < or >= (one of <, <=, >, >=, ==, !=), found ${found(src, i)}`);
}

/** `[-]digits[.digits]` at i; `signed` allows a leading minus. */
function readNumber(src: string, i: number, signed: boolean): { value: number; text: string; end: number } | undefined {
  const start = i;
  if (signed && src[i] === '-') i++;
  const digitsStart = i;
  while (isDigit(src[i])) i++;
  if (i === digitsStart) return undefined;
  if (src[i] === '.' && isDigit(src[i + 1])) {
    i++;
    while (isDigit(src[i])) i++;
  }
  const text = src.slice(start, i);
  const value = Number(text);
  if (!Number.isFinite(value)) fail(src, start, 'the number is too large');
  return { value, text, end: i };
}
