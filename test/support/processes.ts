/**
 * `rampart` as a real process (test/support/cli-process.ts through tsx) for tests that send real
 * signals, and what a test checks by pid afterwards: alive, children, the report it left.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Report } from '../../src/report/model.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = fileURLToPath(new URL('./cli-process.ts', import.meta.url));

/** The command line of `rampart <args>` run from the sources. */
export const cliCommand = (args: readonly string[]): string[] => [process.execPath, '--import', 'tsx', ENTRY, ...args];

export interface CliProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (null: killed) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
}

/** A plain environment for the CLI (no KAFKA_BROKERS unless given). */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...extra };
}

/**
 * Spawns `rampart <args>` (or any `command`, e.g. a shell wrapping it) with piped output, from the
 * repository's root (where `--import tsx` resolves): give it absolute paths.
 */
export function spawnCli(args: readonly string[], opts: { env?: Record<string, string>; command?: readonly string[] } = {}): CliProcess {
  const [cmd, ...rest] = opts.command ?? cliCommand(args);
  const child = spawn(cmd as string, rest, { cwd: ROOT, env: opts.env ?? cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error('could not spawn the CLI');
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, pid: child.pid, exited, stdout: () => out, stderr: () => err };
}

/** Running (a zombie waiting for its reaper counts as gone). Linux /proc. */
export function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Pids of the live processes whose parent is `pid`. Linux /proc. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may hold spaces and parentheses.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid && state !== 'Z') out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The command line of a pid (arguments joined by spaces), '' when gone. */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** Waits until `fn` holds (every 20 ms) or `ms` passed; returns whether it held. */
export async function until(fn: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (fn()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The report at `path` when it exists and parses, else undefined. */
export function readReport(path: string): Report | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Report;
  } catch {
    return undefined;
  }
}

/** Requests in the report's timeline and in its summary (the http.requests series). */
export function requestTotals(r: Report): { timeline: number; summary: number } {
  return {
    timeline: r.timeline.reduce((n, p) => n + p.requests, 0),
    summary: r.series.filter((s) => s.metric === 'http.requests').reduce((n, s) => n + s.sum, 0),
  };
}

/** Whether `command args` runs and exits 0 here (a tool a test needs, such as taskset or chrt). */
export function commandRuns(command: string, args: readonly string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
