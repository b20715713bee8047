import { describe, expect, it } from 'vitest';
import type { ClosedLoad } from '../../../src/scenario/plan.js';
import { closedDurationMs, closedTargetAt, closedTargetExact } from '../../../src/load/closed-schedule.js';

const stage = (durationMs: number, target: number) => ({ name: `s${target}`, durationMs, target, onStart: [], onEnd: [] });

describe('closed schedule', () => {
  const load: ClosedLoad = { model: 'closed', startVus: 0, stages: [stage(10_000, 10), stage(5000, 10), stage(5000, 0)] };

  it('ramps linearly up, holds, and ramps down', () => {
    expect(closedTargetExact(load, 5000)).toBeCloseTo(5);
    expect(closedTargetAt(load, 0)).toBe(0);
    expect(closedTargetAt(load, 999)).toBe(0);
    expect(closedTargetAt(load, 1000)).toBe(1);
    expect(closedTargetAt(load, 9999)).toBe(9);
    expect(closedTargetAt(load, 12_000)).toBe(10);
    expect(closedTargetAt(load, 15_001)).toBe(10); // a VU goes only once the ramp passes below it
    expect(closedTargetAt(load, 16_000)).toBe(8);
    expect(closedTargetAt(load, 20_000)).toBe(0);
    expect(closedDurationMs(load)).toBe(20_000);
  });

  it('starts from startVus', () => {
    const l: ClosedLoad = { model: 'closed', startVus: 4, stages: [stage(1000, 4)] };
    expect(closedTargetAt(l, 0)).toBe(4);
    expect(closedTargetAt(l, 999)).toBe(4);
  });
});
