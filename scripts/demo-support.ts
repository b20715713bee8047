/**
 * What both demos (`npm run demo` and `npm run demo -- --topology`) share: how `rampart` is
 * started, child processes stopped and waited for, a first order pushed through the queue, Ctrl-C
 * forwarded once to the run, and the reports rendered from the JSON one.
 */
import { EXIT, signalExitCode } from '../src/exit-codes.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from './services/index.js';

/** Longest wait for the mocks (or the topology) to be ready, and for a first order to be done. */
export const READY_TIMEOUT_MS = 60_000;

/** How to start `rampart …`: the build in dist/, or src/ through tsx (demo.ts's `--cli` entry). */
export function rampartCommand(fromSource: boolean): readonly string[] {
  const entry = fileURLToPath(new URL('./demo.ts', import.meta.url));
  return fromSource ? ['--import', 'tsx', entry, '--cli'] : [join(projectRoot, 'bin', 'rampart.js')];
}

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM, then SIGKILL after `timeoutMs`; resolves when the child is gone. */
export function stopChild(child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  if (exited(child)) return Promise.resolve();
  return new Promise((ok) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      ok();
    });
    child.kill('SIGTERM');
  });
}

export function exitCodeOf(child: ChildProcess): Promise<number> {
  return new Promise((ok) => {
    const done = (c: number | null, sig: NodeJS.Signals | null): void => ok(c ?? (sig === 'SIGINT' || sig === 'SIGTERM' ? signalExitCode(sig) : EXIT.ENGINE));
    if (exited(child)) done(child.exitCode, child.signalCode);
    else child.once('exit', done);
  });
}

export const log = (line: string): void => {
  process.stderr.write(`demo: ${line}\n`);
};

/** Forwards a child's output to our stderr line by line, each line prefixed; `onLine` sees each line too. */
export function prefixLines(stream: NodeJS.ReadableStream | null, prefix: string, onLine?: (line: string) => void): void {
  let rest = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) {
      if (l.trim() !== '') log(`${prefix}${l}`);
      onLine?.(l);
    }
  });
  stream?.on('end', () => {
    if (rest.trim() !== '') log(`${prefix}${rest}`);
    if (rest !== '') onLine?.(rest);
  });
}

/** A path as short as it reads: relative to the working directory when below it. */
export function shown(path: string): string {
  const r = relative(process.cwd(), path);
  return r === '' || r.startsWith('..') ? path : r;
}

export const seconds = (sinceMs: number): string => `${((Date.now() - sinceMs) / 1000).toFixed(1)} s`;

export const MEANING: Record<number, string> = {
  [EXIT.OK]: 'every threshold passed',
  [EXIT.FAILED]: 'a threshold failed',
  [EXIT.INVALID]: 'the scenario or the command line is invalid',
  [EXIT.ENGINE]: 'the engine could not run',
  [EXIT.SIGINT]: 'interrupted (SIGINT)',
  [EXIT.SIGTERM]: 'interrupted (SIGTERM)',
};

/**
 * Places one order and polls it until `done`: a fresh consumer group takes a few seconds to get
 * its partitions, and the scenario's first orders should not pay for that.
 */
export async function waitOrdersFlow(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const res = await fetch(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ productId: 'demo-warm-up', qty: 1 }),
    signal: AbortSignal.timeout(5000),
  });
  if (res.status !== 202) throw new Error(`POST /orders answered ${res.status}`);
  const { jobId } = (await res.json()) as { jobId: string };
  while (Date.now() < deadline) {
    const job = (await (await fetch(`${url}/orders/${jobId}`, { signal: AbortSignal.timeout(5000) })).json()) as { status?: string };
    if (job.status === 'done') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`a first order was not done within ${timeoutMs / 1000} s`);
}

/** Ctrl-C and SIGTERM while a demo runs. */
export interface DemoSignals {
  /** The first signal received, if any. */
  readonly interrupted: () => NodeJS.Signals | undefined;
  /** 130 after SIGINT, 143 after SIGTERM. */
  readonly code: () => number;
  /** The run a signal is forwarded to from now on. */
  readonly forwardTo: (run: ChildProcess) => void;
}

/**
 * Children run in their own process groups: a Ctrl-C reaches only this script, which forwards it
 * once to the run (a second one would make the run leave without its report).
 */
export function demoSignals(): DemoSignals {
  let interrupted: NodeJS.Signals | undefined;
  let run: ChildProcess | undefined;
  const onSignal = (sig: NodeJS.Signals) => (): void => {
    if (interrupted !== undefined) {
      if (run && !exited(run)) run.kill(sig);
      return;
    }
    interrupted = sig;
    if (run && !exited(run)) run.kill(sig);
    else log(`${sig}: stopping…`);
  };
  process.on('SIGINT', onSignal('SIGINT'));
  process.on('SIGTERM', onSignal('SIGTERM'));
  return {
    interrupted: () => interrupted,
    code: () => signalExitCode(interrupted === 'SIGTERM' ? 'SIGTERM' : 'SIGINT'),
    forwardTo: (child) => {
      run = child;
    },
  };
}

/** Renders `<base>.html`, `.junit.xml` and `.md` from `<base>.json` and logs which reports exist. */
export async function writeReports(cli: readonly string[], base: string): Promise<void> {
  const json = `${base}.json`;
  if (!existsSync(json)) return;
  const others = `html=${base}.html,junit=${base}.junit.xml,md=${base}.md`;
  const render = spawn(process.execPath, [...cli, 'report', json, '--report', others], { stdio: ['ignore', 'ignore', 'pipe'] });
  let why = '';
  render.stderr?.on('data', (c: Buffer) => (why += c.toString()));
  const rendered = await exitCodeOf(render);
  if (rendered !== 0) log(`the HTML/JUnit/Markdown reports could not be written (exit ${rendered}): ${why.trim()}`);
  const files = [json, ...(rendered === 0 ? [`${base}.html`, `${base}.junit.xml`, `${base}.md`] : [])];
  log(`reports: ${files.map(shown).join(', ')}`);
}
