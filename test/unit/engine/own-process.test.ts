/**
 * The process a CLI run owns (src/engine/own-process.ts): a full garbage collection on demand,
 * through the process's own inspector, without opening a port; and one that keeps compiled code,
 * without evaluating anything.
 */
import { url } from 'node:inspector';
import { getHeapSpaceStatistics } from 'node:v8';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { collectGarbage, fullCollection, MARK_ON_MAIN_THREAD_FLAG, ownProcess } from '../../../src/engine/own-process.js';
import { GC_ON_MAIN_THREAD_FLAGS, gcOnMainThreadWithOneCpu } from '../../../src/engine/gc-threads.js';
import type { HelperThreads } from '../../../src/engine/helper-threads.js';

/** The next macrotask: a WeakRef's target is kept alive until the job that made it ends. */
const nextTask = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('collecting the garbage of the process', () => {
  it('frees what nothing references any more, and says how long it took', async () => {
    let garbage: { payload: number[] } | undefined = { payload: Array.from({ length: 100_000 }, (_, i) => i) };
    const ref = new WeakRef(garbage);
    garbage = undefined;
    await nextTask();
    const ms = await collectGarbage();
    expect(ms).toBeTypeOf('number');
    expect(ms).toBeGreaterThan(0);
    await nextTask();
    expect(ref.deref()).toBeUndefined();
  });

  it('keeps what is still referenced', async () => {
    const kept = { payload: [1, 2, 3] };
    const ref = new WeakRef(kept);
    await nextTask();
    await collectGarbage();
    await nextTask();
    expect(ref.deref()).toBe(kept);
  });

  it('opens no inspector port and can run again and again', async () => {
    const before = url();
    for (let i = 0; i < 3; i++) expect(await collectGarbage()).toBeGreaterThan(0);
    expect(url()).toBe(before);
  });

  it('is what the process handle a CLI run gets does', async () => {
    let garbage: object | undefined = { payload: new Array(10_000).fill(0) };
    const ref = new WeakRef(garbage);
    garbage = undefined;
    await nextTask();
    expect(await ownProcess({ cpus: () => 2 }).collectGarbage()).toBeGreaterThan(0);
    await nextTask();
    expect(ref.deref()).toBeUndefined();
  });
});

describe('garbage marking with one CPU', () => {
  const seams = (cpus: number, collected: number | 'unavailable' = 40) => {
    const calls: string[] = [];
    const own = ownProcess({
      cpus: () => cpus,
      setFlags: (f) => void calls.push(f),
      collect: async () => (calls.push('collect'), collected === 'unavailable' ? undefined : collected),
    });
    return { own, calls };
  };

  it('with one CPU, turns concurrent marking off right after the first full collection, once', async () => {
    const { own, calls } = seams(1);
    // Never before a collection: a marking may be under way, and V8 crashes when the flag changes then.
    expect(own.markOnEventLoop()).toBe(false);
    expect(calls).toEqual([]);
    expect(await own.collectGarbage()).toBe(40);
    expect(calls).toEqual(['collect', MARK_ON_MAIN_THREAD_FLAG]);
    expect(own.markOnEventLoop()).toBe(true);
    await own.collectGarbage();
    expect(calls).toEqual(['collect', MARK_ON_MAIN_THREAD_FLAG, 'collect']);
    expect(own.markOnEventLoop()).toBe(true);
  });

  it('leaves V8 as it is with more than one CPU, or when no collection could be made', async () => {
    for (const [cpus, collected] of [[2, 40], [1, 'unavailable']] as const) {
      const { own, calls } = seams(cpus, collected);
      await own.collectGarbage();
      expect(calls).toEqual(['collect']);
      expect(own.markOnEventLoop()).toBe(false);
    }
  });

  it('a flag V8 refuses leaves the marking as it was and says so, without throwing', async () => {
    const own = ownProcess({ cpus: () => 1, setFlags: () => { throw new Error('refused'); }, collect: async () => 5 });
    expect(await own.collectGarbage()).toBe(5);
    expect(own.markOnEventLoop()).toBe(false);
  });

  it('is a flag this V8 knows', async () => {
    // An unknown flag would be ignored silently: V8's own list must have it.
    const { execFileSync } = await import('node:child_process');
    const help = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(help).toContain(MARK_ON_MAIN_THREAD_FLAG.replace('--no-', '--'));
  });
});

