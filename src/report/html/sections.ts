/**
 * The HTML report's sections, rendered on the server side from the Report: verdict, thresholds,
 * per-step latency percentiles, checks, warnings, all series, the scenario as run, the environment.
 * Every string from the scenario or the target is escaped with {@link html}.
 */
import type { Report } from '../model.js';
import { fmtObserved } from '../console-summary.js';
import { fmtCount, fmtDuration, fmtMs, fmtPct, fmtRate, generatorExtras, overloadNote, tlsSummary } from '../format.js';
import { html } from './escape.js';

type Cell = string | { readonly raw: string };

const cell = (c: Cell): string => (typeof c === 'string' ? html(c) : c.raw);

function table(header: readonly string[], rows: readonly (readonly Cell[])[], numeric: (i: number) => boolean): string {
  const th = header.map((h, i) => `<th${numeric(i) ? ' class="n"' : ''}>${html(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric(i) ? ' class="n"' : ''}>${cell(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** The verdict banner with the run's key facts. */
export function verdictSection(r: Report): string {
  const failing = r.thresholds.filter((t) => !t.passed).length;
  const reason = r.abortReason !== undefined ? ` — ${html(r.abortReason)}` : '';
  const requests = r.series.filter((s) => s.metric === 'http.requests').reduce((n, s) => n + s.sum, 0);
  return `<section class="verdict ${r.verdict}" id="verdict">
<h1><span class="badge">${r.verdict.toUpperCase()}</span> ${html(r.scenario.name)}${reason}</h1>
<p>${html(r.scenario.target)} · ${r.scenario.model} model · ${html(fmtDuration(r.durationMs))} · ${html(fmtCount(requests))} requests ·
${r.thresholds.length - failing}/${r.thresholds.length} thresholds passed · exit ${r.exitCode}</p>
<p class="muted">run ${html(r.runId)} · ${html(r.startedAt)} → ${html(r.endedAt)}${r.scenario.description !== undefined ? ` · ${html(r.scenario.description)}` : ''}</p>
</section>`;
}

/** Thresholds: pass/fail, key, expression, observed value, why. */
export function thresholdsSection(r: Report): string {
  if (r.thresholds.length === 0) return '<section id="thresholds"><h2>Thresholds</h2><p class="muted">No thresholds declared.</p></section>';
  const kinds = new Map(r.series.map((x) => [x.metric, { type: x.type, unit: x.unit }] as const));
  const rows = r.thresholds.map((t): Cell[] => [
    { raw: t.passed ? '<span class="ok">✓ pass</span>' : '<span class="bad">✗ fail</span>' },
    t.key,
    t.expression,
    fmtObserved(t, kinds.get(t.metric)),
    [!t.passed && t.message !== undefined ? t.message : '', t.aborted === true ? 'stopped the run' : t.abortOnFail ? 'abortOnFail' : ''].filter(Boolean).join('; '),
  ]);
  return `<section id="thresholds"><h2>Thresholds</h2>\n${table(['', 'series', 'expression', 'observed', 'note'], rows, (i) => i === 3)}</section>`;
}

/** Per journey: iterations, then each step's requests, rps, errors and latency percentiles. */
export function stepsSection(r: Report): string {
  const parts: string[] = ['<section id="steps"><h2>Steps</h2>'];
  const journeys = r.journeys ?? [];
  if (journeys.length === 0) parts.push('<p class="muted">No journey data.</p>');
  for (const j of journeys) {
    const facts = [`${fmtCount(j.started)} started`, `${fmtCount(j.completed)} completed`, `${fmtCount(j.failed)} failed`];
    if (j.interrupted > 0) facts.push(`${fmtCount(j.interrupted)} interrupted`);
    if (j.dropped > 0) facts.push(`${fmtCount(j.dropped)} dropped`);
    parts.push(`<h3>journey ${html(j.name)}</h3><p class="muted">${html(facts.join(', '))}</p>`);
    const rows: Cell[][] = j.steps.map((s) => [s.name, fmtCount(s.requests), fmtRate(s.rps), fmtPct(s.errorRate), fmtMs(s.p50), fmtMs(s.p90), fmtMs(s.p95), fmtMs(s.p99), fmtMs(s.max)]);
    const d = j.duration;
    if (d.count > 0) rows.push([{ raw: '<em>journey duration</em>' }, fmtCount(d.count), '', '', fmtMs(d.p50), fmtMs(d.p90), fmtMs(d.p95), fmtMs(d.p99), fmtMs(d.max)]);
    parts.push(table(['step', 'requests', 'rps', 'errors', 'p50', 'p90', 'p95', 'p99', 'max'], rows, (i) => i > 0));
  }
  const checks = r.checks ?? [];
  if (checks.length > 0) {
    parts.push('<h3>checks</h3>');
    parts.push(table(['check', 'passed', 'failed', 'rate'], checks.map((c) => [c.name, fmtCount(c.passes), fmtCount(c.fails), fmtPct(c.rate)]), (i) => i > 0));
  }
  parts.push('</section>');
  return parts.join('\n');
}

/** Rows of the errors-by-second table at most: an outage is a few seconds, a broken run every one. */
const ERROR_SECONDS_MAX = 120;

/** The seconds that had errors, by class: when an outage began and ended, and what it looked like. */
function errorSecondsTable(r: Report): string {
  const failing = r.timeline.filter((p) => p.errors > 0 || p.errorsByClass !== undefined);
  if (failing.length === 0) return '<p class="muted">No errors in any second.</p>';
  const classes = [...new Set(failing.flatMap((p) => Object.keys(p.errorsByClass ?? {})))].sort();
  const shown = failing.slice(0, ERROR_SECONDS_MAX);
  const rows = shown.map((p): Cell[] => [String(Math.round(p.t)), p.phase, fmtCount(p.requests), fmtCount(p.errors), ...classes.map((c) => fmtCount(p.errorsByClass?.[c] ?? 0))]);
  const more = failing.length > shown.length ? `<p class="muted">The first ${shown.length} of ${failing.length} seconds with errors.</p>` : '';
  return `<h3>errors by second</h3>\n${table(['second', 'phase', 'requests', 'errors', ...classes], rows, (i) => i !== 1)}${more}`;
}

/** The chart containers the client script fills, and the seconds that had errors. */
export function chartsSection(r: Report): string {
  const ids = ['chart-rps', 'chart-latency', 'chart-errors', 'chart-vus'];
  return `<section id="charts"><h2>Over time</h2>\n${ids.map((id) => `<div class="chart" id="${id}"></div>`).join('\n')}\n${errorSecondsTable(r)}\n</section>`;
}

/** Warnings and the generator's own health. */
export function warningsSection(r: Report): string {
  const g = r.generator;
  const items = [...r.warnings];
  const overload = overloadNote(g);
  if (overload !== undefined) items.push(overload);
  const list = items.length > 0 ? `<ul class="warn">${items.map((w) => `<li>${html(w)}</li>`).join('')}</ul>` : '<p class="muted">No warnings.</p>';
  const extras = generatorExtras(g);
  const health = `event-loop lag p99 ${fmtMs(g.eventLoopLagP99Ms)}, max ${fmtMs(g.eventLoopLagMaxMs)}; ${fmtCount(g.lateArrivals)} late arrivals; ${fmtCount(g.droppedArrivals)} dropped arrivals${extras !== '' ? `; ${extras}` : ''}`;
  const tls = tlsSummary(r.series);
  return `<section id="warnings"><h2>Warnings and generator health</h2>${list}<p class="muted">${html(health)}</p>${tls !== '' ? `<p class="muted">${html(`TLS negotiated: ${tls}`)}</p>` : ''}</section>`;
}

/** Every series of the run, collapsed. */
export function seriesSection(r: Report): string {
  const tags = (t: Readonly<Record<string, string>>): string => Object.entries(t).map(([k, v]) => `${k}:${v}`).join(', ');
  const rows: Cell[][] = r.series.map((s) => {
    const time = s.unit === 'us';
    const v = (n: number): string => (s.type !== 'trend' ? '' : time ? fmtMs(n) : String(Number(n.toFixed(3))));
    const rate = s.type === 'rate' ? fmtPct(s.rate) : s.type === 'gauge' ? String(s.rate) : fmtRate(s.rate);
    return [s.metric, tags(s.tags), s.type, fmtCount(s.count), rate, v(s.avg), v(s.p50), v(s.p95), v(s.p99), v(s.max)];
  });
  return `<section id="series"><details><summary><h2>All series (${r.series.length})</h2></summary>\n${table(
    ['metric', 'tags', 'type', 'count', 'rate', 'avg', 'p50', 'p95', 'p99', 'max'],
    rows,
    (i) => i > 2,
  )}</details></section>`;
}

/** The scenario as run (redacted before it reached the report) and the environment. */
export function scenarioSection(r: Report): string {
  const e = r.environment;
  const env: Cell[][] = [
    ['rampart', r.rampart.version],
    ['node', e.node],
    ['platform', e.platform],
    ['host', e.host],
    ['cpus', String(e.cpus)],
    ...(e.workers !== undefined ? [['workers', String(e.workers)] as Cell[]] : []),
    ['scenario file', r.scenario.file],
    ['scenario hash', r.scenario.hash],
  ];
  const phases: Cell[][] = r.phases.map((p) => [p.name, fmtDuration(p.startOffsetMs), fmtDuration(p.endOffsetMs)]);
  const text = r.scenario.text !== undefined ? `<details open><summary>scenario as run</summary><pre>${html(r.scenario.text)}</pre></details>` : '';
  const phaseTable = phases.length > 0 ? `<h3>phases</h3>${table(['phase', 'from', 'to'], phases, (i) => i > 0)}` : '';
  return `<section id="scenario"><h2>Scenario and environment</h2>${table(['', ''], env, () => false)}${phaseTable}${text}</section>`;
}
