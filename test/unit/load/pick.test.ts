import { describe, expect, it } from 'vitest';
import { weightedPicker } from '../../../src/load/pick.js';
import { seededRandom } from '../../../src/load/random.js';

describe('weightedPicker', () => {
  it('picks by relative weight', () => {
    const pick = weightedPicker([{ n: 'a', weight: 3 }, { n: 'b', weight: 1 }, { n: 'z', weight: 0 }], seededRandom(1));
    const counts: Record<string, number> = { a: 0, b: 0, z: 0 };
    for (let i = 0; i < 10_000; i++) counts[pick().n]!++;
    expect(counts.z).toBe(0);
    expect(counts.a! / 10_000).toBeGreaterThan(0.72);
    expect(counts.a! / 10_000).toBeLessThan(0.78);
  });
  it('refuses when nothing can be picked', () => {
    expect(() => weightedPicker([{ weight: 0 }], Math.random)).toThrow(RangeError);
  });
});
