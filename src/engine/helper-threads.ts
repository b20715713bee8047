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
 * A nice value alone is not enough on Linux 6.6 and later, whose scheduler (EEVDF) lets a running
 * thread finish its slice before a waking one takes the CPU, whatever their weights: a nice-19
 * compile job still held the event loop off for 2.5–7 ms at a time, about 20 times in the first
 * second of a 2,000/s load on one core (traced with perf; bench/results/reference-2026-12-06-idle.md).
 * So, where the process has one CPU and collects its garbage on the main thread alone
 * (src/engine/gc-threads.ts), the helper threads also get Linux's idle scheduling policy
 * (SCHED_IDLE), which any waking thread of normal policy preempts at once: those stalls halved. A
 * thread on that policy gets no CPU while anything else on the core wants it, so a collection must
 * not wait for one: with parallel collection left on and the target on the same core, the
 * collections took 0.7–0.8 s of a 6 s load. No Node API sets a policy, so it is set by util-linux's
 * `chrt` (one shell running it for each thread); where `chrt` is missing or refused, the nice value
 * stays, and the report counts only the threads that have the policy.
 *
 * Only threads: the main thread keeps its priority, so the generator weighs the same against the
 * other processes of the machine. Linux only (a thread is a task with its own nice value there);
 * elsewhere nothing is lowered. Raising a nice value back needs privileges, so it lasts until the
 * process exits: only the CLI's own process does it, never a library caller's.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/** The nice value helper threads get: the lowest priority. */
export const HELPER_NICE = 19;
/** Linux's number for the idle scheduling policy, SCHED_IDLE (the policy field of /proc/<pid>/task/<tid>/stat). */
export const SCHED_IDLE = 5;
/** The wait for `chrt` to set the policy, ms (it takes a few). */
const IDLE_POLICY_TIMEOUT_MS = 2_000;

/**
 * Gives threads the idle scheduling policy; resolves when done, whether or not it could (never
 * rejects). The default runs `chrt --idle --pid 0 <tid>` for each thread from one shell.
 */
export type SetIdlePolicy = (tids: readonly number[]) => Promise<void>;

/** Lowers this process's helper threads (see the module comment). */
export interface HelperThreads {
  /** Sets every thread but the main one to {@link HELPER_NICE}; how many it changed. Never throws. */
  lower(): number;
  /**
   * Gives every thread but the main one the idle scheduling policy ({@link SCHED_IDLE}); how many
   * have it once done (0 where it could not be set). Never rejects.
   */
  idle(): Promise<number>;
  /** CPU time the listed threads have used so far, ms (threads gone since count no more); undefined when none can be read. */
  cpuMs(): number | undefined;
}

/**
 * The helper threads of this process, or undefined where they cannot be told apart (not Linux,
 * not the main thread: a worker thread's own thread must not be lowered). Call it in the process's
 * entry, before any worker thread starts: the threads are listed then, and only those are lowered.
 */
export function processHelperThreads(setIdle: SetIdlePolicy = chrtIdle): HelperThreads | undefined {
  if (process.platform !== 'linux' || !isMainThread) return undefined;
  const helpers = listThreads().filter((tid) => tid !== process.pid);
  return {
    async idle() {
      const live = helpers.filter((tid) => policyOf(tid) !== undefined);
      const todo = live.filter((tid) => policyOf(tid) !== SCHED_IDLE);
      if (todo.length > 0) await setIdle(todo);
      return live.filter((tid) => policyOf(tid) === SCHED_IDLE).length;
    },
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
  return statField(tid, 19);
}

/** A thread's scheduling policy (field 41 of /proc/self/task/<tid>/stat: 0 normal, {@link SCHED_IDLE} idle), undefined when it is gone. */
export function policyOf(tid: number): number | undefined {
  return statField(tid, 41);
}

/** Integer field `n` (1-based, as proc(5) numbers them) of a thread's stat line, undefined when it is gone. */
function statField(tid: number, n: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const v = Number(fields[n - 3]);
    return Number.isInteger(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** See {@link SetIdlePolicy}: one shell runs `chrt` for each thread; a thread `chrt` cannot change is left as it is. */
export const chrtIdle: SetIdlePolicy = (tids) =>
  new Promise((resolve) => {
    execFile('/bin/sh', ['-c', 'for t in "$@"; do chrt --idle --pid 0 "$t"; done', 'rampart-idle', ...tids.map(String)], { timeout: IDLE_POLICY_TIMEOUT_MS }, () => resolve());
  });
