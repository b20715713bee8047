/** What `rampart import` does: read, convert, write, then validate what it wrote. */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ERROR_CODES, formatProblem, RampartError } from '../../errors.js';
import { ImportError, importArtillery, importHar, readArtillery, readHar, type ImportResult } from '../../import/index.js';
import { parseScenarioText } from '../../scenario/index.js';
import type { CliIo } from '../io.js';
import { EXIT } from '../../exit-codes.js';

/** Flags of `rampart import har|artillery`. */
export interface ImportFlags {
  readonly output?: string;
  readonly keepStatic?: boolean;
  /** `--no-correlate` sets it false. */
  readonly correlate?: boolean;
  readonly name?: string;
}

/** Converts `file`; exit 0 with a valid scenario, 2 when the input (or what it became) is invalid, 3 when the output cannot be written. */
export async function importCommand(kind: 'har' | 'artillery', file: string, flags: ImportFlags, io: CliIo): Promise<number> {
  const input = resolve(io.cwd, file);
  const name = flags.name ?? basename(file, extname(file));
  const out = flags.output !== undefined ? resolve(io.cwd, flags.output) : undefined;
  let result: ImportResult;
  try {
    if (kind === 'har') result = importHar(await readHar(input, file), { name, file, ...(flags.keepStatic ? { keepStatic: true } : {}), ...(flags.correlate === false ? { correlate: false } : {}) });
    else result = importArtillery(await readArtillery(input, file), { name, file });
  } catch (err) {
    if (err instanceof ImportError) {
      for (const p of err.problems) io.stderr.write(`${formatProblem(p)}\n`);
      return EXIT.INVALID;
    }
    if (err instanceof RampartError) {
      io.stderr.write(`rampart import: ${err.message} [${err.code}]\n`);
      return EXIT.INVALID;
    }
    throw err;
  }
  for (const w of result.warnings) io.stderr.write(`warning: ${w}\n`);
  // Files the scenario names are written first: validation reads them.
  const base = out !== undefined ? dirname(out) : io.cwd;
  try {
    for (const f of result.files) {
      const path = join(base, f.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.content);
    }
    if (out !== undefined) await writeFile(out, result.yaml);
  } catch (err) {
    io.stderr.write(`rampart import: cannot write the scenario: ${(err as NodeJS.ErrnoException).message} [${ERROR_CODES.REPORT_WRITE}]\n`);
    return EXIT.ENGINE;
  }
  if (out === undefined) io.stdout.write(result.yaml);
  const shown = flags.output ?? '<stdout>';
  const checked = await parseScenarioText(result.yaml, shown, { env: io.env }, out ?? join(io.cwd, 'imported.yaml'));
  if (checked.problems.length > 0) {
    for (const p of checked.problems) io.stderr.write(`${formatProblem(p)}\n`);
    io.stderr.write(`rampart import: the scenario written does not validate (${checked.problems.length} problem(s) above): the input uses something rampart cannot resolve on its own; fix the scenario there\n`);
    return EXIT.INVALID;
  }
  if (out !== undefined) io.stderr.write(`${flags.output ?? ''}: valid scenario written\n`);
  return EXIT.OK;
}
