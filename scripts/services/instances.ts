/**
 * Per-instance folders under `.cache/services/instances/` for private servers. Each holds an
 * `owner.pid` with the server's pid; folders whose server is gone (a run that was killed, or a start
 * that failed and kept its logs) are pruned on the next start.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from './proc.js';

const OWNER = 'owner.pid';

/** A fresh folder `<instances>/<prefix>-<random>` (created). */
export function newInstanceDir(instances: string, prefix: string): string {
  const dir = join(instances, `${prefix}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Records the pid of the server that owns the folder. */
export function markInstance(dir: string, pid: number): void {
  writeFileSync(join(dir, OWNER), `${pid}\n`);
}

/**
 * Removes instance folders whose recorded server is no longer alive, and folders without an owner
 * that are older than `graceMs` (default 10 min; a start in progress has not written its pid yet).
 * @returns the removed folders
 */
export function pruneInstances(instances: string, graceMs = 10 * 60_000, now: number = Date.now()): string[] {
  let names: string[];
  try {
    names = readdirSync(instances);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const dir = join(instances, name);
    let stale: boolean;
    try {
      const pid = Number(readFileSync(join(dir, OWNER), 'utf8').trim());
      stale = !isAlive(pid);
    } catch {
      try {
        stale = now - statSync(dir).mtimeMs > graceMs;
      } catch {
        continue;
      }
    }
    if (stale) {
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    }
  }
  return removed;
}
