/** Waiting inside a journey: think times, poll intervals, retry backoff. */
import type { RetryPlan } from '../scenario/plan.js';

/** Resolves true after `ms`, or false as soon as the signal aborts (immediately if it already has). */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
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
