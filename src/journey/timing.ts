/** Waiting inside a journey: think times, poll intervals, retry backoff. */
import type { RetryPlan } from '../scenario/plan.js';

/**
 * The callbacks waiting on each signal: one 'abort' listener per signal however many waits it has.
 * A run shares one signal among thousands of VUs, and an EventTarget's removeEventListener walks
 * its whole list (40 µs per think step with 10,000 listeners); a Set adds and removes in O(1).
 */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `fn` once when `signal` aborts; the returned function unsubscribes. The signal must not
 * have aborted yet.
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let set = waiting.get(signal);
  if (set === undefined) {
    const all = new Set<() => void>();
    set = all;
    waiting.set(signal, all);
    signal.addEventListener('abort', () => {
      const fns = [...all];
      all.clear();
      for (const f of fns) f();
    }, { once: true });
  }
  const s = set;
  s.add(fn);
  return () => void s.delete(fn);
}

/**
 * The sleeps of one signal that end in the same millisecond, woken by one timer. With 10,000 VUs
 * thinking there are a few hundred of them per millisecond: a timer, three closures and a Set
 * entry each cost 660 bytes per sleep, alive through the whole think and copied by every
 * young-generation collection it outlives; a resolver in a shared bucket costs about a quarter.
 */
interface Bucket {
  readonly resolves: ((done: boolean) => void)[];
  readonly timer: NodeJS.Timeout;
}

/** Pending buckets by signal, then by the millisecond (of performance.now()) they end in. */
const buckets = new WeakMap<AbortSignal, Map<number, Bucket>>();

let captured: ((done: boolean) => void) | undefined;
/** One executor for every sleep's promise (no closure per sleep). */
const capture = (resolve: (done: boolean) => void): void => {
  captured = resolve;
};

function wake(byEnd: Map<number, Bucket>, end: number): void {
  const b = byEnd.get(end);
  if (b === undefined) return;
  byEnd.delete(end);
  for (const r of b.resolves) r(true);
}

function bucketsOf(signal: AbortSignal): Map<number, Bucket> {
  let byEnd = buckets.get(signal);
  if (byEnd === undefined) {
    const all = new Map<number, Bucket>();
    byEnd = all;
    buckets.set(signal, all);
    onAbort(signal, () => {
      const pending = [...all.values()];
      all.clear();
      for (const b of pending) {
        clearTimeout(b.timer);
        for (const r of b.resolves) r(false);
      }
    });
  }
  return byEnd;
}

/**
 * Resolves true after `ms`, as a timer of `ms` would (up to about a millisecond later, to the end
 * of the millisecond it shares), or false as soon as the signal aborts (immediately if it already has).
 */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  const now = performance.now();
  const end = Math.ceil(now + ms);
  const byEnd = bucketsOf(signal);
  let b = byEnd.get(end);
  if (b === undefined) {
    b = { resolves: [], timer: setTimeout(wake, end - now, byEnd, end) };
    byEnd.set(end, b);
  }
  const p = new Promise<boolean>(capture);
  b.resolves.push(captured as (done: boolean) => void);
  captured = undefined;
  return p;
}

/**
 * The wait before retry number `retry` (1 = the first retry), ms: exponential
 * (`backoffMs · 2^(retry-1)`, capped at `maxBackoffMs`), of which the fraction `jitter` is random:
 * `d · (1 - jitter) + d · jitter · random()`.
 */
export function backoffMs(plan: RetryPlan, retry: number, random: () => number): number {
  const d = Math.min(plan.maxBackoffMs, plan.backoffMs * 2 ** Math.max(0, retry - 1));
  const j = Math.min(1, Math.max(0, plan.jitter));
  return Math.round(d * (1 - j) + d * j * random());
}

/** Whether a failed attempt should be retried: its error class or its exact status is listed in `on`. */
export function shouldRetry(plan: RetryPlan, cls: string, status: number): boolean {
  return plan.on.includes(cls) || (status > 0 && plan.on.includes(String(status)));
}
