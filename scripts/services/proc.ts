/**
 * Child processes of the service provisioning: start with output to a log file, check that a
 * recorded pid is still the process we started, and stop exactly that pid.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { sleep } from './net.js';

/** How a service process is started. */
export interface SpawnServiceOptions {
  /** Executable (found on PATH). */
  readonly command: string;
  readonly args: readonly string[];
  /** Working directory. */
  readonly cwd: string;
  /** File that receives the process's stdout and stderr (appended). */
  readonly logFile: string;
  /**
   * Own process group, so the service outlives the starting process (`services up`). Default false:
   * the service then shares the caller's group and a Ctrl-C in the terminal stops it too.
   */
  readonly detached?: boolean;
  /** Environment of the child; default the caller's. */
  readonly env?: NodeJS.ProcessEnv;
}

/** A started service process. */
export interface ServiceProcess {
  readonly pid: number;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Whether the process has exited. */
  hasExited(): boolean;
}

/** Starts a service process with stdout/stderr appended to `logFile`. */
export function spawnService(opts: SpawnServiceOptions): ServiceProcess {
  const fd = openSync(opts.logFile, 'a');
  try {
    const child = spawn(opts.command, [...opts.args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', fd, fd],
      detached: opts.detached ?? false,
    });
    let done = false;
    const exited = new Promise<number | string>((resolveExit) => {
      child.once('exit', (code, signal) => {
        done = true;
        resolveExit(code ?? signal ?? 'unknown');
      });
      child.once('error', (err) => {
        done = true;
        resolveExit(`spawn failed: ${err.message}`);
      });
    });
    // Never keep the caller's event loop alive for a service; stop() is explicit.
    child.unref();
    if (child.pid === undefined) {
      return { pid: -1, exited, hasExited: () => true };
    }
    return { pid: child.pid, exited, hasExited: () => done };
  } finally {
    closeSync(fd);
  }
}

/** Whether a process with this pid exists (and is not a zombie). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/**
 * The process's command line joined by spaces, or undefined when it cannot be read
 * (process gone, or no /proc on this platform).
 */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is alive and still the process that was recorded: its command line contains every
 * marker (e.g. the port and the config path). Guards against a recycled pid.
 */
export function isOurProcess(pid: number, markers: readonly string[]): boolean {
  if (!isAlive(pid)) return false;
  const cmd = commandLine(pid);
  if (cmd === undefined) return true;
  return markers.every((m) => cmd.includes(m));
}

/**
 * Stops one pid: SIGTERM, waits up to `graceMs` (default 30 s) for it to exit, then SIGKILL.
 * Resolves once the pid is gone. Never signals any other process.
 */
export async function stopPid(pid: number, graceMs = 30_000): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await sleep(50);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(50);
}

/** The last `maxLines` lines of a text file (default 12), or '' when unreadable. */
export function tailFile(file: string, maxLines = 12): string {
  try {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    return lines.slice(-maxLines).join('\n');
  } catch {
    return '';
  }
}
