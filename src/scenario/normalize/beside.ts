/** Files a scenario names beside itself (body files, multipart files): read when it loads, with limits. */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ERROR_CODES } from '../../errors.js';
import type { StepEnv } from './steps.js';

/** Files larger than this are refused as request bodies (bytes). */
export const MAX_BODY_FILE_BYTES = 1024 * 1024;

/**
 * The bytes of `rel` (relative to the scenario's directory), read now; a file over `maxBytes`, missing
 * or unreadable is a problem at `at`, named as `what` (`body file`, `multipart file`).
 */
export function readBeside(env: StepEnv, rel: string, maxBytes: number, what: string, at: string): Buffer | undefined {
  const file = resolve(env.baseDir, rel);
  try {
    if (statSync(file).size > maxBytes) {
      env.ctx.problem(ERROR_CODES.DATA_FILE, `${what} ${rel} is larger than ${maxBytes / (1024 * 1024)} MiB`, at);
      return undefined;
    }
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    env.ctx.problem(ERROR_CODES.DATA_FILE, code === 'ENOENT' ? `${what} not found: ${rel}` : `cannot read ${what} ${rel} (${code ?? 'error'})`, at, 'paths are relative to the scenario file');
    return undefined;
  }
}

