import type { Clock } from './types.js';

/**
 * Calls `fn` every `intervalMs` on absolute ticks from `startedAt` (start + k·interval), so a slow
 * tick never makes the following ones drift.
 */
export function startTicker(clock: Clock, startedAt: number, intervalMs: number, fn: () => void): { stop(): void } {
  let n = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const next = (): void => {
    n++;
    timer = setTimeout(() => {
      if (stopped) return;
      fn();
      next();
    }, Math.max(0, startedAt + n * intervalMs - clock.now()));
  };
  next();
  return {
    stop(): void {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
