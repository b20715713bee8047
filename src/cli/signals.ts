/**
 * How the long-running commands (`run`, `mocks`) hear that they must stop: SIGINT/SIGTERM, a second
 * signal to leave at once, and the parent process going away without passing a signal on.
 */
import type { CliIo } from './io.js';
import { signalExitCode } from '../exit-codes.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

export interface Interruptions {
  /** Resolves with the exit code when a second signal asks to leave at once (in-process io only). */
  readonly leave: Promise<number>;
  /** Stops listening. */
  stop(): void;
}

/**
 * The first SIGINT/SIGTERM says what happens on stderr and calls `onFirst`; a second one leaves at
 * once: the process exits with 130/143 (with in-process io, `leave` resolves instead).
 */
export function interruptions(io: CliIo, onFirst: (sig: StopSignal) => void): Interruptions {
  let signals = 0;
  let leave: (code: number) => void = () => undefined;
  const left = new Promise<number>((r) => (leave = r));
  const on = (sig: StopSignal) => (): void => {
    signals++;
    if (signals === 1) {
      io.stderr.write(`\n${sig}: stopping the load and writing the report (again to exit at once)\n`);
      onFirst(sig);
      return;
    }
    if (io.signals === process) process.exit(signalExitCode(sig));
    leave(signalExitCode(sig));
  };
  const int = on('SIGINT');
  const term = on('SIGTERM');
  io.signals.on('SIGINT', int);
  io.signals.on('SIGTERM', term);
  return {
    leave: left,
    stop: () => {
      io.signals.off('SIGINT', int);
      io.signals.off('SIGTERM', term);
    },
  };
}

/** How often (ms) a command checks that its parent is still there. */
export const PARENT_POLL_MS = 500;

/**
 * Started by npm — `npx rampart …` is npm exec → sh → node, and a SIGTERM to npx ends npm and sh
 * but not node —, this process would run on as an orphan. Its parent pid changes when that happens
 * (it is re-parented to init or a subreaper): polled every {@link PARENT_POLL_MS}, the change
 * counts as a SIGTERM (emitted on the process, so the command's own SIGTERM handling runs). Only
 * for the real process started by npm (npm sets `npm_command` / `npm_lifecycle_event`): started
 * directly in the background (`rampart mocks &`), it outlives the shell that started it, as a
 * server should. Returns the stop function.
 */
export function stopWithParent(io: CliIo, everyMs = PARENT_POLL_MS): () => void {
  if (io.signals !== process) return () => undefined;
  if (io.env.npm_command === undefined && io.env.npm_lifecycle_event === undefined) return () => undefined;
  const parent = process.ppid;
  // Already re-parented (a daemon, a container's init): there is no parent to lose.
  if (parent <= 1) return () => undefined;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    io.stderr.write(`\nrampart: its parent process (pid ${parent}) is gone: stopping as on SIGTERM\n`);
    process.emit('SIGTERM', 'SIGTERM');
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
