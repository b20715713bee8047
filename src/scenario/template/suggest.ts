/** "Did you mean" for unknown function names in templates. */
import { KNOWN_FUNCTIONS } from './functions.js';

/** The closest known function name (edit distance ≤ 2, or equal ignoring case and dots). */
export function suggest(fn: string): string | undefined {
  const squash = (s: string): string => s.toLowerCase().replaceAll('.', '').replaceAll('_', '');
  let best: string | undefined;
  // Short names get a stricter bound, or `foo` would suggest `now`.
  let bestD = fn.length <= 4 ? 2 : 3;
  for (const name of KNOWN_FUNCTIONS) {
    if (squash(name) === squash(fn)) return name;
    const d = distance(fn, name, bestD);
    if (d < bestD) {
      bestD = d;
      best = name;
    }
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once it is certainly ≥ limit. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin >= limit) return limit;
    prev = cur;
  }
  return Math.min(prev[b.length] ?? limit, limit);
}
