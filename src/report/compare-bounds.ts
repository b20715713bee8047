/**
 * How sure a baseline comparison can be of a latency percentile. A p95 read from 20 requests is
 * the 19th-slowest of them: one slow request more or less moves it a lot, and two identical runs of
 * a small smoke test routinely differ by more than any sensible tolerance. So a latency change
 * counts as a regression only when it holds at both ends of the percentile's confidence bounds:
 * the current run's lower bound must exceed the baseline's upper bound by more than the tolerance.
 *
 * The bounds are distribution-free (order statistics): of n samples, the number at or below the
 * true q-quantile is binomial(n, q), so with z = 1.96 the quantile lies between the samples of rank
 * ⌊nq − z·√(nq(1−q))⌋ and ⌈nq + z·√(nq(1−q))⌉ + 1 (clamped to 1 … n) about 95 % of the time. With
 * thousands of samples the bounds close in on the percentile itself; with 20 samples a p95's upper
 * bound is the slowest request. Reports whose series carry no histogram fall back to the values.
 *
 * Those ranks assume independent samples, and requests in flight together are not: one stall of
 * the service or of the machine delays all of them at once. Two VUs in step turn one 4 ms stall
 * into two slow samples of twenty, and two such stalls in one smoke run failed an identical run
 * (1 in 20 pairs). So each bound is widened by one stall's worth of samples: the requests in flight
 * on average while the load ran (Little's law: the summed latency over the load's time), rounded
 * up, less one. That is one rank for a 2-VU smoke run, and a few hundredths of a percentile for a
 * long run with hundreds in flight. (Dividing n by the requests in flight instead, the design
 * effect with every request of a stall fully correlated, hid a uniform 20 % slowdown of 120,000
 * requests with 200 in flight.)
 */
import { summarize } from '../metrics/index.js';
import type { SeriesSnapshot } from '../metrics/types.js';
import type { Report } from './model.js';
import type { SeriesReport } from '../metrics/types.js';

/** z of the two-sided 95 % interval. */
const Z = 1.96;

/** The latency samples behind one compared series. */
export interface LatencySamples {
  readonly n: number;
  /** Requests in flight on average while the load ran (at least 1). */
  readonly inFlight: number;
  /** Latency (ms) at percentile p (0–100) of the merged histograms. */
  at(p: number): number;
}

/** A percentile's confidence bounds (ms). */
export interface Bounds {
  readonly low: number;
  readonly high: number;
}

/** A SeriesReport back as a snapshot (recorded units) so merged percentiles come from the histograms. */
export function asSnapshot(s: SeriesReport): SeriesSnapshot {
  const k = s.unit === 'us' ? 1000 : 1;
  return { metric: s.metric, type: s.type, unit: s.unit, tags: s.tags, count: s.count, sum: s.sum * k, min: s.min * k, max: s.max * k, ...(s.hist !== undefined ? { hist: s.hist } : {}) };
}

/**
 * The merged samples of `series` (http.latency), or undefined when one has no histogram. `loadMs`:
 * how long the load ran, for the requests in flight on average.
 */
export function latencySamples(series: readonly SeriesReport[], durationMs: number, loadMs = durationMs): LatencySamples | undefined {
  const withSamples = series.filter((s) => s.count > 0);
  if (withSamples.length === 0 || withSamples.some((s) => s.hist === undefined)) return undefined;
  const summary = summarize(withSamples.map(asSnapshot), durationMs);
  const latencyMs = withSamples.reduce((t, s) => t + s.sum, 0);
  const inFlight = loadMs > 0 ? Math.max(1, latencyMs / loadMs) : 1;
  return { n: summary.count, inFlight, at: (p) => summary.percentile(p) };
}

/** How long the load ran (ms): from the first phase's start to the last one's end, else the run's duration. */
export function loadMsOf(r: Report): number {
  if (r.phases.length === 0) return r.durationMs;
  const from = Math.min(...r.phases.map((p) => p.startOffsetMs));
  const to = Math.max(...r.phases.map((p) => p.endOffsetMs));
  return to > from ? to - from : r.durationMs;
}

/**
 * The samples behind each series {@link seriesValues} compares: `all requests` (every
 * http.latency series) and `journey › step` (the series tagged with that journey and step).
 */
export function samplesBySeries(r: Report): Map<string, LatencySamples> {
  const out = new Map<string, LatencySamples>();
  const latency = r.series.filter((s) => s.metric === 'http.latency');
  const loadMs = loadMsOf(r);
  const all = latencySamples(latency, r.durationMs, loadMs);
  if (all !== undefined) out.set('all requests', all);
  for (const j of r.journeys ?? []) {
    for (const step of j.steps) {
      const s = latencySamples(
        latency.filter((x) => x.tags.journey === j.name && x.tags.step === step.name),
        r.durationMs,
        loadMs,
      );
      if (s !== undefined) out.set(`${j.name} › ${step.name}`, s);
    }
  }
  return out;
}

/** 1-based ranks of the lower and upper bound of the q-quantile of n samples. */
export function boundRanks(n: number, q: number): { low: number; high: number } {
  const spread = Z * Math.sqrt(n * q * (1 - q));
  return { low: Math.min(n, Math.max(1, Math.floor(n * q - spread))), high: Math.min(n, Math.max(1, Math.ceil(n * q + spread) + 1)) };
}

/** Samples one stall can delay together: the requests in flight on average, rounded up, less one. */
export function stallSlack(s: LatencySamples): number {
  return Math.ceil(s.inFlight) - 1;
}

/** Confidence bounds (ms) of percentile `p` (50, 95, 99) of the samples, each widened by {@link stallSlack}. */
export function percentileBounds(s: LatencySamples, p: number): Bounds {
  const { low, high } = boundRanks(s.n, p / 100);
  const slack = stallSlack(s);
  const rank = (r: number): number => (100 * Math.min(s.n, Math.max(1, r))) / s.n;
  return { low: s.at(rank(low - slack)), high: s.at(rank(high + slack)) };
}
