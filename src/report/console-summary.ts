/**
 * The end-of-run console summary, rendered from a Report only (so `rampart report` can re-render it):
 * verdict, per journey and step (count, rps, error rate, p50/p90/p95/p99/max), checks, every
 * threshold with pass/fail and the observed value, and warnings.
 */
import type { MetricType, MetricUnit } from '../metrics/types.js';
import type { Output, Report } from './model.js';
import type { ThresholdResult } from '../thresholds/judge/types.js';
import { fmtCount, fmtDuration, fmtMs, fmtPct, fmtRate, generatorExtras, table, tlsSummary } from './format.js';
import type { Redactor } from './redact.js';

/** Options for {@link renderSummary}. */
export interface SummaryOptions {
  /** ANSI colors (a TTY). Default false. */
  readonly color?: boolean;
}

const paint = (on: boolean, code: number, s: string): string => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

/** The observed value of a threshold in its display unit, knowing the metric's type and unit. */
export function fmtObserved(t: ThresholdResult, kind?: { readonly type: MetricType; readonly unit: MetricUnit }): string {
  if (t.observed === null) return 'no samples';
  const agg = /^\s*([a-z]+)/.exec(t.expression)?.[1] ?? '';
  if (kind?.unit === 'us' && ['p', 'avg', 'min', 'max', 'med'].includes(agg)) return fmtMs(t.observed);
  if (agg === 'rate' && kind?.type === 'rate') return fmtPct(t.observed);
  if (agg === 'rate') return fmtRate(t.observed);
  return String(Number(t.observed.toFixed(3)));
}

/** The summary as lines of text (no trailing newline). */
export function renderSummary(report: Report, opts: SummaryOptions = {}): string {
  const c = opts.color === true;
  const out: string[] = [];
  const verdictColor = report.verdict === 'passed' ? 32 : report.verdict === 'failed' ? 31 : 33;
  out.push('');
  out.push(`${paint(c, 1, report.scenario.name)} → ${report.scenario.target}  (${report.scenario.model} model, ${fmtDuration(report.durationMs)})`);
  const reason = report.abortReason !== undefined ? ` — ${report.abortReason}` : '';
  out.push(`verdict: ${paint(c, verdictColor, report.verdict.toUpperCase())}${reason}  (exit ${report.exitCode})`);

  for (const j of report.journeys ?? []) {
    out.push('');
    const parts = [`${fmtCount(j.started)} started`, `${fmtCount(j.completed)} completed`, `${fmtCount(j.failed)} failed`];
    if (j.interrupted > 0) parts.push(`${fmtCount(j.interrupted)} interrupted`);
    if (j.dropped > 0) parts.push(`${fmtCount(j.dropped)} dropped`);
    out.push(`journey ${paint(c, 1, j.name)}: ${parts.join(', ')}`);
    const rows = j.steps.map((s) => [s.name, fmtCount(s.requests), fmtRate(s.rps), fmtPct(s.errorRate), fmtMs(s.p50), fmtMs(s.p90), fmtMs(s.p95), fmtMs(s.p99), fmtMs(s.max)]);
    if (j.duration.count > 0) {
      const d = j.duration;
      rows.push(['(journey duration)', fmtCount(d.count), '', '', fmtMs(d.p50), fmtMs(d.p90), fmtMs(d.p95), fmtMs(d.p99), fmtMs(d.max)]);
    }
    if (rows.length > 0) out.push(...table(['step', 'count', 'rps', 'errors', 'p50', 'p90', 'p95', 'p99', 'max'], rows));
  }

  const tls = tlsSummary(report.series);
  if (tls !== '') out.push('', `tls: ${tls}`);

  if ((report.checks ?? []).length > 0) {
    out.push('', 'checks');
    out.push(...table(['check', 'passed', 'failed', 'rate'], (report.checks ?? []).map((k) => [k.name, fmtCount(k.passes), fmtCount(k.fails), fmtPct(k.rate)])));
  }

  if (report.thresholds.length > 0) {
    out.push('', 'thresholds');
    const kinds = new Map(report.series.map((x) => [x.metric, { type: x.type, unit: x.unit }] as const));
    for (const t of report.thresholds) {
      const mark = t.passed ? paint(c, 32, '✓ pass') : paint(c, 31, '✗ FAIL');
      const msg = !t.passed && t.message !== undefined ? ` — ${t.message}` : '';
      const stop = t.aborted === true ? ' (stopped the run)' : '';
      out.push(`  ${mark}  ${t.key}: ${t.expression}  observed ${fmtObserved(t, kinds.get(t.metric))}${msg}${stop}`);
    }
  }

  const g = report.generator;
  const warnings = [...report.warnings];
  if (report.generator.droppedArrivals > 0 && !warnings.some((w) => w.includes('dropped'))) {
    warnings.push(`${fmtCount(g.droppedArrivals)} arrivals dropped (maxVus reached)`);
  }
  if (warnings.length > 0) {
    out.push('', 'warnings');
    for (const w of warnings) out.push(`  ! ${paint(c, 33, w)}`);
  }
  const busy = g.eventLoopBusy !== undefined ? `, busy ${Math.round(g.eventLoopBusy * 100)}% of the load` : '';
  out.push('', `generator: event-loop lag p99 ${fmtMs(g.eventLoopLagP99Ms)}, max ${fmtMs(g.eventLoopLagMaxMs)}${busy}; ${fmtCount(g.lateArrivals)} late arrivals`);
  const extras = generatorExtras(g);
  if (extras !== '') out.push(`  ${extras}`);
  return out.join('\n');
}

/** The console summary as an Output: printed once, when the run ends, redacted. */
export function summaryOutput(write: (s: string) => void, redactor: Redactor, opts: SummaryOptions = {}): Output {
  return {
    name: 'summary',
    end(report: Report): void {
      write(`${redactor.text(renderSummary(report, opts))}\n`);
    },
  };
}
