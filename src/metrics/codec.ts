/**
 * A compact, versioned text form of a snapshot, for worker threads, processes and agents:
 *
 *   {"v":1,"s":startMs,"e":endMs,"m":[metric names],"x":[[m, type, unit, [k,v,…], count, sum, min, max, hist, atMs?], …]}
 *
 * `m` is an index into the metric names, type is t|c|r|g, unit u|r|b|c, hist the encoded HDR
 * histogram or 0. Decoding validates every field and throws an EngineError on anything else.
 */
import { EngineError } from '../errors.js';
import type { MetricsSnapshot, MetricType, MetricUnit, SeriesSnapshot } from './types.js';

const TYPE_CODE: Record<MetricType, string> = { trend: 't', counter: 'c', rate: 'r', gauge: 'g' };
const UNIT_CODE: Record<MetricUnit, string> = { us: 'u', raw: 'r', bytes: 'b', count: 'c' };
const TYPES: Record<string, MetricType> = { t: 'trend', c: 'counter', r: 'rate', g: 'gauge' };
const UNITS: Record<string, MetricUnit> = { u: 'us', r: 'raw', b: 'bytes', c: 'count' };
/** Which units each type may carry. */
const UNITS_OF: Record<MetricType, readonly MetricUnit[]> = {
  trend: ['us', 'raw'],
  counter: ['bytes', 'count'],
  rate: ['count'],
  gauge: ['count'],
};

/** Encodes a snapshot as compact JSON text (see the module comment). */
export function encodeSnapshot(s: MetricsSnapshot): string {
  const names: string[] = [];
  const index = new Map<string, number>();
  const rows = s.series.map((x) => {
    let m = index.get(x.metric);
    if (m === undefined) {
      m = names.length;
      names.push(x.metric);
      index.set(x.metric, m);
    }
    const tags: string[] = [];
    for (const [k, v] of Object.entries(x.tags)) tags.push(k, v);
    const row: unknown[] = [m, TYPE_CODE[x.type], UNIT_CODE[x.unit], tags, x.count, x.sum, x.min, x.max, x.hist ?? 0];
    if (x.atMs !== undefined) row.push(x.atMs);
    return row;
  });
  return JSON.stringify({ v: 1, s: s.startMs, e: s.endMs, m: names, x: rows });
}

function fail(what: string): never {
  throw new EngineError(`invalid metrics snapshot: ${what}`);
}

function finite(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${what} is not a finite number`);
  return v;
}

/** Decodes what {@link encodeSnapshot} produced. Throws an EngineError naming the first bad field. */
export function decodeSnapshot(text: string): MetricsSnapshot {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    fail('not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('not an object');
  const o = doc as Record<string, unknown>;
  if (o.v !== 1) fail(`unsupported version ${JSON.stringify(o.v)}`);
  const startMs = finite(o.s, 'start');
  const endMs = finite(o.e, 'end');
  if (endMs < startMs) fail('end is before start');
  const names = o.m;
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n !== '')) fail('metric names are not non-empty strings');
  if (!Array.isArray(o.x)) fail('series is not an array');
  const series = o.x.map((row: unknown, i: number): SeriesSnapshot => decodeRow(row, names as string[], `series ${i}`));
  return { startMs, endMs, series };
}

function decodeRow(row: unknown, names: readonly string[], at: string): SeriesSnapshot {
  if (!Array.isArray(row) || (row.length !== 9 && row.length !== 10)) fail(`${at} is not a 9- or 10-item array`);
  const [m, t, u, flat, count, sum, min, max, hist, atMs] = row as unknown[];
  const metric = typeof m === 'number' && Number.isInteger(m) ? names[m] : undefined;
  if (metric === undefined) fail(`${at}: metric index ${JSON.stringify(m)} is out of range`);
  const type = typeof t === 'string' ? TYPES[t] : undefined;
  if (type === undefined || !Object.prototype.hasOwnProperty.call(TYPES, t as string)) fail(`${at}: unknown type ${JSON.stringify(t)}`);
  const unit = typeof u === 'string' && Object.prototype.hasOwnProperty.call(UNITS, u) ? UNITS[u] : undefined;
  if (unit === undefined || !UNITS_OF[type].includes(unit)) fail(`${at}: unit ${JSON.stringify(u)} does not fit a ${type}`);
  if (!Array.isArray(flat) || flat.length % 2 !== 0 || !flat.every((x) => typeof x === 'string')) fail(`${at}: tags are not name/value string pairs`);
  const tags: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) tags.push([flat[i] as string, flat[i + 1] as string]);
  const n = finite(count, `${at}: count`);
  if (!Number.isInteger(n) || n < 0) fail(`${at}: count is not a non-negative integer`);
  const lo = finite(min, `${at}: min`);
  const hi = finite(max, `${at}: max`);
  if (n > 0 && lo > hi) fail(`${at}: min is above max`);
  const out: SeriesSnapshot = {
    metric,
    type,
    unit,
    tags: Object.freeze(Object.fromEntries(tags)),
    count: n,
    sum: finite(sum, `${at}: sum`),
    min: lo,
    max: hi,
    ...decodeHist(hist, type, n, at),
    ...(atMs === undefined ? {} : { atMs: finite(atMs, `${at}: atMs`) }),
  };
  return out;
}

function decodeHist(hist: unknown, type: MetricType, count: number, at: string): { hist?: string } {
  if (hist === 0) {
    if (type === 'trend' && count > 0) fail(`${at}: a trend with samples has no histogram`);
    return {};
  }
  if (typeof hist !== 'string' || hist === '') fail(`${at}: histogram is not a string`);
  if (type !== 'trend') fail(`${at}: a ${type} cannot carry a histogram`);
  return { hist };
}
