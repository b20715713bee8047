import { PROTOCOL_METRICS, type MetricsSnapshot, type SeriesSnapshot } from '../metrics/types.js';
import { METRIC } from '../metrics/catalogue.js';
import { selectSeries, summarize } from '../metrics/index.js';
import type { TimelinePoint } from '../report/model.js';

const total = (xs: readonly SeriesSnapshot[]): number => xs.reduce((s, x) => s + x.sum, 0);
const fin = (n: number): number => (Number.isFinite(n) ? n : 0);

/** Classes the journey layer records on the `expectations` rate rather than only on `http.errors`. */
const JOURNEY_CLASSES = new Set(['expectation', 'capture']);
/** The errors rates of the other protocols (ws.errors, kafka.errors, …): counted like http.errors. */
const PROTOCOL_ERRORS = new Set(PROTOCOL_METRICS.map((p) => p.errors));

/**
 * The interval's errors by class: failed samples of `http.errors` and of each protocol's errors rate
 * (`ws.errors`, `kafka.errors`, …) by their `error` tag, plus failed expectations and required
 * captures (`expectations` false samples tagged `expectation`/`capture`).
 * A journey-layer class counts the larger of the two, so a failure recorded on both is not doubled.
 * Undefined when nothing failed, so quiet seconds stay small in the report.
 */
export function errorsByClass(interval: MetricsSnapshot): Record<string, number> | undefined {
  let out: Record<string, number> | undefined;
  const add = (cls: string, n: number, larger: boolean): void => {
    if (n <= 0) return;
    out ??= {};
    const had = out[cls] ?? 0;
    out[cls] = larger ? Math.max(had, n) : had + n;
  };
  const journey = new Map<string, number>();
  for (const s of interval.series) {
    const cls = s.tags['error'];
    if (cls === undefined) continue;
    if (s.metric === METRIC.httpErrors || PROTOCOL_ERRORS.has(s.metric)) add(cls, s.sum, false);
    else if (s.metric === METRIC.expectations && JOURNEY_CLASSES.has(cls)) journey.set(cls, (journey.get(cls) ?? 0) + s.count - s.sum);
  }
  for (const [cls, n] of journey) add(cls, n, true);
  return out;
}

/**
 * One timeline point from an interval snapshot.
 * @param t seconds since the run's start at the end of the interval.
 * @param vus VUs running at the end of the interval.
 * @param planned open model: planned arrivals in the interval.
 * @param stalls the generator's own longest event-loop delay and GC pause time in the interval, and the share of it its loop was busy.
 */
export function timelinePoint(interval: MetricsSnapshot, t: number, phase: string, vus: number, planned?: number, stalls?: Pick<TimelinePoint, 'lagMaxMs' | 'gcMs' | 'busy'>): TimelinePoint {
  const windowMs = Math.max(1, interval.endMs - interval.startMs);
  const lat = summarize(selectSeries(interval, METRIC.httpLatency, {}), windowMs);
  const errs = selectSeries(interval, METRIC.httpErrors, {});
  const byClass = errorsByClass(interval);
  return {
    t: Math.round(t * 1000) / 1000,
    phase,
    requests: total(selectSeries(interval, METRIC.httpRequests, {})),
    errors: total(errs),
    ...(byClass !== undefined ? { errorsByClass: byClass } : {}),
    p50: lat.count > 0 ? fin(lat.p50) : 0,
    p95: lat.count > 0 ? fin(lat.p95) : 0,
    p99: lat.count > 0 ? fin(lat.p99) : 0,
    vus,
    ...(planned !== undefined ? { planned: Math.round(planned * 1000) / 1000 } : {}),
    started: total(selectSeries(interval, METRIC.journeysStarted, {})),
    dropped: total(selectSeries(interval, METRIC.journeysDropped, {})),
    ...(stalls?.lagMaxMs !== undefined ? { lagMaxMs: stalls.lagMaxMs } : {}),
    ...(stalls?.gcMs !== undefined ? { gcMs: stalls.gcMs } : {}),
    ...(stalls?.busy !== undefined ? { busy: stalls.busy } : {}),
    ...wsPart(interval),
  };
}

/** WebSocket steps of the interval (matched messages, their p95, failures); nothing when none ran. */
function wsPart(interval: MetricsSnapshot): { ws?: NonNullable<TimelinePoint['ws']> } {
  const runs = selectSeries(interval, METRIC.wsErrors, {});
  if (runs.every((s) => s.count === 0)) return {};
  const message = selectSeries(interval, METRIC.wsMessage, {});
  const errors = total(runs);
  const l = summarize(message, Math.max(1, interval.endMs - interval.startMs));
  return { ws: { messages: l.count, p95: l.count > 0 ? fin(l.p95) : 0, errors } };
}
