/**
 * Child processes for the benchmark: spawned pinned to one CPU (taskset) when available, bounded in
 * time (killed by pid past their deadline), with their CPU time and memory read from /proc.
 */
import { execFileSync, spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpuTicksFromStat, statusKb } from './stats.js';

let taskset: boolean | undefined;
/** Whether `taskset` can pin processes here (Linux with util-linux); probed once. */
export function hasTaskset(): boolean {
  taskset ??= probe('taskset', ['-c', '0', 'true']);
  return taskset;
}

let clkTck: number | undefined;
/** Clock ticks per second of /proc/<pid>/stat (usually 100); asked once. */
export function clockTicks(): number {
  if (clkTck === undefined) {
    try {
      const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      clkTck = Number.isFinite(n) && n > 0 ? n : 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** Whether a command runs (exit 0). */
export function probe(cmd: string, args: readonly string[]): boolean {
  try {
    execFileSync(cmd, [...args], { stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

export interface Spawned {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Collected stdout / stderr text. */
  readonly out: () => string;
  readonly err: () => string;
  /** Resolves with the exit code (or the signal name) once the process ended. */
  readonly exited: Promise<number | string>;
  /** Peak RSS seen (bytes): VmHWM read while it ran, sampled every 200 ms. */
  readonly peakRss: () => number;
}

export interface SpawnOptions {
  /** Pin to this CPU with taskset (ignored without taskset). */
  readonly cpu?: number;
  readonly cwd?: string;
  /** Killed (SIGKILL) after this long, ms. */
  readonly timeoutMs: number;
  /** Adds an IPC channel (fd 3). */
  readonly ipc?: boolean;
}

/** Spawns `cmd args` (pinned when asked), collecting its output. */
export function spawnBounded(cmd: string, args: readonly string[], o: SpawnOptions): Spawned {
  const pinned = o.cpu !== undefined && hasTaskset();
  const file = pinned ? 'taskset' : cmd;
  const argv = pinned ? ['-c', String(o.cpu), cmd, ...args] : [...args];
  const stdio: StdioOptions = o.ipc === true ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'];
  const child = spawn(file, argv, { cwd: o.cwd, stdio });
  if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
  const pid = child.pid;
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (err += s.length + err.length > 1_000_000 ? '' : s));
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, readMem(pid, 'VmHWM'));
  }, 200);
  const killer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(sampler);
      clearTimeout(killer);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return { child, pid, out: () => out, err: () => err, exited, peakRss: () => peak };
}

/** CPU time (user + system, every thread) of a process so far, µs; NaN once it is gone. */
export function cpuUs(pid: number): number {
  try {
    return (cpuTicksFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) * 1e6) / clockTicks();
  } catch {
    return NaN;
  }
}

/** A /proc/<pid>/status memory field (VmRSS, VmHWM) in bytes; 0 once the process is gone. */
export function readMem(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const v = statusKb(readFileSync(`/proc/${pid}/status`, 'utf8'), field);
    return Number.isFinite(v) ? v : 0;
  } catch {
    return 0;
  }
}

/** Epoch ms, sub-millisecond, comparable across processes of this machine. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
