/**
 * What a run may do to the process it runs in when that process is its own (the CLI's): part of
 * the warm-up (src/engine/warm-up.ts). A library caller's process is never touched: both changes
 * reach beyond the run (a raised nice value cannot be lowered again, a full collection pauses
 * everything the caller runs).
 *
 * - **Helper threads** drop to the lowest CPU priority as an open-model load starts, and with one
 *   CPU (where the collector's pauses stay on the main thread, src/engine/gc-threads.ts) to Linux's
 *   idle scheduling policy too (src/engine/helper-threads.ts).
 * - **The start's garbage is collected** before the code warm-up. Loading the modules (and a
 *   `--baseline` report) and the warm-up grow the heap to 20–30 MB; V8 then started an incremental
 *   marking that it finished, with a 7–12 ms pause of the main thread, a few hundred ms later —
 *   inside the load. In a 20-request smoke run that pause was in most runs' p95 (a 1 ms endpoint
 *   measured at 3–15 ms). The collection goes through the process's own inspector
 *   (`HeapProfiler.collectGarbage`: in-process, no port, no code evaluated), which collects as for
 *   low memory: it also drops compiled code and shrinks the young generation. So it runs before
 *   the code warm-up, which builds them again (run after it, the load's first seconds compiled half
 *   again as many functions and ran 26–55 scavenges instead of 17). It costs 50–100 ms.
 * - **The warm-up's garbage is collected too**, keeping its code. With one CPU (below), V8 marks the
 *   old generation in steps on the event loop as the code allocates; the code warm-up's own
 *   allocations started such a marking, and its last pause (4–7 ms) fell among the load's first
 *   requests in about half of the 20-request smoke runs (their p95 at 4–7 ms against 1.5–2 ms).
 *   A second full collection right after the code warm-up finishes it: V8's `--gc-global` flag is
 *   set while the young generation is filled until V8 collects, so that collection is a full one;
 *   unlike the inspector's, it neither drops compiled code nor shrinks the young generation, and no
 *   code is evaluated to get it (src/ evaluates nothing). 5–25 ms.
 * - **The helper threads finish their work before the load.** What the warm-up left to them —
 *   optimizing its hot functions, sweeping after the collection — still took 8–20 ms of CPU after
 *   it when the process had more code to optimize (a `--baseline` report validated before the
 *   run). On a generator with one core that work preempted the main thread during the load's first
 *   requests: a smoke run's second request took 6–10 ms against 3 ms. The warm-up now waits,
 *   idle, until the helper threads have used no CPU for {@link IDLE_STEP_MS} ms (at most a bound),
 *   right before the load's clock starts. Linux only (the threads' CPU time is read from /proc).
 * - **With one CPU, garbage is marked on the event loop's thread.** V8 marks the old generation
 *   concurrently, on a helper thread. With a second CPU free that costs the event loop nothing; with
 *   one CPU (a one-core machine or container, or a generator pinned to a core) that thread takes
 *   the event loop's CPU in scheduler slices for as long as it marks. With 10,000 VUs each full
 *   collection marked for 85–160 ms and stalled the loop for 105–130 ms, once every few seconds
 *   (the `vus` part of the bench). Turned off, V8 marks in small incremental steps on the main
 *   thread (the longest 5–10 ms) as the code allocates: the longest stall fell to 43–81 ms on a
 *   shared pool. Those steps still add up inside one turn of the loop when a turn handles hundreds
 *   of responses (10,000 VUs with a connection each: 100–300 ms in some runs).
 *   Lowering the marking thread's priority instead (as for the compiler, above) was no cure: the
 *   loop then waited for the starved thread to finish its part (a 105 ms stall in one run of two).
 *   The flag is changed right after the collection before the code warm-up, and at no other time:
 *   changed while a marking is under way, V8 crashes (a stress of flips at random moments ended in
 *   a segmentation fault or a breakpoint trap in 10 runs of 25; flipped right after a full
 *   collection, in none of 25); a bench run at 100,000 arrivals/s died of such a trap while the
 *   flag was still changed as the load started. It lasts until the process exits.
 */
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { processHelperThreads, type HelperThreads } from './helper-threads.js';

/** The step of {@link OwnProcess.helpersIdle}: the helper threads are idle once one step passes without CPU from them, ms. */
export const IDLE_STEP_MS = 2;
/** Less helper CPU than this in a step counts as idle (a thread waking to find no work), ms. */
const IDLE_CPU_MS = 0.05;

/** The process a run owns (see the module comment). */
export interface OwnProcess {
  /** Sets the helper threads listed at the entry to the lowest priority; how many it changed. Never throws. */
  lowerHelperThreads(): number;
  /**
   * Gives the helper threads listed at the entry the idle scheduling policy; how many have it (0
   * where it cannot be set). Only where the process collects garbage on its main thread alone
   * (src/engine/gc-threads.ts): otherwise a collection waits for helper threads that, on that
   * policy, get no CPU while anything else on the core wants it. Never rejects.
   */
  idleHelperThreads(): Promise<number>;
  /**
   * A full garbage collection now; how long it took (ms), or undefined where it is not available.
   * Right after it (the one moment no marking is under way), with one CPU to run on, turns V8's
   * concurrent marking off (see {@link OwnProcess.markOnEventLoop}). Never rejects.
   */
  collectGarbage(): Promise<number | undefined>;
  /**
   * A full garbage collection that keeps compiled code and feedback (for the end of the code
   * warm-up: it finishes a marking the warm-up started, which would otherwise end inside the load);
   * how long it took (ms), or undefined where it is not available. Never throws.
   */
  collectKeepingCode(): number | undefined;
  /**
   * Waits, idle, until the helper threads have used no CPU for one step of {@link IDLE_STEP_MS},
   * at most `maxMs`; how long it waited (ms). Resolves at once to undefined where their CPU time
   * cannot be read (not Linux), so that no wait is reported that was not made.
   */
  helpersIdle(maxMs: number): Promise<number | undefined>;
  /**
   * Whether V8's concurrent marking was turned off, so that the garbage collector marks in small
   * steps on the event loop's thread instead of taking its CPU away: done by {@link
   * OwnProcess.collectGarbage} with one CPU to run on, never by this call (the flag is safe to
   * change only right after a full collection). Never throws.
   */
  markOnEventLoop(): boolean;
}

