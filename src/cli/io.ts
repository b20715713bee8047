/**
 * What a command may touch of the outside world. `main` builds it from the real process; tests pass
 * their own streams and environment so a command runs in-process with nothing global.
 */
import { processHelperThreads, type HelperThreads } from '../engine/helper-threads.js';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Process signals (SIGINT/SIGTERM) are delivered here; tests may emit them. */
  readonly signals: NodeJS.EventEmitter;
  /**
   * The process's helper threads, which an open-model run lowers to the lowest CPU priority as its
   * load starts (src/engine/helper-threads.ts). Only the real process has them: a command run
   * in-process by a caller never changes that caller's threads.
   */
  readonly helperThreads?: HelperThreads;
}

export function processIo(): CliIo {
  // Listed now, at the entry, before a --workers run starts its worker threads.
  const helperThreads = processHelperThreads();
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signals: process, ...(helperThreads !== undefined ? { helperThreads } : {}) };
}
