import { setMaxListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

describe('sleeps that end in the same millisecond share one timer', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('a thousand sleeps started together arm a handful of timers and all end true, none early', async () => {
    const ac = new AbortController();
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const t0 = performance.now();
    const ends: number[] = [];
    const all = Array.from({ length: 1000 }, () => sleep(30, ac.signal).then((done) => (ends.push(performance.now() - t0), done)));
    // One per millisecond the 1,000 calls spanned (a loop this size takes well under 10 ms).
    expect(timers.mock.calls.length).toBeLessThan(10);
    expect(await Promise.all(all)).toEqual(all.map(() => true));
    // Like a timer's, within the millisecond the event loop's clock rounds to.
    expect(Math.min(...ends)).toBeGreaterThanOrEqual(29);
  });

  it('each length wakes in its own turn, in order of its end', async () => {
    const ac = new AbortController();
    const order: number[] = [];
    await Promise.all([40, 5, 20].map((ms) => sleep(ms, ac.signal).then(() => order.push(ms))));
    expect(order).toEqual([5, 20, 40]);
  });

  it("aborting one signal ends only its own sleeps; the other's end true on time", async () => {
    const a = new AbortController();
    const b = new AbortController();
    const ofA = sleep(60_000, a.signal);
    const ofB = sleep(20, b.signal);
    const alsoA = sleep(20, a.signal);
    a.abort();
    expect(await ofA).toBe(false);
    expect(await alsoA).toBe(false);
    expect(await ofB).toBe(true);
    // The aborted signal's timers are gone: a new sleep on it ends false at once.
    expect(await sleep(20, a.signal)).toBe(false);
  });
});
