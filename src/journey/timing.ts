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

/** Resolves true after `ms`, or false as soon as the signal aborts (immediately if it already has). */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const off = onAbort(signal, () => {
      clearTimeout(timer);
      resolve(false);
    });
    const timer = setTimeout(() => {
      off();
      resolve(true);
    }, ms);
  });
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
