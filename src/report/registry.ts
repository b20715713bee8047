/**
 * The explicit registry of report file formats. Each renderer takes a Report and nothing else, so
 * `rampart report <report.json>` re-renders any of them; each output writes its file atomically
 * when the run ends (an aborted run too), redacted.
 */
import { UsageError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { renderHtml } from './html/render.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import type { Output, Report } from './model.js';
import type { Redactor } from './redact.js';
import { REPORT_FORMATS, type ReportFormat } from './formats.js';

/** The JSON report (schemas/report.schema.json), pretty-printed. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Renderers by format name: `json`, `junit` (XML), `html`, `md` (Markdown). */
export const renderers = {
  json: renderJson,
  junit: renderJunit,
  html: renderHtml,
  md: renderMarkdown,
} as const satisfies Record<ReportFormat, (report: Report) => string>;

export type { ReportFormat };
export { REPORT_FORMATS };

/** One file to write: a format and a path. */
export interface ReportTarget {
  readonly format: ReportFormat;
  readonly path: string;
}

export function isReportFormat(s: string): s is ReportFormat {
  return Object.hasOwn(renderers, s);
}

/**
 * Parses `json=out.json,junit=out.xml,html=out.html,md=summary.md` (also repeated flags). A format
 * may appear more than once (two paths); one path may not take two formats.
 * @throws UsageError on an unknown format, a missing path or a path given twice.
 */
export function parseReportTargets(specs: readonly string[]): ReportTarget[] {
  const out: ReportTarget[] = [];
  for (const spec of specs) {
    for (const part of spec.split(',')) {
      const item = part.trim();
      if (item === '') continue;
      const eq = item.indexOf('=');
      if (eq <= 0 || eq === item.length - 1) {
        throw new UsageError(`--report expects FORMAT=FILE (formats: ${REPORT_FORMATS.join(', ')}), got "${item}"`);
      }
      const format = item.slice(0, eq).trim();
      const path = item.slice(eq + 1).trim();
      if (!isReportFormat(format)) throw new UsageError(`--report: unknown format "${format}" (formats: ${REPORT_FORMATS.join(', ')})`);
      if (out.some((t) => t.path === path)) throw new UsageError(`--report: ${path} is given twice`);
      out.push({ format, path });
    }
  }
  return out;
}

/** Renders one format of a redacted copy of the report and writes it atomically. */
export async function writeReport(target: ReportTarget, report: Report, redactor: Redactor): Promise<void> {
  const render: (r: Report) => string = renderers[target.format];
  await writeFileAtomic(target.path, render(redactor.value(report)));
}

/** An Output that writes `target` when the run ends (also when it was aborted). */
export function fileOutput(target: ReportTarget, redactor: Redactor): Output {
  const write = async (report: Report): Promise<void> => {
    await writeReport(target, report, redactor);
  };
  return { name: target.format, provisional: write, end: write };
}
