/**
 * JUnit XML from a Report, in the common schema that Jenkins, GitLab and the GitHub test-report
 * actions read: `testsuites > testsuite(name, tests, failures, errors, skipped, time, timestamp) >
 * testcase(name, classname, time) > failure(message, type)`.
 *
 * - suite `thresholds`: one testcase per threshold; a failed threshold is a `<failure type="threshold">`
 *   whose message holds the expression, the observed value and the series (the threshold key).
 * - suite `checks`: one testcase per check. Checks are soft (they never end an iteration and never
 *   fail a run by themselves), so a check testcase fails only when a threshold on that check failed;
 *   its pass/fail counts are in the testcase's `system-out` either way.
 * - suite `run`: one testcase `run completed`, an `<error type="aborted">` when the run was aborted
 *   (signal, abortOnFail, engine stop) with the reason.
 * Times are seconds. Every name and message is escaped; characters XML 1.0 cannot carry (control
 * characters, lone surrogates) become U+FFFD.
 */
import type { CheckReport, Report } from './model.js';
import type { ThresholdResult } from '../thresholds/judge/types.js';
import { fmtObserved } from './console-summary.js';
import { fmtPct } from './format.js';

// XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text content: the five markup characters escaped, characters XML cannot carry replaced by U+FFFD. */
export function xmlText(s: string): string {
  return s
    .replace(NOT_XML_CHAR, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** An attribute value (double-quoted): as {@link xmlText}, plus quotes, and tab/newlines kept as references. */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

const secs = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

interface Case {
  readonly name: string;
  readonly classname: string;
  readonly failure?: { readonly message: string; readonly type: string; readonly body: string };
  readonly error?: { readonly message: string; readonly type: string };
  readonly out?: string;
}

interface Suite {
  readonly name: string;
  readonly cases: readonly Case[];
}

function thresholdCase(report: Report, t: ThresholdResult, cls: string): Case {
  const kinds = new Map(report.series.map((x) => [x.metric, { type: x.type, unit: x.unit }] as const));
  const observed = fmtObserved(t, kinds.get(t.metric));
  const name = `${t.key}: ${t.expression}`;
  if (t.passed) return { name, classname: cls, out: `observed ${observed}` };
  const why = t.message !== undefined ? ` — ${t.message}` : '';
  const stop = t.aborted === true ? ' (stopped the run)' : '';
  const message = `${t.expression} failed: observed ${observed} on ${t.key}${why}${stop}`;
  const body = [`expression: ${t.expression}`, `observed: ${observed}`, `series: ${t.key}`, ...(t.message !== undefined ? [`reason: ${t.message}`] : [])].join('\n');
  return { name, classname: cls, failure: { message, type: 'threshold', body } };
}

/** A threshold "on" a check: metric `checks` filtered on that check's name. */
function checkGate(report: Report, c: CheckReport): ThresholdResult | undefined {
  return report.thresholds.find((t) => !t.passed && t.metric === 'checks' && t.filter.check === c.name);
}

function checkCase(report: Report, c: CheckReport, cls: string): Case {
  const out = `passed ${c.passes}, failed ${c.fails}, rate ${fmtPct(c.rate)}`;
  const gate = checkGate(report, c);
  if (gate === undefined) return { name: c.name, classname: cls, out };
  return {
    name: c.name,
    classname: cls,
    out,
    failure: { message: `check ${c.name}: ${out}; threshold ${gate.key}: ${gate.expression} failed`, type: 'check', body: out },
  };
}

function suites(report: Report): Suite[] {
  const base = `rampart.${report.scenario.name}`;
  const runCase: Case =
    report.verdict === 'aborted'
      ? { name: 'run completed', classname: `${base}.run`, error: { message: `the run was aborted: ${report.abortReason ?? 'no reason given'}`, type: 'aborted' } }
      : { name: 'run completed', classname: `${base}.run`, out: `verdict ${report.verdict}, exit ${report.exitCode}` };
  return [
    { name: 'thresholds', cases: report.thresholds.map((t) => thresholdCase(report, t, `${base}.thresholds`)) },
    { name: 'checks', cases: (report.checks ?? []).map((c) => checkCase(report, c, `${base}.checks`)) },
    { name: 'run', cases: [runCase] },
  ];
}

const count = (cases: readonly Case[], what: 'failure' | 'error'): number => cases.filter((c) => c[what] !== undefined).length;

/** The JUnit XML document for a report (UTF-8, ends with a newline). */
export function renderJunit(report: Report): string {
  const all = suites(report);
  const cases = all.flatMap((s) => s.cases);
  const time = secs(report.durationMs);
  const ts = xmlAttr(report.startedAt.replace(/Z$/, ''));
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(
    `<testsuites name="${xmlAttr(`rampart ${report.scenario.name}`)}" tests="${cases.length}" failures="${count(cases, 'failure')}" errors="${count(cases, 'error')}" skipped="0" time="${time}" timestamp="${ts}">`,
  );
  all.forEach((s, i) => {
    const suiteName = xmlAttr(`${report.scenario.name} ${s.name}`);
    lines.push(
      `  <testsuite id="${i}" name="${suiteName}" tests="${s.cases.length}" failures="${count(s.cases, 'failure')}" errors="${count(s.cases, 'error')}" skipped="0" time="${time}" timestamp="${ts}" hostname="${xmlAttr(report.environment.host)}">`,
    );
    if (i === 0) {
      lines.push('    <properties>');
      const props: [string, string][] = [
        ['runId', report.runId],
        ['scenario', report.scenario.name],
        ['target', report.scenario.target],
        ['verdict', report.verdict],
        ['exitCode', String(report.exitCode)],
        ['rampart', report.rampart.version],
      ];
      for (const [k, v] of props) lines.push(`      <property name="${xmlAttr(k)}" value="${xmlAttr(v)}"/>`);
      lines.push('    </properties>');
    }
    for (const c of s.cases) {
      const open = `    <testcase name="${xmlAttr(c.name)}" classname="${xmlAttr(c.classname)}" time="0.000"`;
      if (c.failure === undefined && c.error === undefined && c.out === undefined) {
        lines.push(`${open}/>`);
        continue;
      }
      lines.push(`${open}>`);
      if (c.failure) lines.push(`      <failure message="${xmlAttr(c.failure.message)}" type="${xmlAttr(c.failure.type)}">${xmlText(c.failure.body)}</failure>`);
      if (c.error) lines.push(`      <error message="${xmlAttr(c.error.message)}" type="${xmlAttr(c.error.type)}"/>`);
      if (c.out !== undefined) lines.push(`      <system-out>${xmlText(c.out)}</system-out>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  });
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
