/** Import failures: the file to import cannot be read or is malformed (the CLI exits 2). */
import { ERROR_CODES, RampartError } from '../errors.js';
import type { Problem } from '../errors.js';

/** The input file (HAR, Artillery script) cannot be imported; each problem has a position into it. */
export class ImportError extends RampartError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[]) {
    super(problems[0]?.code ?? ERROR_CODES.IMPORT, problems[0]?.message ?? 'cannot import');
    this.name = 'ImportError';
    this.problems = problems;
  }
}

/** One problem at line/column of `file`. */
export function problemAt(file: string, line: number, col: number, message: string, hint?: string, code: Problem['code'] = ERROR_CODES.IMPORT): Problem {
  return hint === undefined ? { code, message, loc: { file, line, col } } : { code, message, loc: { file, line, col }, hint };
}

/** Line and column (1-based) of a character offset into `text`. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}

/** What an import produced: the scenario text and what the user must know about it. */
export interface ImportResult {
  /** The scenario as YAML, with comments. */
  readonly yaml: string;
  /** One line each, printed on stderr: what was dropped, guessed or left for the user. */
  readonly warnings: readonly string[];
  /** Files the scenario refers to that the importer writes beside it (multipart placeholders). */
  readonly files: readonly { readonly path: string; readonly content: string | Uint8Array }[];
}