describe('a full collection that keeps compiled code', () => {
  const newSpace = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? NaN;
  /** Allocates enough short-lived objects for V8 to grow its young generation. */
  const churn = (): void => {
    let keep: number[][] = [];
    for (let i = 0; i < 400; i++) {
      keep.push(new Array<number>(5_000).fill(i));
      if (keep.length > 50) keep = [];
    }
  };

  it('frees what nothing references any more, and says how long it took', async () => {
    let garbage: { payload: number[] } | undefined = { payload: Array.from({ length: 100_000 }, (_, i) => i) };
    const ref = new WeakRef(garbage);
    garbage = undefined;
    await nextTask();
    const ms = fullCollection();
    expect(ms).toBeTypeOf('number');
    expect(ms).toBeGreaterThan(0);
    await nextTask();
    expect(ref.deref()).toBeUndefined();
  });

  it('is a plain full collection: unlike the inspector\'s low-memory one, it leaves the young generation its size', async () => {
    churn();
    const grown = newSpace();
    expect(grown).toBeGreaterThan(1024 * 1024);
    fullCollection();
    expect(newSpace()).toBeGreaterThanOrEqual(grown);
    churn();
    const again = newSpace();
    await collectGarbage();
    expect(newSpace()).toBeLessThan(again);
  });

  it('is a major collection, and leaves the next ones to V8 as before (young-generation scavenges)', async () => {
    // GC entries reach an observer some time after their collection.
    const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 100));
    const kinds: number[] = [];
    const obs = new PerformanceObserver((list) => list.getEntries().forEach((e) => kinds.push((e as unknown as { detail: { kind: number } }).detail.kind)));
    obs.observe({ entryTypes: ['gc'] });
    try {
      expect(fullCollection()).toBeGreaterThan(0);
      await settle();
      expect(kinds).toContain(constants.NODE_PERFORMANCE_GC_MAJOR);
      kinds.length = 0;
      churn();
      await settle();
      expect(kinds).toContain(constants.NODE_PERFORMANCE_GC_MINOR);
      expect(kinds).not.toContain(constants.NODE_PERFORMANCE_GC_MAJOR);
    } finally {
      obs.disconnect();
    }
  });

  it('is what the process handle a CLI run gets does', async () => {
    let garbage: object | undefined = { payload: new Array(10_000).fill(0) };
    const ref = new WeakRef(garbage);
    garbage = undefined;
    await nextTask();
    expect(ownProcess({ cpus: () => 2 }).collectKeepingCode()).toBeGreaterThan(0);
    await nextTask();
    expect(ref.deref()).toBeUndefined();
  });
});

describe('the idle scheduling policy for the helper threads', () => {
  const helpers = (): HelperThreads & { readonly idled: number[] } => {
    const idled: number[] = [];
    return { idled, lower: () => 3, cpuMs: () => 0, idle: async () => (idled.push(1), 3) };
  };

  it('is given only where the entry put garbage collection on the main thread alone', async () => {
    const withGc = helpers();
    expect(await ownProcess({ helpers: withGc, gcOnMainThread: true }).idleHelperThreads()).toBe(3);
    expect(withGc.idled).toHaveLength(1);
    // Otherwise a collection would wait for helper threads that get no CPU while anything else runs.
    for (const gcOnMainThread of [false, undefined]) {
      const without = helpers();
      expect(await ownProcess({ helpers: without, ...(gcOnMainThread !== undefined ? { gcOnMainThread } : {}) }).idleHelperThreads()).toBe(0);
      expect(without.idled).toHaveLength(0);
    }
  });
});

describe('garbage collection on the main thread with one CPU (the entry\'s flags)', () => {
  it('sets every flag, in order, only with one CPU, and never throws', () => {
    const set: string[] = [];
    expect(gcOnMainThreadWithOneCpu({ cpus: () => 1, setFlags: (f) => void set.push(f) })).toBe(true);
    expect(set).toEqual([...GC_ON_MAIN_THREAD_FLAGS]);
    // Parallel marking stays: V8 takes that flag only at its start.
    expect(set).not.toContain('--no-parallel-marking');
    const none: string[] = [];
    expect(gcOnMainThreadWithOneCpu({ cpus: () => 2, setFlags: (f) => void none.push(f) })).toBe(false);
    expect(none).toEqual([]);
    expect(gcOnMainThreadWithOneCpu({ cpus: () => 1, setFlags: () => { throw new Error('refused'); } })).toBe(false);
  });
});
