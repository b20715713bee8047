/**
 * Baseline comparison of two reports (`rampart compare base.json current.json`, `rampart run
 * --baseline base.json`): the change of p50/p95/p99 latency, throughput and error rate for all
 * requests and for each journey step, and a gate that fails on regressions beyond tolerances.
 *
 * Tolerances (`--max-regression p95=10%,errors=0.5%`):
 * - `p50`/`p95`/`p99`: `N%` — the current value may exceed the baseline by N percent; or a time
 *   (`25ms`, `1s`) — by that much. A relative limit only counts a change of at least `floor`
 *   (default 1ms), so sub-millisecond jitter on a fast service is not a regression.
 * - `rps`: `N%` — throughput may drop by N percent; or `N` requests/s.
 * - `errors`: `N%` — the error rate may rise by N percentage points (0.5% allows 0.1% → 0.6%).
 * - `floor`: the time below which latency changes never count (default `1ms`).
 * Without any, {@link DEFAULT_TOLERANCES} apply. A series present in only one report is listed
 * (new or missing) and never a regression.
 *
 * A latency change counts only when it holds beyond the percentile's confidence bounds (see
 * compare-bounds.ts): a p95 of 20 requests that moved by +40 % between two identical smoke runs is
 * listed as within the noise, not failed. With thousands of samples the bounds are the value.
 */
import { UsageError } from '../errors.js';
import { summarize } from '../metrics/index.js';
import type { Report } from './model.js';
import { asSnapshot, percentileBounds, samplesBySeries, stallSlack, type Bounds, type LatencySamples } from './compare-bounds.js';
import { fmtCount, fmtMs, fmtPct, fmtRate, overloadNote, table } from './format.js';
import { DEFAULT_TOLERANCES } from './formats.js';

export type CompareField = 'p50' | 'p95' | 'p99' | 'rps' | 'errors';
export const COMPARE_FIELDS: readonly CompareField[] = ['p50', 'p95', 'p99', 'rps', 'errors'];

/** A limit: relative (a fraction of the baseline) or absolute (ms, requests/s, or a fraction for errors). */
export interface Tolerance {
  readonly kind: 'relative' | 'absolute';
  readonly value: number;
}

export interface Tolerances {
  readonly limits: Readonly<Partial<Record<CompareField, Tolerance>>>;
  /** Latency changes smaller than this (ms) never count as regressions. Default 1. */
  readonly floorMs: number;
}

export { DEFAULT_TOLERANCES };

const TIME = /^(\d+(?:\.\d+)?)(us|µs|ms|s)$/;
const PCT = /^(\d+(?:\.\d+)?)%$/;
const NUM = /^\d+(?:\.\d+)?$/;
const toMs = (n: number, unit: string): number => (unit === 's' ? n * 1000 : unit === 'ms' ? n : n / 1000);

/**
 * Parses `p95=10%,p99=50ms,rps=20%,errors=0.5%,floor=2ms`.
 * @throws UsageError naming the bad item and what it accepts.
 */
export function parseTolerances(spec: string): Tolerances {
  const limits: Partial<Record<CompareField, Tolerance>> = {};
  let floorMs = 1;
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const [key = '', value = ''] = item.split('=').map((s) => s.trim());
    const pct = PCT.exec(value);
    const time = TIME.exec(value);
    const bad = (accepts: string): never => {
      throw new UsageError(`--max-regression: "${item}": ${key} takes ${accepts}`);
    };
    if (key === 'floor') {
      if (!time) bad('a time, e.g. floor=2ms');
      floorMs = toMs(Number(time?.[1]), time?.[2] ?? 'ms');
    } else if (key === 'p50' || key === 'p95' || key === 'p99') {
      if (pct) limits[key] = { kind: 'relative', value: Number(pct[1]) / 100 };
      else if (time) limits[key] = { kind: 'absolute', value: toMs(Number(time[1]), time[2] ?? 'ms') };
      else bad('a percentage or a time, e.g. p95=10% or p95=25ms');
    } else if (key === 'rps') {
      if (pct) limits.rps = { kind: 'relative', value: Number(pct[1]) / 100 };
      else if (NUM.test(value)) limits.rps = { kind: 'absolute', value: Number(value) };
      else bad('a percentage or requests per second, e.g. rps=20% or rps=50');
    } else if (key === 'errors') {
      if (!pct) bad('percentage points, e.g. errors=0.5%');
      limits.errors = { kind: 'absolute', value: Number(pct?.[1]) / 100 };
    } else {
      throw new UsageError(`--max-regression: unknown key "${key}" in "${item}" (keys: ${[...COMPARE_FIELDS, 'floor'].join(', ')})`);
    }
  }
  return { limits, floorMs };
}

/** The compared values of one series: latency in ms, rps per second, errors 0..1. */
export type SeriesValues = Readonly<Record<CompareField, number>>;

export interface FieldChange {
  readonly base: number;
  readonly current: number;
  /** (current − base) / base; null when base is 0. */
  readonly relative: number | null;
  readonly regressed: boolean;
  /** Latency fields: the 95 % bounds of the baseline's and the current percentile (from histograms). */
  readonly bounds?: { readonly base: Bounds; readonly current: Bounds };
}

