/** The wait for the helper threads to go idle before the load (src/engine/own-process.ts), on a stand-in for their CPU time. */
import { describe, expect, it } from 'vitest';
import { waitForIdle } from '../../../src/engine/own-process.js';

/** Helper threads whose CPU time, read after read, is `ms` (the last value repeats). */
const threads = (ms: readonly (number | undefined)[]): { cpuMs(): number | undefined; readonly reads: () => number } => {
  let i = 0;
  return { cpuMs: () => ms[Math.min(i++, ms.length - 1)], reads: () => i };
};

describe('waiting for the helper threads to go idle', () => {
  it('ends at the first step in which they used no CPU', async () => {
    const t = threads([0, 3, 5.5, 6, 6]);
    await waitForIdle(t, 5_000, 1);
    // The first read, three busy steps, then one idle step.
    expect(t.reads()).toBe(5);
  });

  it('does not wait, and reports no wait, when their CPU time cannot be read (not Linux, no helpers)', async () => {
    expect(await waitForIdle(threads([undefined]), 5_000, 1)).toBeUndefined();
    expect(await waitForIdle(undefined, 5_000, 1)).toBeUndefined();
  });

  it('stops at its bound when they never go idle', async () => {
    let ms = 0;
    const waited = await waitForIdle({ cpuMs: () => (ms += 1) }, 30, 1);
    expect(waited).toBeGreaterThanOrEqual(30);
    expect(waited).toBeLessThan(1_000);
  });

  it('stops when they can no longer be read', async () => {
    const t = threads([0, 2, undefined]);
    await waitForIdle(t, 5_000, 1);
    expect(t.reads()).toBe(3);
  });
});
