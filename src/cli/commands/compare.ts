import { resolve } from 'node:path';
import type { CliIo } from '../io.js';
import { RampartError, UsageError } from '../../errors.js';
import { compareReports, DEFAULT_TOLERANCES, parseTolerances, renderComparison, type Comparison, type Tolerances } from '../../report/compare.js';
import type { Report } from '../../report/model.js';
import { EXIT } from '../../exit-codes.js';

export interface CompareFlags {
  readonly maxRegression?: string;
  readonly json?: boolean;
}

/** A baseline given to `rampart run --baseline`: read and validated before any load is sent. */
export interface Baseline {
  readonly report: Report;
  readonly tolerances: Tolerances;
}

/**
 * Reads `--baseline` and parses `--max-regression` (default {@link DEFAULT_TOLERANCES}).
 * @throws UsageError when the file is not a rampart report or the tolerances do not parse.
 */
export async function loadBaseline(path: string, maxRegression: string | undefined, cwd: string): Promise<Baseline> {
  const tolerances = parseTolerances(maxRegression ?? DEFAULT_TOLERANCES);
  const { readReport } = await import('../../report/read-report.js');
  const report = await readReport(resolve(cwd, path));
  return { report, tolerances };
}

/**
 * After a run: compares its report with the baseline and prints the table to stdout. Whether a
 * regression fails the run is the judge's (gatedExitCode).
 */
export function compareWithBaseline(report: Report, baseline: Baseline, io: CliIo): Comparison {
  const comparison = compareReports(baseline.report, report, baseline.tolerances);
  io.stdout.write(`\n${renderComparison(comparison)}\n`);
  return comparison;
}

/** `rampart compare <baseline.json> <current.json>`: 0 no regression, 1 regressions, 2 bad input. */
export async function compareCommand(basePath: string, currentPath: string, flags: CompareFlags, io: CliIo): Promise<number> {
  try {
    const baseline = await loadBaseline(basePath, flags.maxRegression, io.cwd);
    const { readReport } = await import('../../report/read-report.js');
    const current = await readReport(resolve(io.cwd, currentPath));
    const c = compareReports(baseline.report, current, baseline.tolerances);
    io.stdout.write(flags.json === true ? `${JSON.stringify(c, null, 2)}\n` : `${renderComparison(c)}\n`);
    return c.passed ? EXIT.OK : EXIT.FAILED;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`rampart compare: ${e.message}\n`);
      return EXIT.INVALID;
    }
    io.stderr.write(`rampart compare: ${e instanceof RampartError ? `${e.message} [${e.code}]` : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.ENGINE;
  }
}
