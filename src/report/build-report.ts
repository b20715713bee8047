/**
 * Builds the Report from what a run produced: the cumulative metrics snapshot, the final threshold
 * results, the timeline, and the generator's own health. Pure: no clock, no I/O.
 */
import type { Plan, Step } from '../scenario/plan.js';
import type { MetricsSnapshot, SeriesSnapshot, Tags } from '../metrics/types.js';
import { METRIC, PROTOCOL_METRICS } from '../metrics/catalogue.js';
import { selectSeries, summarize, toSeriesReport } from '../metrics/index.js';
import type {
  CheckReport,
  GeneratorHealth,
  JourneyReport,
  PhaseReport,
  Report,
  StepReport,
  TimelinePoint,
} from './model.js';
import type { SeriesReport } from '../metrics/types.js';
import type { ThresholdResult, Verdict } from '../thresholds/judge/types.js';

export interface ReportInput {
  readonly plan: Plan;
  readonly version: string;
  readonly runId: string;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly verdict: Verdict;
  readonly exitCode: number;
  readonly abortReason?: string;
  readonly cumulative: MetricsSnapshot;
  readonly thresholds: readonly ThresholdResult[];
  readonly phases: readonly PhaseReport[];
  readonly timeline: readonly TimelinePoint[];
  readonly generator: GeneratorHealth;
  readonly warnings: readonly string[];
  readonly environment: Report['environment'];
  /** The scenario text as run (redacted by the outputs). */
  readonly scenarioText?: string;
}

