/**
 * How the CLI names files in what it prints: relative to the working directory when the file is
 * under it (as a user types it), absolute otherwise. `validate`, `run` and `collect` alike.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import type { Problem } from '../errors.js';

/** `path` as shown to the user: relative to `cwd` when under it, else absolute. */
export function shownPath(path: string, cwd: string): string {
  const abs = resolve(cwd, path);
  const rel = relative(cwd, abs);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

/** The problems with every file named by {@link shownPath}. */
export function shownProblems(problems: readonly Problem[], cwd: string): Problem[] {
  return problems.map((p) => ({ ...p, loc: { ...p.loc, file: shownPath(p.loc.file, cwd) } }));
}
