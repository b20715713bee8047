import type { Output, Report } from './model.js';
import { writeFileAtomic } from './atomic-write.js';
import type { Redactor } from './redact.js';

/**
 * The JSON report output (`--out report.json`): the Report, redacted, pretty-printed, written
 * atomically when the run ends (also when it was aborted: then before its teardown too).
 * Described by schemas/report.schema.json.
 */
export function jsonOutput(path: string, redactor: Redactor): Output {
  const write = async (report: Report): Promise<void> => {
    await writeFileAtomic(path, `${JSON.stringify(redactor.value(report), null, 2)}\n`);
  };
  return { name: 'json', provisional: write, end: write };
}
