import { METRIC, type MetricsSnapshot, type SeriesSnapshot } from '../metrics/types.js';
import { selectSeries, summarize } from '../metrics/index.js';
import type { TimelinePoint } from '../report/model.js';

const total = (xs: readonly SeriesSnapshot[]): number => xs.reduce((s, x) => s + x.sum, 0);
const fin = (n: number): number => (Number.isFinite(n) ? n : 0);

/**
 * One timeline point from an interval snapshot.
 * @param t seconds since the run's start at the end of the interval.
 * @param vus VUs running at the end of the interval.
 * @param planned open model: planned arrivals in the interval.
 */
export function timelinePoint(interval: MetricsSnapshot, t: number, phase: string, vus: number, planned?: number): TimelinePoint {
  const windowMs = Math.max(1, interval.endMs - interval.startMs);
  const lat = summarize(selectSeries(interval, METRIC.httpLatency, {}), windowMs);
  const errs = selectSeries(interval, METRIC.httpErrors, {});
  return {
    t: Math.round(t * 1000) / 1000,
    phase,
    requests: total(selectSeries(interval, METRIC.httpRequests, {})),
    errors: total(errs),
    p50: lat.count > 0 ? fin(lat.p50) : 0,
    p95: lat.count > 0 ? fin(lat.p95) : 0,
    p99: lat.count > 0 ? fin(lat.p99) : 0,
    vus,
    ...(planned !== undefined ? { planned: Math.round(planned * 1000) / 1000 } : {}),
    started: total(selectSeries(interval, METRIC.journeysStarted, {})),
    dropped: total(selectSeries(interval, METRIC.journeysDropped, {})),
  };
}
