import type { Random } from './random.js';

/**
 * Picks items by relative weight: the probability of an item is weight / sum of weights.
 * Items with weight ≤ 0 are never picked. Built once; each pick is a binary search.
 * @throws RangeError when no item has a positive weight.
 */
export function weightedPicker<T extends { readonly weight: number }>(items: readonly T[], random: Random): () => T {
  const eligible = items.filter((i) => i.weight > 0);
  if (eligible.length === 0) throw new RangeError('no item with a positive weight');
  const cumulative: number[] = [];
  let total = 0;
  for (const item of eligible) {
    total += item.weight;
    cumulative.push(total);
  }
  const only = eligible[0] as T;
  if (eligible.length === 1) return () => only;
  return () => {
    const x = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (x < (cumulative[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    return eligible[lo] as T;
  };
}