export interface SeriesComparison {
  /** `all requests` or `journey › step`. */
  readonly series: string;
  readonly status: 'compared' | 'new' | 'missing';
  readonly fields: Readonly<Partial<Record<CompareField, FieldChange>>>;
}

export interface Comparison {
  readonly base: { readonly runId: string; readonly scenario: string; readonly startedAt: string };
  readonly current: { readonly runId: string; readonly scenario: string; readonly startedAt: string };
  readonly tolerances: Tolerances;
  readonly series: readonly SeriesComparison[];
  /** One line per regression: `p95 of all requests: 12.0ms → 15.3ms (+27.5%, limit +10%)`. */
  readonly regressions: readonly string[];
  /** Latency rises beyond the tolerance that the samples cannot tell from noise (not counted). */
  readonly withinNoise: readonly string[];
  readonly warnings: readonly string[];
  readonly passed: boolean;
}

/** The compared values of every series of a report: all requests, then each journey step. */
export function seriesValues(r: Report): Map<string, SeriesValues> {
  const out = new Map<string, SeriesValues>();
  const seconds = Math.max(r.durationMs, 1) / 1000;
  const latency = r.series.filter((s) => s.metric === 'http.latency' && s.count > 0);
  const requests = r.series.filter((s) => s.metric === 'http.requests').reduce((n, s) => n + s.sum, 0);
  const errors = r.series.filter((s) => s.metric === 'http.errors');
  const errorCount = errors.reduce((n, s) => n + s.count, 0);
  if (requests > 0 || latency.length > 0) {
    const withHist = latency.every((s) => s.hist !== undefined);
    const merged = withHist ? summarize(latency.map(asSnapshot), r.durationMs) : undefined;
    const one = latency.length === 1 ? latency[0] : undefined;
    out.set('all requests', {
      p50: merged?.p50 ?? one?.p50 ?? NaN,
      p95: merged?.p95 ?? one?.p95 ?? NaN,
      p99: merged?.p99 ?? one?.p99 ?? NaN,
      rps: (requests > 0 ? requests : latency.reduce((n, s) => n + s.count, 0)) / seconds,
      errors: errorCount > 0 ? errors.reduce((n, s) => n + s.sum, 0) / errorCount : 0,
    });
  }
  for (const j of r.journeys ?? []) {
    for (const s of j.steps) out.set(`${j.name} › ${s.name}`, { p50: s.p50, p95: s.p95, p99: s.p99, rps: s.rps, errors: s.errorRate });
  }
  return out;
}

function regressed(field: CompareField, base: number, cur: number, t: Tolerances): boolean {
  const lim = t.limits[field];
  if (lim === undefined || !Number.isFinite(base) || !Number.isFinite(cur)) return false;
  if (field === 'rps') return lim.kind === 'relative' ? cur < base * (1 - lim.value) : cur < base - lim.value;
  if (field === 'errors') return cur - base > lim.value + 1e-12;
  if (cur - base < t.floorMs) return false;
  return lim.kind === 'relative' ? cur > base * (1 + lim.value) : cur - base > lim.value;
}

const PERCENT: Readonly<Partial<Record<CompareField, number>>> = { p50: 50, p95: 95, p99: 99 };

/** The bounds of a latency field, when both reports have the samples behind the series. */
function fieldBounds(field: CompareField, b: LatencySamples | undefined, c: LatencySamples | undefined): FieldChange['bounds'] {
  const p = PERCENT[field];
  if (p === undefined || b === undefined || c === undefined) return undefined;
  return { base: percentileBounds(b, p), current: percentileBounds(c, p) };
}

/** Formats one value of a field. */
export function fmtField(field: CompareField, v: number): string {
  return field === 'rps' ? fmtRate(v) : field === 'errors' ? fmtPct(v) : fmtMs(v);
}

/** "20 and 20 requests", with how many were in flight together when that widened the bounds. */
function noiseOf(b: LatencySamples | undefined, c: LatencySamples | undefined): string {
  const n = `${b?.n ?? 0} and ${c?.n ?? 0} requests`;
  if (![b, c].some((s) => s !== undefined && stallSlack(s) > 0)) return n;
  const inFlight = (s: LatencySamples | undefined): string => fmtCount(Math.ceil(s?.inFlight ?? 1));
  return `${n} (up to ${inFlight(b)} and ${inFlight(c)} in flight together, which one stall delays at once)`;
}

const fmtBounds = (b: Bounds): string => `${fmtMs(b.low)}–${fmtMs(b.high)}`;

const fmtChange = (c: FieldChange): string => (c.relative === null ? (c.current === c.base ? '±0%' : 'new') : `${c.relative >= 0 ? '+' : ''}${(c.relative * 100).toFixed(1)}%`);

function fmtLimit(field: CompareField, lim: Tolerance): string {
  if (field === 'errors') return `+${fmtPct(lim.value)} points`;
  const sign = field === 'rps' ? '-' : '+';
  return lim.kind === 'relative' ? `${sign}${fmtPct(lim.value)}` : `${sign}${fmtField(field, lim.value)}`;
}

