/**
 * What a command may touch of the outside world. `main` builds it from the real process; tests pass
 * their own streams and environment so a command runs in-process with nothing global.
 */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Process signals (SIGINT/SIGTERM) are delivered here; tests may emit them. */
  readonly signals: NodeJS.EventEmitter;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signals: process };
}