/** The V8 flag that makes the collector mark on the main thread, in incremental steps. */
export const MARK_ON_MAIN_THREAD_FLAG = '--no-concurrent-marking';

/**
 * This process, as a run may change it. Call it in the process's entry, before any worker thread
 * starts: the helper threads are listed then, and only those are ever lowered.
 */
export function ownProcess(
  seams: {
    readonly cpus?: () => number;
    readonly setFlags?: (flags: string) => void;
    readonly collect?: () => Promise<number | undefined>;
    readonly collectKeepingCode?: () => number | undefined;
    /** The process's entry set its garbage collection to the main thread alone (src/engine/gc-threads.ts). */
    readonly gcOnMainThread?: boolean;
    readonly helpers?: HelperThreads;
  } = {},
): OwnProcess {
  const helpers = seams.helpers ?? processHelperThreads();
  const cpus = seams.cpus ?? availableParallelism;
  const setFlags = seams.setFlags ?? setFlagsFromString;
  const collect = seams.collect ?? collectGarbage;
  let marking: boolean | undefined;
  return {
    lowerHelperThreads: () => helpers?.lower() ?? 0,
    idleHelperThreads: async () => (seams.gcOnMainThread === true ? ((await helpers?.idle()) ?? 0) : 0),
    async collectGarbage() {
      const ms = await collect();
      // Nothing between the collection and here allocates enough to start another marking.
      if (ms !== undefined && marking === undefined) {
        try {
          marking = cpus() === 1;
          if (marking) setFlags(MARK_ON_MAIN_THREAD_FLAG);
        } catch {
          marking = false;
        }
      }
      return ms;
    },
    collectKeepingCode: seams.collectKeepingCode ?? fullCollection,
    helpersIdle: (maxMs) => waitForIdle(helpers, maxMs),
    markOnEventLoop: () => marking ?? false,
  };
}

/** See {@link OwnProcess.helpersIdle}. */
export async function waitForIdle(helpers: Pick<HelperThreads, 'cpuMs'> | undefined, maxMs: number, step = IDLE_STEP_MS): Promise<number | undefined> {
  const t0 = performance.now();
  let last = helpers?.cpuMs();
  if (helpers === undefined || last === undefined) return undefined;
  while (performance.now() - t0 < maxMs) {
    await sleep(step);
    const now = helpers.cpuMs();
    if (now === undefined || now - last < IDLE_CPU_MS) break;
    last = now;
  }
  return performance.now() - t0;
}

/**
 * A full garbage collection now, through the process's own inspector (`HeapProfiler.collectGarbage`,
 * in-process: no port is opened and no code is evaluated); its duration in ms, or undefined where
 * the inspector is unavailable (a Node built without it). Never throws.
 */
export async function collectGarbage(): Promise<number | undefined> {
  const t0 = performance.now();
  let session: InstanceType<typeof import('node:inspector/promises').Session> | undefined;
  try {
    const { Session } = await import('node:inspector/promises');
    session = new Session();
    session.connect();
    await session.post('HeapProfiler.collectGarbage');
  } catch {
    return undefined;
  } finally {
    session?.disconnect();
  }
  return performance.now() - t0;
}

/**
 * A full garbage collection now that, unlike the inspector's (a low-memory collection), neither drops
 * compiled code nor shrinks the young generation; its duration in ms, or undefined where V8 did not
 * collect. No code is evaluated: V8's `--gc-global` flag makes its next collection a full one, and
 * the young generation is filled with short-lived arrays until that collection has run (the young
 * generation's used size falls); the flag is then cleared. V8 reads the flag only when it picks a
 * collector, so changing it never touches a marking under way. Never throws.
 */
export function fullCollection(): number | undefined {
  const t0 = performance.now();
  try {
    setFlagsFromString('--gc-global');
  } catch {
    return undefined;
  }
  try {
    const used = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_used_size ?? 0;
    let before = used();
    // At most 64 MB of arrays, four times the largest young generation V8 uses here.
    for (let i = 0; i < 4_096; i++) {
      _kept = new Array<number>(2_048).fill(i);
      const now = used();
      // A collection empties the young generation (at least its smallest semi-space by then); its used size also moves
      // by a few KB without one.
      if (before >= MIN_YOUNG_FULL && now < before / 2) return performance.now() - t0;
      before = now;
    }
    return undefined;
  } finally {
    _kept = undefined;
    setFlagsFromString('--no-gc-global');
  }
}

/** Less in the young generation than this, and a fall of its used size is not a collection (bytes). */
const MIN_YOUNG_FULL = 256 * 1024;

/** Where {@link fullCollection} puts what it allocates, so that the allocation is not optimized away. */
let _kept: unknown;
