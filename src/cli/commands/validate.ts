import { resolve } from 'node:path';
import type { RegisterCommand } from '../main.js';
import { formatProblem } from '../../errors.js';
import type { Problem } from '../../errors.js';
import { validateScenario } from '../../scenario/index.js';
import { shownPath, shownProblems } from '../paths.js';
import { EXIT } from '../../exit-codes.js';

interface ValidateFlags {
  readonly json?: boolean;
  readonly target?: string;
  readonly environment?: string;
  readonly proxy?: boolean;
}

/**
 * `rampart validate <files…>`: every problem of every file, one line each (file:line:col, message,
 * JSON pointer, code, hint), then a count. Exit 0 when all are valid, 2 otherwise. `--json` prints
 * `{ valid, files: [{ file, valid, problems }] }` instead.
 */
export const registerValidate: RegisterCommand = (program, io, setExit) => {
  program
    .command('validate')
    .description('check scenario files against the schema and the semantic rules; nothing is sent')
    .argument('<files...>', 'scenario YAML files')
    .option('--json', 'machine-readable output')
    .option('--target <url>', 'validate as if the target were this URL')
    .option('-e, --environment <name>', 'validate with this named environment overlay')
    .option('--no-proxy', 'ignore HTTP_PROXY, HTTPS_PROXY and NO_PROXY')
    .action(async (files: string[], flags: ValidateFlags) => {
      const results: { file: string; problems: readonly Problem[] }[] = [];
      for (const file of files) {
        const r = await validateScenario(resolve(io.cwd, file), {
          env: io.env,
          ...(flags.target !== undefined ? { target: flags.target } : {}),
          ...(flags.environment !== undefined ? { environment: flags.environment } : {}),
          ...(flags.proxy === false ? { noProxy: true } : {}),
        });
        results.push({ file: shownPath(file, io.cwd), problems: shownProblems(r.problems, io.cwd) });
      }
      const total = results.reduce((n, r) => n + r.problems.length, 0);
      const invalid = results.filter((r) => r.problems.length > 0).length;
      if (flags.json) {
        io.stdout.write(`${JSON.stringify({ valid: total === 0, files: results.map((r) => ({ file: r.file, valid: r.problems.length === 0, problems: r.problems })) }, null, 2)}\n`);
      } else {
        for (const r of results) {
          if (r.problems.length === 0) io.stdout.write(`${r.file}: valid\n`);
          for (const p of r.problems) io.stdout.write(`${formatProblem(p)}\n`);
        }
        const files = `${results.length} file${results.length === 1 ? '' : 's'}`;
        io.stdout.write(total === 0 ? `${files} valid\n` : `${total} problem${total === 1 ? '' : 's'} in ${invalid} of ${files}\n`);
      }
      setExit(total === 0 ? EXIT.OK : EXIT.INVALID);
    });
};
