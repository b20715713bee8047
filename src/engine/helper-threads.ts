/**
 * The process's helper threads, and giving the event loop the CPU before them during an open-model
 * load (part of the warm-up, src/engine/warm-up.ts).
 *
 * Besides its main thread, a Node process runs V8's helper threads (optimizing compiler,
 * concurrent GC marking and sweeping), libuv's pool (file system, DNS lookups, zlib) and a signal
 * watcher. When the load starts, V8 optimizes again the functions whose code the load's closures
 * and object shapes invalidate. On a generator with one core, those compile jobs preempt the event
 * loop for a scheduler slice at a time, and every request answered meanwhile waits: at 5,000
 * arrivals/s on one core, the first second's p99 was 3–12× the later seconds'. At the lowest CPU
 * priority (nice 19) they run in the event loop's idle time instead: 1.7–3.3×, and at 12,000
 * arrivals/s no arrival was dropped where 635–2,222 were (bench/README.md).
 *
 * Only threads: the main thread keeps its priority, so the generator weighs the same against the
 * other processes of the machine. Linux only (a thread is a task with its own nice value there);
 * elsewhere nothing is lowered. Raising a nice value back needs privileges, so it lasts until the
 * process exits: only the CLI's own process does it, never a library caller's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/** The nice value helper threads get: the lowest priority. */
export const HELPER_NICE = 19;

/** Lowers this process's helper threads (see the module comment). */
export interface HelperThreads {
  /** Sets every thread but the main one to {@link HELPER_NICE}; how many it changed. Never throws. */
  lower(): number;
  /** CPU time the listed threads have used so far, ms (threads gone since count no more); undefined when none can be read. */
  cpuMs(): number | undefined;
}

/**
 * The helper threads of this process, or undefined where they cannot be told apart (not Linux,
 * not the main thread: a worker thread's own thread must not be lowered). Call it in the process's
 * entry, before any worker thread starts: the threads are listed then, and only those are lowered.
 */
export function processHelperThreads(): HelperThreads | undefined {
  if (process.platform !== 'linux' || !isMainThread) return undefined;
  const helpers = listThreads().filter((tid) => tid !== process.pid);
  return {
    lower() {
      let lowered = 0;
      for (const tid of helpers) {
        const nice = niceOf(tid);
        // Gone (a pool thread that exited), or already as low.
        if (nice === undefined || nice >= HELPER_NICE) continue;
        try {
          setPriority(tid, HELPER_NICE);
          lowered++;
        } catch {
          // Not ours to change (a sandbox's seccomp): the run goes on at equal priority.
        }
      }
      return lowered;
    },
    cpuMs() {
      let ms: number | undefined;
      for (const tid of helpers) {
        const t = cpuMsOf(tid);
        if (t !== undefined) ms = (ms ?? 0) + t;
      }
      return ms;
    },
  };
}

/** CPU time a thread has used, ms (the first field of /proc/self/task/<tid>/schedstat, in ns), undefined when it is gone. */
export function cpuMsOf(tid: number): number | undefined {
  try {
    const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return Number.isFinite(ns) ? ns / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

/** The ids of this process's threads (the main thread's is the pid). */
export function listThreads(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number).filter(Number.isInteger);
  } catch {
    return [];
  }
}

/** A thread's nice value (field 19 of /proc/self/task/<tid>/stat), undefined when it is gone. */
export function niceOf(tid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const nice = Number(fields[16]);
    return Number.isInteger(nice) ? nice : undefined;
  } catch {
    return undefined;
  }
}
