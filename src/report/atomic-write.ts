import { randomBytes } from 'node:crypto';
import { access, constants, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EngineError, ERROR_CODES } from '../errors.js';

/**
 * Writes a file atomically: the content goes to a temp file in the same directory, is flushed, and
 * replaces the target with one rename, so a reader never sees half a report.
 * @throws EngineError (RAMPART_REPORT_WRITE) when the file cannot be written.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(content);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new EngineError(`cannot write ${path}: ${(err as Error).message}`, { cause: err, code: ERROR_CODES.REPORT_WRITE });
  }
}

/**
 * Checks BEFORE a run that a report can be written at `path`: its directory exists (or can be
 * created) and is writable, and the path is not a directory. Nothing is left behind.
 * @throws EngineError (RAMPART_REPORT_WRITE) with the reason.
 */
export async function assertWritable(path: string): Promise<void> {
  const dir = dirname(path);
  try {
    const st = await stat(path).catch(() => undefined);
    if (st?.isDirectory()) throw new Error('it is a directory');
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    const probe = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.probe`);
    const fh = await open(probe, 'wx');
    await fh.close();
    await rm(probe, { force: true });
  } catch (err) {
    throw new EngineError(`cannot write a report to ${path}: ${(err as Error).message}`, { cause: err, code: ERROR_CODES.REPORT_WRITE });
  }
}