/** Compares `current` against `base` with the given tolerances. Pure. */
export function compareReports(base: Report, current: Report, tolerances: Tolerances = parseTolerances(DEFAULT_TOLERANCES)): Comparison {
  const b = seriesValues(base);
  const c = seriesValues(current);
  const bs = samplesBySeries(base);
  const cs = samplesBySeries(current);
  const withinNoise: string[] = [];
  const names = [...b.keys(), ...[...c.keys()].filter((k) => !b.has(k))];
  const series: SeriesComparison[] = [];
  const regressions: string[] = [];
  for (const name of names) {
    const bv = b.get(name);
    const cv = c.get(name);
    if (!bv || !cv) {
      series.push({ series: name, status: bv ? 'missing' : 'new', fields: {} });
      continue;
    }
    const fields: Partial<Record<CompareField, FieldChange>> = {};
    for (const f of COMPARE_FIELDS) {
      const bounds = fieldBounds(f, bs.get(name), cs.get(name));
      const pointRegressed = regressed(f, bv[f], cv[f], tolerances);
      // A latency rise counts when even the current lower bound exceeds the baseline's upper bound.
      const held = bounds === undefined || regressed(f, bounds.base.high, bounds.current.low, tolerances);
      const relative = bv[f] !== 0 && Number.isFinite(bv[f]) ? (cv[f] - bv[f]) / bv[f] : null;
      const change: FieldChange = { base: bv[f], current: cv[f], relative, regressed: pointRegressed && held, ...(bounds !== undefined ? { bounds } : {}) };
      fields[f] = change;
      const lim = tolerances.limits[f];
      if (lim === undefined || !pointRegressed) continue;
      const line = `${f} of ${name}: ${fmtField(f, change.base)} → ${fmtField(f, change.current)} (${fmtChange(change)}, limit ${fmtLimit(f, lim)})`;
      if (change.regressed) regressions.push(line);
      else if (bounds !== undefined) {
        const n = noiseOf(bs.get(name), cs.get(name));
        withinNoise.push(`${line} is within the noise of ${n}: 95 % bounds ${fmtBounds(bounds.base)} and ${fmtBounds(bounds.current)}`);
      }
    }
    series.push({ series: name, status: 'compared', fields });
  }
  const warnings: string[] = [];
  if (base.scenario.name !== current.scenario.name) warnings.push(`the reports are of different scenarios: "${base.scenario.name}" and "${current.scenario.name}"`);
  else if (base.scenario.hash !== current.scenario.hash) warnings.push('the scenario changed between the two runs (its hash differs)');
  if (base.scenario.model !== current.scenario.model) warnings.push(`the load models differ: ${base.scenario.model} and ${current.scenario.model}`);
  for (const [r, which] of [[base, 'baseline'], [current, 'current run']] as const) {
    if (r.verdict === 'aborted') warnings.push(`the ${which} was aborted${r.abortReason !== undefined ? ` (${r.abortReason})` : ''}: its numbers cover part of the run`);
    const overload = overloadNote(r.generator);
    if (overload !== undefined) warnings.push(`${which}: ${overload}`);
  }
  const info = (r: Report): Comparison['base'] => ({ runId: r.runId, scenario: r.scenario.name, startedAt: r.startedAt });
  return { base: info(base), current: info(current), tolerances, series, regressions, withinNoise, warnings, passed: regressions.length === 0 };
}

/** The comparison as a console table plus the regressions (no trailing newline). */
export function renderComparison(c: Comparison): string {
  const cellOf = (s: SeriesComparison, f: CompareField): string => {
    const ch = s.fields[f];
    if (!ch) return s.status;
    return `${fmtField(f, ch.base)} → ${fmtField(f, ch.current)} ${fmtChange(ch)}${ch.regressed ? ' ✗' : ''}`;
  };
  const limits = COMPARE_FIELDS.flatMap((f) => {
    const lim = c.tolerances.limits[f];
    return lim ? [`${f} ${fmtLimit(f, lim)}`] : [];
  });
  const out = [`baseline ${c.base.runId} (${c.base.startedAt}) → current ${c.current.runId} (${c.current.startedAt})`];
  out.push(...table(['series', ...COMPARE_FIELDS], c.series.map((s) => [s.series, ...COMPARE_FIELDS.map((f) => cellOf(s, f))])));
  for (const w of c.warnings) out.push(`  ! ${w}`);
  out.push(`tolerances: ${limits.length > 0 ? limits.join(', ') : 'none'}; latency changes under ${fmtMs(c.tolerances.floorMs)} never count`);
  for (const n of c.withinNoise) out.push(`  ~ ${n} (not counted; more requests narrow the bounds)`);
  if (c.passed) out.push('comparison: no regression beyond the tolerances');
  else out.push(`comparison: ${c.regressions.length} regression${c.regressions.length === 1 ? '' : 's'}`, ...c.regressions.map((r) => `  ✗ ${r}`));
  return out.join('\n');
}
