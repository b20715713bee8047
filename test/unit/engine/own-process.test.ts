/**
 * The process a CLI run owns (src/engine/own-process.ts): a full garbage collection on demand,
 * without leaving `gc` exposed to anything else.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { collectGarbage, ownProcess } from '../../../src/engine/own-process.js';

/** The next macrotask: a WeakRef's target is kept alive until the job that made it ends. */
const nextTask = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('collecting the garbage of the process', () => {
  it('frees what nothing references any more, and says how long it took', async () => {
    let garbage: { payload: number[] } | undefined = { payload: Array.from({ length: 100_000 }, (_, i) => i) };
    const ref = new WeakRef(garbage);
    garbage = undefined;
    await nextTask();
    const ms = collectGarbage();
    expect(ms).toBeTypeOf('number');
    expect(ms).toBeGreaterThan(0);
    expect(ref.deref()).toBeUndefined();
  });

  it('keeps what is still referenced', async () => {
    const kept = { payload: [1, 2, 3] };
    const ref = new WeakRef(kept);
    await nextTask();
    collectGarbage();
    expect(ref.deref()).toBe(kept);
  });

  it('leaves no gc function behind: not on this global, not in a worker thread started afterwards', async () => {
    const before = typeof (globalThis as { gc?: unknown }).gc;
    collectGarbage();
    collectGarbage();
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe(before);
    // V8's flags are the process's: a worker started now would see gc if the flag had stayed on.
    const worker = new Worker("require('node:worker_threads').parentPort.postMessage(typeof gc)", { eval: true });
    try {
      expect(await new Promise((r) => worker.once('message', r))).toBe('undefined');
    } finally {
      await worker.terminate();
    }
  });

  it('is what the process handle a CLI run gets does', async () => {
    let garbage: object | undefined = { payload: new Array(10_000).fill(0) };
    const ref = new WeakRef(garbage);
    garbage = undefined;
    await nextTask();
    expect(ownProcess().collectGarbage()).toBeGreaterThan(0);
    expect(ref.deref()).toBeUndefined();
  });
});
