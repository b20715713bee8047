/** The generator's own stalls, per second of the timeline (src/engine/lag-monitor.ts). */
import { describe, expect, it } from 'vitest';
import { createLagMonitor } from '../../../src/engine/lag-monitor.js';

const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('the lag monitor\'s seconds', () => {
  it('a stall that ends right before the interval\'s tick is that interval\'s, and is not counted again in the next', async () => {
    const m = createLagMonitor();
    m.start();
    await wait(30);
    busy(200);
    // No timer has run since the stall: the tick comes first.
    const first = m.second();
    await wait(60);
    const next = m.second();
    const run = m.stop();
    expect(first.lagMaxMs).toBeGreaterThanOrEqual(180);
    expect(next.lagMaxMs).toBeLessThan(150);
    expect(run.maxMs).toBeGreaterThanOrEqual(first.lagMaxMs);
  });

  it('a stall the probe saw is the interval\'s in which it ended', async () => {
    const m = createLagMonitor();
    m.start();
    await wait(30);
    busy(200);
    await wait(30);
    const first = m.second();
    await wait(60);
    const next = m.second();
    m.stop();
    expect(first.lagMaxMs).toBeGreaterThanOrEqual(180);
    expect(next.lagMaxMs).toBeLessThan(150);
  });

  it('a stall the interval\'s end fell into is counted in both, at its whole length where it ended', async () => {
    const m = createLagMonitor();
    m.start();
    await wait(30);
    // One turn of the loop, 240 ms long, with the tick's callback in its middle.
    busy(120);
    const first = m.second();
    busy(120);
    await wait(30);
    const next = m.second();
    const run = m.stop();
    expect(first.lagMaxMs).toBeGreaterThanOrEqual(100);
    expect(first.lagMaxMs).toBeLessThan(200);
    expect(next.lagMaxMs).toBeGreaterThanOrEqual(220);
    expect(run.maxMs).toBeGreaterThanOrEqual(next.lagMaxMs);
  });

  it('measures nothing before start() or after stop()', async () => {
    const m = createLagMonitor();
    busy(100);
    expect(m.second()).toEqual({ lagMaxMs: 0, gcMs: 0 });
    m.start();
    m.stop();
    busy(100);
    await wait(30);
    expect(m.second().lagMaxMs).toBe(0);
  });
});

describe('how busy the event loop was', () => {
  it('is measured from the load\'s start: the idle wait before it does not count', async () => {
    const m = createLagMonitor();
    m.start();
    await wait(300);
    m.loadStarted();
    // A load that keeps the loop busy, with a turn of the loop now and then.
    for (let i = 0; i < 6; i++) {
      busy(50);
      await new Promise((r) => setImmediate(r));
    }
    const run = m.stop();
    expect(run.busy).toBeGreaterThan(0.85);
    expect(run.busy).toBeLessThanOrEqual(1);
  });

  it('is given for each second of the timeline: a busy second near 1, an idle one near 0', async () => {
    const m = createLagMonitor();
    m.start();
    m.second();
    for (let i = 0; i < 4; i++) {
      busy(50);
      await new Promise((r) => setImmediate(r));
    }
    const hard = m.second();
    await wait(200);
    const idle = m.second();
    expect(hard.busy).toBeGreaterThan(0.85);
    expect(hard.busy).toBeLessThanOrEqual(1);
    expect(idle.busy).toBeGreaterThanOrEqual(0);
    expect(idle.busy).toBeLessThan(0.3);
    m.stop();
    expect(m.second().busy).toBeUndefined();
  });

  it('is low for a loop that waits on timers', async () => {
    const m = createLagMonitor();
    m.start();
    m.loadStarted();
    await wait(250);
    const run = m.stop();
    expect(run.busy).toBeGreaterThanOrEqual(0);
    expect(run.busy).toBeLessThan(0.3);
  });
});
