import { describe, expect, it } from 'vitest';
import type { OpenLoad, OpenPhase } from '../../../src/scenario/plan.js';
import {
  cumulativeArrivals,
  inverseCumulative,
  openArrivals,
  openRateAt,
  phaseArrivalOffsets,
  phaseTotal,
  plannedArrivalsBetween,
} from '../../../src/load/open-schedule.js';
import { seededRandom } from '../../../src/load/random.js';

function phase(p: Partial<OpenPhase> & { durationMs: number }): OpenPhase {
  return { name: 'p', rate: 0, pause: false, onStart: [], onEnd: [], ...p };
}
function load(phases: OpenPhase[], spacing: 'uniform' | 'poisson' = 'uniform'): OpenLoad {
  return { model: 'open', phases, maxVus: 100, spacing };
}
const rnd = () => seededRandom(42);

describe('open schedule', () => {
  it('7/s over 1 s gives 7 evenly spaced arrivals', () => {
    const offs = [...phaseArrivalOffsets(phase({ durationMs: 1000, rate: 7 }), 'uniform', rnd())];
    expect(offs).toHaveLength(7);
    offs.forEach((o, k) => expect(o).toBeCloseTo((k * 1000) / 7, 6));
  });

  it('a 0 → 100/s ramp over 10 s yields 500 ± 1 arrivals spaced as the ramp says', () => {
    const p = phase({ durationMs: 10_000, rate: 0, rampTo: 100 });
    const offs = [...phaseArrivalOffsets(p, 'uniform', rnd())];
    expect(Math.abs(offs.length - 500)).toBeLessThanOrEqual(1);
    // N(t) = 5 t² → the k-th arrival at sqrt(k/5) s
    for (const k of [1, 20, 125, 320, 499]) expect(offs[k]).toBeCloseTo(Math.sqrt(k / 5) * 1000, 6);
    // first second holds 5 arrivals, last second 95
    expect(offs.filter((o) => o < 1000)).toHaveLength(5);
    expect(offs.filter((o) => o >= 9000)).toHaveLength(95);
    // strictly ascending and inside the phase
    for (let i = 1; i < offs.length; i++) expect(offs[i]!).toBeGreaterThan(offs[i - 1]!);
    expect(offs.at(-1)!).toBeLessThan(10_000);
  });

  it('ramps down as well as up', () => {
    const p = phase({ durationMs: 4000, rate: 20, rampTo: 0 });
    expect(phaseTotal(p)).toBeCloseTo(40);
    const offs = [...phaseArrivalOffsets(p, 'uniform', rnd())];
    expect(offs).toHaveLength(40);
    expect(offs.filter((o) => o < 1000).length).toBeGreaterThan(offs.filter((o) => o >= 3000).length * 3);
  });

  it('N and N⁻¹ are inverses', () => {
    const p = phase({ durationMs: 30_000, rate: 5, rampTo: 50 });
    for (const n of [0.5, 10, 100, 500, 824]) expect(cumulativeArrivals(p, inverseCumulative(p, n))).toBeCloseTo(n, 6);
  });

  it('spreads `arrivals` evenly over the phase', () => {
    const offs = [...phaseArrivalOffsets(phase({ durationMs: 2000, arrivals: 4 }), 'uniform', rnd())];
    expect(offs).toEqual([0, 500, 1000, 1500]);
  });

  it('a pause has no arrivals and shifts the next phase', () => {
    const arr = [...openArrivals(load([phase({ durationMs: 1000, rate: 2 }), phase({ durationMs: 1000, pause: true }), phase({ durationMs: 1000, rate: 2 })]), rnd())];
    expect(arr.map((a) => a.atMs)).toEqual([0, 500, 2000, 2500]);
    expect(arr.map((a) => a.phaseIndex)).toEqual([0, 0, 2, 2]);
  });

  it('poisson spacing is seeded, averages the rate, and keeps exact counts for `arrivals`', () => {
    const p = phase({ durationMs: 100_000, rate: 20 });
    const a = [...phaseArrivalOffsets(p, 'poisson', seededRandom(7))];
    const b = [...phaseArrivalOffsets(p, 'poisson', seededRandom(7))];
    expect(a).toEqual(b);
    expect(Math.abs(a.length - 2000)).toBeLessThan(200); // ±4.5 σ
    const gaps = a.slice(1).map((x, i) => x - a[i]!);
    const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((s, g) => s + (g - mean) ** 2, 0) / gaps.length);
    expect(mean).toBeGreaterThan(40);
    expect(mean).toBeLessThan(60);
    expect(sd / mean).toBeGreaterThan(0.8); // exponential gaps: coefficient of variation ≈ 1
    const fixed = [...phaseArrivalOffsets(phase({ durationMs: 1000, arrivals: 50 }), 'poisson', seededRandom(3))];
    expect(fixed).toHaveLength(50);
    for (let i = 1; i < fixed.length; i++) expect(fixed[i]!).toBeGreaterThanOrEqual(fixed[i - 1]!);
    expect(fixed.at(-1)!).toBeLessThan(1000);
  });

  it('knows the target rate and the planned arrivals of any window', () => {
    const l = load([phase({ durationMs: 10_000, rate: 0, rampTo: 100 }), phase({ durationMs: 5000, rate: 10 })]);
    expect(openRateAt(l, 5000)).toBeCloseTo(50);
    expect(openRateAt(l, 12_000)).toBe(10);
    expect(openRateAt(l, 15_000)).toBe(0);
    expect(plannedArrivalsBetween(l, 0, 10_000)).toBeCloseTo(500);
    expect(plannedArrivalsBetween(l, 9000, 11_000)).toBeCloseTo(95 + 10);
  });
});
