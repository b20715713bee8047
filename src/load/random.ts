/**
 * Seeded pseudo-random numbers for schedules and journey picks: a run with the same seed plans the
 * same arrivals. Not for cryptography.
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a small, fast 32-bit generator with a full 2^32 period.
 * @param seed any integer; the same seed gives the same sequence.
 */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An exponential variate with mean 1 (inverse transform; never Infinity). */
export function exponential(random: Random): number {
  return -Math.log(1 - random());
}
