/**
 * What a run may do to the process it runs in when that process is its own (the CLI's): part of
 * the warm-up (src/engine/warm-up.ts). A library caller's process is never touched: both changes
 * reach beyond the run (a raised nice value cannot be lowered again, a full collection pauses
 * everything the caller runs).
 *
 * - **Helper threads** drop to the lowest CPU priority as an open-model load starts
 *   (src/engine/helper-threads.ts).
 * - **The warm-up's garbage is collected** before the load. Loading the modules and the code
 *   warm-up grow the heap to 20–30 MB; V8 then starts an incremental marking that it finishes,
 *   with a 7–12 ms pause of the main thread, a few hundred ms later — inside the load. In a
 *   20-request smoke run that pause was in most runs' p95 (a 1 ms endpoint measured at 3–15 ms). A
 *   full collection before the load's clock starts costs 20–40 ms of warm-up instead, and leaves
 *   the load a heap with room to grow.
 * - **The helper threads finish their work before the load.** What the warm-up left to them —
 *   optimizing its hot functions, sweeping after the collection — still took 8–20 ms of CPU after
 *   it when the process had more code to optimize (a `--baseline` report validated before the
 *   run). On a generator with one core that work preempted the main thread during the load's first
 *   requests: a smoke run's second request took 6–10 ms against 3 ms. The warm-up now waits,
 *   idle, until the helper threads have used no CPU for {@link IDLE_STEP_MS} ms (at most a bound),
 *   right before the load's clock starts. Linux only (the threads' CPU time is read from /proc).
 */
import { setFlagsFromString } from 'node:v8';
// The one use of node:vm: to read V8's own `gc` function (a constant name, never user input).
// eslint-disable-next-line no-restricted-imports -- see above; rampart evaluates no scenario code
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';
import { processHelperThreads, type HelperThreads } from './helper-threads.js';

/** The step of {@link OwnProcess.helpersIdle}: the helper threads are idle once one step passes without CPU from them, ms. */
export const IDLE_STEP_MS = 2;
/** Less helper CPU than this in a step counts as idle (a thread waking to find no work), ms. */
const IDLE_CPU_MS = 0.05;

/** The process a run owns (see the module comment). */
export interface OwnProcess {
  /** Sets the helper threads listed at the entry to the lowest priority; how many it changed. Never throws. */
  lowerHelperThreads(): number;
  /** A full garbage collection now; how long it took (ms), or undefined where it is not available. Never throws. */
  collectGarbage(): number | undefined;
  /**
   * Waits, idle, until the helper threads have used no CPU for one step of {@link IDLE_STEP_MS},
   * at most `maxMs`; how long it waited (ms). Resolves at once where their CPU time cannot be read.
   */
  helpersIdle(maxMs: number): Promise<number>;
}

/**
 * This process, as a run may change it. Call it in the process's entry, before any worker thread
 * starts: the helper threads are listed then, and only those are ever lowered.
 */
export function ownProcess(): OwnProcess {
  const helpers = processHelperThreads();
  return {
    lowerHelperThreads: () => helpers?.lower() ?? 0,
    collectGarbage: collectGarbage,
    helpersIdle: (maxMs) => waitForIdle(helpers, maxMs),
  };
}

/** See {@link OwnProcess.helpersIdle}. */
export async function waitForIdle(helpers: Pick<HelperThreads, 'cpuMs'> | undefined, maxMs: number, step = IDLE_STEP_MS): Promise<number> {
  const t0 = performance.now();
  let last = helpers?.cpuMs();
  if (last === undefined) return 0;
  while (performance.now() - t0 < maxMs) {
    await sleep(step);
    const now = helpers?.cpuMs();
    if (now === undefined || now - last < IDLE_CPU_MS) break;
    last = now;
  }
  return performance.now() - t0;
}

let gcFunction: (() => void) | null | undefined;

/**
 * V8's `gc()`: the process's own when it runs with --expose-gc, else taken from a fresh context
 * created while the flag is briefly on (the flag only decides whether new contexts get the
 * function; it is switched off again, so no other context sees it). null where V8 refuses.
 */
function gcOf(): (() => void) | null {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as () => void;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

/** A full, synchronous garbage collection; its duration in ms, or undefined when V8 offers none. */
export function collectGarbage(): number | undefined {
  gcFunction ??= gcOf();
  if (gcFunction === null) return undefined;
  const t0 = performance.now();
  try {
    gcFunction();
  } catch {
    return undefined;
  }
  return performance.now() - t0;
}
