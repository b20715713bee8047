import { resolve } from 'node:path';
import type { CliIo } from '../io.js';
import { RampartError, UsageError } from '../../errors.js';
import { assertWritable } from '../../report/atomic-write.js';
import { renderSummary } from '../../report/console-summary.js';
import type { Output, Report } from '../../report/model.js';
import type { PrometheusOutput } from '../../report/prometheus.js';
import { createRedactor, type Redactor } from '../../report/redact.js';
import { fileOutput, parseReportTargets, writeReport, type ReportFormat, type ReportTarget } from '../../report/registry.js';
import { gatedExitCode } from '../../thresholds/judge/verdict.js';
import { compareWithBaseline, loadBaseline, type Baseline } from './compare.js';
import { EXIT } from '../../exit-codes.js';

export interface ReportFlags {
  readonly html?: string;
  readonly junit?: string;
  readonly md?: string;
  readonly json?: string;
  readonly report: string[];
}

/** The files asked for by `--html/--junit/--md/--json` and `--report FORMAT=FILE,…`, paths resolved against cwd. */
export function targetsOf(flags: ReportFlags, cwd: string): ReportTarget[] {
  const single: [ReportFormat, string | undefined][] = [
    ['json', flags.json],
    ['junit', flags.junit],
    ['html', flags.html],
    ['md', flags.md],
  ];
  const specs = [...single.flatMap(([f, p]) => (p !== undefined ? [`${f}=${p}`] : [])), ...flags.report];
  return parseReportTargets(specs).map((t) => ({ ...t, path: resolve(cwd, t.path) }));
}

/**
 * `rampart report <report.json>`: re-renders a JSON report in other formats. Without a format flag
 * it prints the console summary. Exit 0 when written, 2 when the input is not a rampart report or
 * the flags are wrong, 3 when a file cannot be written.
 */
export async function reportCommand(file: string, flags: ReportFlags, io: CliIo): Promise<number> {
  const err = (s: string): void => void io.stderr.write(s);
  try {
    const targets = targetsOf(flags, io.cwd);
    const { readReport } = await import('../../report/read-report.js');
    const report = await readReport(resolve(io.cwd, file));
    if (targets.length === 0) {
      io.stdout.write(`${renderSummary(report, { color: io.stdout.isTTY === true })}\n`);
      return EXIT.OK;
    }
    const redactor = createRedactor([]);
    for (const t of targets) {
      await writeReport(t, report, redactor);
      err(`wrote ${t.format} report to ${t.path}\n`);
    }
    return EXIT.OK;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`rampart report: ${e.message}\n`);
      return EXIT.INVALID;
    }
    if (e instanceof RampartError) {
      err(`rampart report: ${e.message} [${e.code}]\n`);
      return EXIT.ENGINE;
    }
    err(`rampart report: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.ENGINE;
  }
}

/** The report flags of `rampart run` (besides `--out`, the JSON shorthand it handles itself). */
export interface RunReportFlags {
  /** `FORMAT=FILE,…` (repeatable). */
  readonly report?: readonly string[];
  readonly baseline?: string;
  readonly maxRegression?: string;
  readonly prometheus?: string;
  readonly pushgateway?: string;
}

/** What `rampart run` adds to a run for its report flags. */
export interface RunReports {
  /** The outputs to give the Run: one per `--report` file, and Prometheus when asked. */
  outputs(redactor: Redactor): Output[];
  /**
   * After the run: 3 when a `--report` file could not be written, else the baseline gate (prints
   * the comparison; 1 when the run passed but regressed), else `code`.
   */
  finish(report: Report, code: number): number;
  /** Closes the Prometheus endpoint (after the last push). */
  close(): Promise<void>;
}

/**
 * Checks the report flags of `rampart run` BEFORE any load: formats and paths (each must be
 * writable), the baseline (a valid report) and its tolerances, and binds the Prometheus endpoint.
 * @throws UsageError (exit 2) or EngineError (unwritable path, exit 3).
 */
export async function prepareRunReports(flags: RunReportFlags, io: CliIo): Promise<RunReports> {
  if (flags.maxRegression !== undefined && flags.baseline === undefined) throw new UsageError('--max-regression needs --baseline <report.json>');
  const targets = parseReportTargets(flags.report ?? []).map((t) => ({ ...t, path: resolve(io.cwd, t.path) }));
  for (const t of targets) await assertWritable(t.path);
  const baseline: Baseline | undefined = flags.baseline !== undefined ? await loadBaseline(flags.baseline, flags.maxRegression, io.cwd) : undefined;
  let pushUrl: string | undefined;
  if (flags.pushgateway !== undefined) {
    const u = URL.canParse(flags.pushgateway) ? new URL(flags.pushgateway) : undefined;
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) throw new UsageError(`--pushgateway expects an http(s) URL, got "${flags.pushgateway}"`);
    pushUrl = u.href.replace(/\/$/, '');
  }
  let prom: PrometheusOutput | undefined;
  if (flags.prometheus !== undefined || pushUrl !== undefined) {
    // prom-client loads only when a run exposes or pushes metrics.
    const { parseListen, prometheusOutput } = await import('../../report/prometheus.js');
    prom = prometheusOutput({
      ...(flags.prometheus !== undefined ? { listen: parseListen(flags.prometheus) } : {}),
      ...(pushUrl !== undefined ? { pushgateway: pushUrl } : {}),
      onWarning: (m) => void io.stderr.write(`warning: ${m}\n`),
    });
    await prom.open();
    if (prom.url !== undefined) io.stderr.write(`prometheus: serving ${prom.url}\n`);
  }
  const failed: string[] = [];
  return {
    outputs(redactor: Redactor): Output[] {
      const files = targets.map((t): Output => {
        const out = fileOutput(t, redactor);
        return {
          name: out.name,
          provisional: (report: Report) => out.provisional?.(report),
          async end(report: Report): Promise<void> {
            try {
              await out.end?.(report);
            } catch (e) {
              failed.push(e instanceof Error ? e.message : String(e));
              throw e;
            }
          },
        };
      });
      return prom ? [...files, prom] : files;
    },
    finish(report: Report, code: number): number {
      if (failed.length > 0) io.stderr.write(`rampart run: a report could not be written: ${failed.join('; ')}\n`);
      const comparison = failed.length === 0 && baseline ? compareWithBaseline(report, baseline, io) : undefined;
      return gatedExitCode(code, { reportFailed: failed.length > 0, regressed: comparison !== undefined && !comparison.passed });
    },
    async close(): Promise<void> {
      await prom?.close();
    },
  };
}
