import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextTurn } from '../../../src/engine/closed-executor.js';

describe("nextTurn: a closed VU's yield between iterations", () => {
  afterEach(() => vi.restoreAllMocks());

  it('VUs that yield in the same turn share one Immediate and one promise', async () => {
    const spy = vi.spyOn(globalThis, 'setImmediate');
    const waits = Array.from({ length: 100 }, () => nextTurn());
    expect(spy).toHaveBeenCalledTimes(1);
    expect(new Set(waits).size).toBe(1);
    await Promise.all(waits);
    // The turn is over: the next yield waits for the next one.
    const next = nextTurn();
    expect(next).not.toBe(waits[0]);
    expect(spy).toHaveBeenCalledTimes(2);
    await next;
  });

  it('lets timers and I/O of the event loop run: a loop of yields never starves them', async () => {
    let fired = false;
    setTimeout(() => (fired = true), 5);
    let turns = 0;
    while (!fired) {
      await nextTurn();
      turns++;
    }
    expect(turns).toBeGreaterThan(0);
  });
});
