/**
 * The exit codes of every rampart process: the release gate a CI job reads (docs/running.md#exit-codes).
 * They are stable; code anywhere names them here instead of writing the number.
 */
export const EXIT = {
  /** The run completed, every threshold passed and failures stayed within `maxFailures`; any other command did what it was asked. */
  OK: 0,
  /** A threshold failed (or an `abortOnFail` one stopped the run), setup failed, failures went past `maxFailures`, or nothing answered; `compare`: a regression. */
  FAILED: 1,
  /** The scenario or the command line is invalid: nothing was sent. */
  INVALID: 2,
  /** The engine could not run (internal error, unwritable report path), or the generator ran short of memory. */
  ENGINE: 3,
  /** A distributed run lost an agent or shard; what arrived is merged and reported. */
  SHARD_LOST: 4,
  /** Interrupted by SIGINT (128 + 2); a partial report marked `aborted` is written. */
  SIGINT: 130,
  /** Interrupted by SIGTERM (128 + 15); a partial report marked `aborted` is written. */
  SIGTERM: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code of a process stopped by `sig`. */
export function signalExitCode(sig: 'SIGINT' | 'SIGTERM'): number {
  return sig === 'SIGINT' ? EXIT.SIGINT : EXIT.SIGTERM;
}

/** The signal a run was interrupted by, read back from its exit code. */
export function interruptedBy(code: number): 'SIGINT' | 'SIGTERM' | undefined {
  return code === EXIT.SIGINT ? 'SIGINT' : code === EXIT.SIGTERM ? 'SIGTERM' : undefined;
}
