/**
 * A Markdown summary of a Report, fit for a pull-request comment or `$GITHUB_STEP_SUMMARY`: the
 * verdict, the thresholds table, one table of steps per journey, checks, and warnings. GitHub-flavoured
 * tables; every value from the scenario or the target is escaped so it can neither break a table nor
 * inject HTML or links into the comment.
 */
import type { Report } from './model.js';
import { fmtObserved } from './console-summary.js';
import { fmtCount, fmtDuration, fmtMs, fmtPct, fmtRate, overloadNote, tlsSummary } from './format.js';

/**
 * Inline text safe in a table cell: HTML-significant characters as entities (GitHub renders inline
 * HTML), inline Markdown punctuation (emphasis, code, links, pipes) backslash-escaped, newlines and
 * control characters as spaces. Cells never start a line, so list and heading markers need no escape.
 */
export function mdText(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this handles
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/([\\`*_{}[\]()|~])/g, '\\$1');
}

/** Inline code; backticks inside become ordinary characters by widening the fence. */
export function mdCode(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this handles
  const flat = s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

function mdTable(header: readonly string[], align: readonly ('l' | 'r')[], rows: readonly (readonly string[])[]): string[] {
  const sep = align.map((a) => (a === 'r' ? '---:' : ':---'));
  return [`| ${header.join(' | ')} |`, `| ${sep.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

const ICON = { passed: '✅', failed: '❌', aborted: '⚠️' } as const;

/** The Markdown document (ends with a newline). */
export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  const reason = report.abortReason !== undefined ? ` — ${mdText(report.abortReason)}` : '';
  out.push(`## ${ICON[report.verdict]} rampart: ${mdText(report.scenario.name)} ${report.verdict.toUpperCase()}${reason}`);
  out.push('');
  const failing = report.thresholds.filter((t) => !t.passed).length;
  out.push(
    `${mdText(report.scenario.target)} · ${report.scenario.model} model · ${fmtDuration(report.durationMs)} · ` +
      `${report.thresholds.length - failing}/${report.thresholds.length} thresholds passed · exit ${report.exitCode} · run ${mdCode(report.runId)}`,
  );

  if (report.thresholds.length > 0) {
    const kinds = new Map(report.series.map((x) => [x.metric, { type: x.type, unit: x.unit }] as const));
    out.push('', '### Thresholds', '');
    out.push(
      ...mdTable(
        ['', 'series', 'expression', 'observed', 'note'],
        ['l', 'l', 'l', 'r', 'l'],
        report.thresholds.map((t) => [
          t.passed ? '✅' : '❌',
          mdCode(t.key),
          mdCode(t.expression),
          mdText(fmtObserved(t, kinds.get(t.metric))),
          [!t.passed && t.message !== undefined ? mdText(t.message) : '', t.aborted === true ? 'stopped the run' : ''].filter(Boolean).join('; '),
        ]),
      ),
    );
  }

  for (const j of report.journeys ?? []) {
    out.push('', `### Journey ${mdText(j.name)}`, '');
    const parts = [`${fmtCount(j.started)} started`, `${fmtCount(j.completed)} completed`, `${fmtCount(j.failed)} failed`];
    if (j.interrupted > 0) parts.push(`${fmtCount(j.interrupted)} interrupted`);
    if (j.dropped > 0) parts.push(`${fmtCount(j.dropped)} dropped`);
    out.push(parts.join(', '), '');
    const rows = j.steps.map((s) => [mdText(s.name), fmtCount(s.requests), fmtRate(s.rps), fmtPct(s.errorRate), fmtMs(s.p50), fmtMs(s.p90), fmtMs(s.p95), fmtMs(s.p99), fmtMs(s.max)]);
    if (j.duration.count > 0) {
      const d = j.duration;
      rows.push(['*journey duration*', fmtCount(d.count), '', '', fmtMs(d.p50), fmtMs(d.p90), fmtMs(d.p95), fmtMs(d.p99), fmtMs(d.max)]);
    }
    out.push(...mdTable(['step', 'requests', 'rps', 'errors', 'p50', 'p90', 'p95', 'p99', 'max'], ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'], rows));
  }

  const checks = report.checks ?? [];
  if (checks.length > 0) {
    out.push('', '### Checks', '');
    out.push(...mdTable(['check', 'passed', 'failed', 'rate'], ['l', 'r', 'r', 'r'], checks.map((c) => [mdText(c.name), fmtCount(c.passes), fmtCount(c.fails), fmtPct(c.rate)])));
  }

  const g = report.generator;
  const warnings = [...report.warnings];
  const overload = overloadNote(g);
  if (overload !== undefined) warnings.push(overload);
  if (warnings.length > 0) {
    out.push('', '### Warnings', '');
    for (const w of warnings) out.push(`- ${mdText(w)}`);
  }
  const tls = tlsSummary(report.series);
  if (tls !== '') out.push('', `TLS: ${mdText(tls)}`);
  out.push('', `<sub>rampart ${mdText(report.rampart.version)} · ${mdText(report.startedAt)} · generator lag p99 ${fmtMs(g.eventLoopLagP99Ms)}, ${fmtCount(g.lateArrivals)} late arrivals</sub>`);
  return `${out.join('\n')}\n`;
}
