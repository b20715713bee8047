/**
 * WebSocket steps in the report's step tables: a ws step has no requests, so its row counts its
 * operations — matched messages (ws.message samples), or handshakes (ws.connect) for a step that
 * waits for none — plus its failures (ws.errors); the latency columns are those of ws.message (else
 * ws.connect), and the error rate is failures over operations. Every format renders these rows as
 * it renders request steps.
 */
import { selectSeries, summarize } from '../metrics/index.js';
import type { MetricsSnapshot, Tags } from '../metrics/types.js';
import { METRIC } from '../metrics/catalogue.js';
import type { StepReport } from './model.js';

const finite = (n: number): number => (Number.isFinite(n) ? n : 0);

/** The row of a ws step, or undefined when the snapshot has no ws series for it. */
export function wsStepReport(name: string, snap: MetricsSnapshot, filter: Tags, windowMs: number): StepReport | undefined {
  const message = selectSeries(snap, METRIC.wsMessage, filter);
  const connect = selectSeries(snap, METRIC.wsConnect, filter);
  const errors = selectSeries(snap, METRIC.wsErrors, filter).reduce((n, s) => n + s.sum, 0);
  const timed = message.length > 0 ? message : connect;
  if (timed.length === 0 && errors === 0) return undefined;
  const l = summarize(timed, windowMs);
  const count = l.count + errors;
  return {
    name,
    requests: count,
    rps: count / (Math.max(windowMs, 1) / 1000),
    errorRate: count > 0 ? errors / count : 0,
    p50: finite(l.p50),
    p90: finite(l.p90),
    p95: finite(l.p95),
    p99: finite(l.p99),
    max: finite(l.max),
  };
}
