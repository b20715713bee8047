/**
 * What a command may touch of the outside world. `main` builds it from the real process; tests pass
 * their own streams and environment so a command runs in-process with nothing global.
 */
import { ownProcess, type OwnProcess } from '../engine/own-process.js';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Process signals (SIGINT/SIGTERM) are delivered here; tests may emit them. */
  readonly signals: NodeJS.EventEmitter;
  /**
   * The process itself, which a run's warm-up may change (src/engine/own-process.ts): its helper
   * threads yield to the event loop during an open-model load, and the warm-up's garbage is
   * collected before the load. Only the real process has it: a command run in-process by a caller
   * never changes that caller's process.
   */
  readonly ownProcess?: OwnProcess;
}

/**
 * The real process. `gcOnMainThread`: the entry has set the process's garbage collection to the main
 * thread alone (src/engine/gc-threads.ts), so an open-model load may give the helper threads the idle
 * scheduling policy.
 */
export function processIo(o: { readonly gcOnMainThread?: boolean } = {}): CliIo {
  // Listed now, at the entry, before a --workers run starts its worker threads.
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signals: process, ownProcess: ownProcess({ gcOnMainThread: o.gcOnMainThread === true }) };
}