/** A finite number, or 0 (JSON has no NaN/Infinity; empty summaries must stay schema-valid). */
export function finite(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

const sum = (series: readonly SeriesSnapshot[]): number => series.reduce((s, x) => s + x.sum, 0);

/** Step names of a journey in the order the journey runs them (requests, polls and ws steps, nested too). */
export function stepNames(steps: readonly Step[], out: string[] = []): string[] {
  for (const s of steps) {
    if ((s.kind === 'request' || s.kind === 'poll' || s.kind === 'kafka' || s.kind === 'redis' || s.kind === 'ws') && !out.includes(s.name)) out.push(s.name);
    if (s.kind === 'loop' || s.kind === 'group') stepNames(s.steps, out);
    if (s.kind === 'parallel') stepNames(s.requests, out);
    if (s.kind === 'if') {
      stepNames(s.then, out);
      stepNames(s.else, out);
    }
  }
  return out;
}

function sanitizeSeries(r: SeriesReport): SeriesReport {
  return {
    ...r,
    count: finite(r.count),
    rate: finite(r.rate),
    sum: finite(r.sum),
    avg: finite(r.avg),
    min: finite(r.min),
    max: finite(r.max),
    p50: finite(r.p50),
    p90: finite(r.p90),
    p95: finite(r.p95),
    p99: finite(r.p99),
  };
}

/** Per journey and step summaries from the cumulative snapshot. */
export function journeyReports(plan: Plan, snap: MetricsSnapshot, windowMs: number): JourneyReport[] {
  const seconds = Math.max(windowMs, 1) / 1000;
  return plan.journeys.map((j) => {
    const f: Tags = { journey: j.name };
    const names = stepNames(j.steps);
    for (const s of [...selectSeries(snap, METRIC.httpRequests, f), ...selectSeries(snap, METRIC.httpLatency, f)]) {
      const step = s.tags.step;
      if (step !== undefined && !names.includes(step)) names.push(step);
    }
    const steps: StepReport[] = [];
    for (const name of names) {
      const sf: Tags = { journey: j.name, step: name };
      let lat = selectSeries(snap, METRIC.httpLatency, sf);
      const reqSeries = selectSeries(snap, METRIC.httpRequests, sf);
      let requests = reqSeries.length > 0 ? sum(reqSeries) : lat.reduce((n, x) => n + x.count, 0);
      let errors = selectSeries(snap, METRIC.httpErrors, sf);
      // A step of another protocol (ws, kafka, redis): one errors sample per operation.
      const other = requests === 0 ? PROTOCOL_METRICS.find((p) => selectSeries(snap, p.errors, sf).length > 0) : undefined;
      if (other !== undefined) {
        errors = selectSeries(snap, other.errors, sf);
        lat = selectSeries(snap, other.latency, sf);
        if (lat.length === 0 && other.orLatency !== undefined) lat = selectSeries(snap, other.orLatency, sf);
        requests = errors.reduce((n, x) => n + x.count, 0);
      }
      if (requests === 0 && lat.length === 0) continue;
      const l = summarize(lat, windowMs);
      const errCount = errors.reduce((n, x) => n + x.count, 0);
      steps.push({
        name,
        requests,
        rps: requests / seconds,
        errorRate: errCount > 0 ? sum(errors) / errCount : 0,
        p50: finite(l.p50),
        p90: finite(l.p90),
        p95: finite(l.p95),
        p99: finite(l.p99),
        max: finite(l.max),
      });
    }
    const d = summarize(selectSeries(snap, METRIC.journeyDuration, f), windowMs);
    return {
      name: j.name,
      started: sum(selectSeries(snap, METRIC.journeysStarted, f)),
      completed: sum(selectSeries(snap, METRIC.journeysCompleted, f)),
      failed: sum(selectSeries(snap, METRIC.journeysFailed, f)),
      interrupted: sum(selectSeries(snap, METRIC.journeysInterrupted, f)),
      dropped: sum(selectSeries(snap, METRIC.journeysDropped, f)),
      duration: { count: d.count, p50: finite(d.p50), p90: finite(d.p90), p95: finite(d.p95), p99: finite(d.p99), max: finite(d.max) },
      steps,
    };
  });
}

/** Every named check over the run, in order of name. */
export function checkReports(snap: MetricsSnapshot): CheckReport[] {
  const by = new Map<string, { passes: number; total: number }>();
  for (const s of selectSeries(snap, METRIC.checks, {})) {
    const name = s.tags.check ?? '(unnamed)';
    const e = by.get(name) ?? { passes: 0, total: 0 };
    e.passes += s.sum;
    e.total += s.count;
    by.set(name, e);
  }
  return [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, e]) => ({ name, passes: e.passes, fails: e.total - e.passes, rate: e.total > 0 ? e.passes / e.total : 0 }));
}

/** The Report (schemas/report.schema.json). */
export function buildReport(input: ReportInput): Report {
  const { plan, cumulative } = input;
  const windowMs = Math.max(1, input.endedAt - input.startedAt);
  const series = cumulative.series.map((s) => sanitizeSeries(toSeriesReport(s, windowMs)));
  return {
    schemaVersion: 1,
    rampart: { version: input.version },
    runId: input.runId,
    scenario: {
      name: plan.name,
      ...(plan.description !== undefined ? { description: plan.description } : {}),
      file: plan.source.file,
      hash: plan.source.hash,
      target: plan.target,
      model: plan.load.model,
      ...(input.scenarioText !== undefined ? { text: input.scenarioText } : {}),
    },
    verdict: input.verdict,
    exitCode: input.exitCode,
    ...(input.abortReason !== undefined ? { abortReason: input.abortReason } : {}),
    startedAt: new Date(input.startedAt).toISOString(),
    endedAt: new Date(input.endedAt).toISOString(),
    durationMs: Math.round(input.endedAt - input.startedAt),
    environment: input.environment,
    phases: input.phases,
    thresholds: input.thresholds.map((t) => ({ ...t, observed: t.observed !== null && Number.isFinite(t.observed) ? t.observed : null })),
    series,
    timeline: input.timeline,
    journeys: journeyReports(plan, cumulative, windowMs),
    checks: checkReports(cumulative),
    generator: input.generator,
    warnings: input.warnings,
  };
}
