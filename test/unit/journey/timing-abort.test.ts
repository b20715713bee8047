import { setMaxListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onAbort, sleep } from '../../../src/journey/timing.js';

describe('waits on a shared signal', () => {
  it('every pending sleep ends false when the signal aborts; ended ones are not called', async () => {
    const ac = new AbortController();
    const done = await sleep(1, ac.signal);
    expect(done).toBe(true);
    const pending = Array.from({ length: 500 }, () => sleep(60_000, ac.signal));
    ac.abort();
    expect(await Promise.all(pending)).toEqual(pending.map(() => false));
    expect(await sleep(10, ac.signal)).toBe(false);
  });

  it('one listener on the signal however many waits, and an unsubscribed callback is never called', () => {
    const ac = new AbortController();
    setMaxListeners(0, ac.signal);
    let added = 0;
    const add = ac.signal.addEventListener.bind(ac.signal);
    ac.signal.addEventListener = ((...args: Parameters<AbortSignal['addEventListener']>) => {
      added++;
      add(...args);
    }) as AbortSignal['addEventListener'];
    const calls: number[] = [];
    const offs = Array.from({ length: 1000 }, (_, i) => onAbort(ac.signal, () => calls.push(i)));
    for (let i = 0; i < 1000; i += 2) offs[i]?.();
    ac.abort();
    expect(added).toBe(1);
    expect(calls).toHaveLength(500);
    expect(calls.every((i) => i % 2 === 1)).toBe(true);
  });
});
