import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { RegisterCommand } from '../main.js';
import type { CliIo } from '../io.js';
import { RampartError, UsageError } from '../../errors.js';
import { renderSummary } from '../../report/console-summary.js';
import { readReport } from '../../report/read-report.js';
import { createRedactor } from '../../report/redact.js';
import { parseReportTargets, writeReport, type ReportFormat, type ReportTarget } from '../../report/registry.js';

interface ReportFlags {
  readonly html?: string;
  readonly junit?: string;
  readonly md?: string;
  readonly json?: string;
  readonly report: string[];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

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
    const report = await readReport(resolve(io.cwd, file));
    if (targets.length === 0) {
      io.stdout.write(`${renderSummary(report, { color: io.stdout.isTTY === true })}\n`);
      return 0;
    }
    const redactor = createRedactor([]);
    for (const t of targets) {
      await writeReport(t, report, redactor);
      err(`wrote ${t.format} report to ${t.path}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`rampart report: ${e.message}\n`);
      return 2;
    }
    if (e instanceof RampartError) {
      err(`rampart report: ${e.message} [${e.code}]\n`);
      return 3;
    }
    err(`rampart report: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 3;
  }
}

/** Registers `rampart report`. */
export const registerReport: RegisterCommand = (program: Command, io, setExit) => {
  program
    .command('report')
    .description('Re-render a JSON report (from `rampart run --out`) as HTML, JUnit XML or Markdown; without a format, print its summary.')
    .argument('<report>', 'the JSON report file')
    .option('--html <file>', 'write the self-contained HTML report')
    .option('--junit <file>', 'write JUnit XML (one testcase per threshold and per check)')
    .option('--md <file>', 'write a Markdown summary (PR comment, $GITHUB_STEP_SUMMARY)')
    .option('--json <file>', 'write the JSON report again (validated, pretty-printed)')
    .option('--report <FORMAT=FILE,...>', 'several at once: json=…,junit=…,html=…,md=… (repeatable)', collect, [])
    .action(async (file: string, flags: ReportFlags) => {
      setExit(await reportCommand(file, flags, io));
    });
};
