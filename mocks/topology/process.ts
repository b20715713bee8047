/** Child processes the topology starts and stops by pid: spawn, wait for a line, stop gracefully. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { delimiter, join } from 'node:path';

/** A started child process. */
export interface Started {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything the process wrote to stderr so far (last 8 KiB), for error messages. */
  stderr(): string;
  /** Whether it has exited. */
  exited(): boolean;
  /** SIGTERM (or `signal`), then SIGKILL after `graceMs` (default 10000); resolves once it exited. Idempotent. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/**
 * util-linux's setpriv, present on every Debian-like system: run through it, a child gets SIGKILL
 * when this process dies without stopping it (a crash, SIGKILL), instead of outliving it.
 */
let setprivPath: string | null | undefined;
function setpriv(): string | null {
  if (setprivPath !== undefined) return setprivPath;
  setprivPath = null;
  if (process.platform !== 'linux') return setprivPath;
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const candidate = join(dir, 'setpriv');
    if (dir !== '' && existsSync(candidate)) return (setprivPath = candidate);
  }
  return setprivPath;
}

/**
 * The command line that runs `command args` so that it dies with this process: through
 * `setpriv --pdeathsig KILL` where there is one (it execs the command: the pid is the command's
 * own), else unchanged. The topology's processes and `rampart run --agents` shards start this way.
 */
export function dieWithParent(command: string, args: readonly string[]): { readonly command: string; readonly args: string[] } {
  const wrapper = setpriv();
  return wrapper === null ? { command, args: [...args] } : { command: wrapper, args: ['--pdeathsig', 'KILL', '--', command, ...args] };
}

/**
 * Spawns `command args`, stopped by pid; stdout and stderr are piped. On Linux the child dies with
 * this process (see {@link dieWithParent}).
 */
export function startProcess(command: string, args: readonly string[], opts: SpawnOptions = {}): Started {
  const line = dieWithParent(command, args);
  const child = spawn(line.command, line.args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-8192);
  });
  let done = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      done = true;
      resolve();
    });
  });
  let stopping: Promise<void> | undefined;
  return {
    pid: child.pid,
    child,
    stderr: () => err,
    exited: () => done,
    stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
      if (done) return Promise.resolve();
      stopping ??= (async () => {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        timer.unref();
        await exit;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

/** Resolves with the first stdout line that `match` accepts (its return value); rejects on exit or timeout. */
export function waitForLine<T>(p: Started, match: (line: string) => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let buf = '';
    const cleanup = (): void => {
      clearTimeout(timer);
      p.child.stdout?.off('data', onData);
      p.child.off('exit', onExit);
    };
    const onData = (d: Buffer): void => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const v = match(line);
        if (v !== undefined) {
          cleanup();
          resolve(v);
          return;
        }
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`${what} exited (${code}) before it was ready: ${p.stderr().trim().slice(-2000)}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what} was not ready within ${timeoutMs} ms: ${p.stderr().trim().slice(-2000)}`));
    }, timeoutMs);
    p.child.stdout?.on('data', onData);
    p.child.once('exit', onExit);
  });
}

/** A free TCP port on `host` (bound then released). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r, j) => {
    srv.once('error', j);
    srv.listen(0, host, r);
  });
  const addr = srv.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
