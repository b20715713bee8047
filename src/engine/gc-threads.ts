/**
 * Garbage collection's pauses on the event loop's thread alone, for a process with one CPU to run
 * on (a one-core machine or container, or a generator pinned to a core). The CLI's entry
 * (bin/rampart.js) sets it first thing, before it loads the rest of rampart: V8 reads these flags
 * each time it starts a part of a collection, and at that moment none is under way (changed while
 * a marking is under way, V8 crashes; src/engine/own-process.ts).
 *
 * Why: with one CPU, V8's parallel and concurrent collection tasks run on the same core as the
 * event loop and save no time; and a collection that waits for a task of a helper thread waits for
 * that thread to get the CPU. An open-model load gives the helper threads the idle scheduling
 * policy (src/engine/helper-threads.ts), which gets no CPU while anything else on the core wants
 * it: with the target on the generator's core at 5,000/s, the generator's collections then took
 * 0.7–0.8 s of a 6 s load instead of 30–60 ms, and its p99 rose from 2–9 ms to 22–24 ms. With
 * the collection's pauses on the main thread, they took 24–71 ms again. The helper threads
 * get the idle policy only where this is set ({@link OwnProcess}'s `gcOnMainThread`).
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';

/**
 * The V8 flags that keep a collection's pauses on the main thread: what V8's
 * `--single-threaded-gc` implies, less two. `--no-parallel-marking` V8 takes only at its start
 * (changed later, the next full collection fails a check and aborts the process); full collections
 * are rare during a load. Concurrent sweeping (of pages and of array buffers) stays: the helper
 * threads sweep after the warm-up's collection while the process waits for them, idle, before the
 * load (src/engine/own-process.ts); left to the main thread, that sweeping fell into the load's
 * first second (bench/results/reference-2026-12-06-idle.md).
 */
export const GC_ON_MAIN_THREAD_FLAGS = [
  '--no-parallel-scavenge',
  '--no-concurrent-marking',
  '--no-parallel-compaction',
  '--no-parallel-pointer-update',
] as const;

/**
 * Sets {@link GC_ON_MAIN_THREAD_FLAGS} when the process has one CPU to run on; whether it did.
 * Call it only at a process's entry, before anything else is loaded. Never throws.
 */
export function gcOnMainThreadWithOneCpu(seams: { readonly cpus?: () => number; readonly setFlags?: (flag: string) => void } = {}): boolean {
  try {
    if ((seams.cpus ?? availableParallelism)() !== 1) return false;
    const setFlags = seams.setFlags ?? setFlagsFromString;
    for (const flag of GC_ON_MAIN_THREAD_FLAGS) setFlags(flag);
    return true;
  } catch {
    return false;
  }
}
