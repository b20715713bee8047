/**
 * The benchmark's arithmetic, pure: window rates, coefficient of variation, medians and ratios.
 * Every figure the tables print goes through here (tested in test/unit/bench).
 */

/** The arithmetic mean; NaN for an empty list. */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** The population standard deviation; NaN for an empty list. */
export function stddev(xs: readonly number[]): number {
  const m = mean(xs);
  if (Number.isNaN(m)) return NaN;
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / xs.length);
}

/**
 * Coefficient of variation (stddev / mean) of per-window counts, as a fraction (0.1 = 10 %).
 * NaN when there are no windows or the mean is 0.
 */
export function coefficientOfVariation(counts: readonly number[]): number {
  const m = mean(counts);
  if (!(m > 0)) return NaN;
  return stddev(counts) / m;
}

/** The median (mean of the middle two for an even count); NaN for an empty list. */
export function median(xs: readonly number[]): number {
  const finite = xs.filter((x) => Number.isFinite(x));
  if (finite.length === 0) return NaN;
  const s = [...finite].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** a / b, NaN when either is not a finite number or b is 0. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN;
}

/** What one measurement window saw: requests counted at the target and generator CPU time. */
export interface WindowSample {
  /** Requests the target answered in the window. */
  readonly requests: number;
  /** Window length, ms. */
  readonly elapsedMs: number;
  /** Generator CPU time (user + system, all threads) in the window, µs. */
  readonly cpuUs: number;
}

export interface WindowFigures {
  /** Requests per second. */
  readonly rps: number;
  /** Generator CPU per request, µs. */
  readonly cpuPerRequestUs: number;
  /** Generator CPU use, fraction of one core (1 = a full core). */
  readonly cpuShare: number;
}

/** Rates from one window; NaN figures when nothing was counted. */
export function windowFigures(w: WindowSample): WindowFigures {
  return {
    rps: w.elapsedMs > 0 ? (w.requests * 1000) / w.elapsedMs : NaN,
    cpuPerRequestUs: w.requests > 0 ? w.cpuUs / w.requests : NaN,
    cpuShare: w.elapsedMs > 0 ? w.cpuUs / (w.elapsedMs * 1000) : NaN,
  };
}

/** Per-100-ms window counts scaled to a per-second rate: the achieved rate of an open run. */
export function achievedRate(counts: readonly number[], bucketMs = 100): number {
  if (counts.length === 0) return NaN;
  let s = 0;
  for (const c of counts) s += c;
  return (s * 1000) / (counts.length * bucketMs);
}

/** Whether `achieved` is within `tolerance` (fraction) below or above `planned`. */
export function withinPlan(achieved: number, planned: number, tolerance = 0.01): boolean {
  return Number.isFinite(achieved) && planned > 0 && Math.abs(achieved - planned) <= planned * tolerance;
}

/**
 * Open-model rounds split by whether the generator kept up with `planned` arrivals a second: the
 * rate counted at the target (100 ms windows) at least 99 % of it. A round that fell behind did not
 * pace arrivals at the planned rate, so its CPU per arrival says something else (docs/performance.md,
 * "An open load that falls behind can stay behind") and must not be averaged in with the others.
 */
export function byPlan<T extends { readonly windows: readonly number[] }>(rounds: readonly T[], planned: number): { readonly kept: T[]; readonly behind: T[] } {
  const kept: T[] = [];
  const behind: T[] = [];
  for (const r of rounds) (achievedRate(r.windows) >= planned * 0.99 ? kept : behind).push(r);
  return { kept, behind };
}

/**
 * Parses the CPU fields of /proc/<pid>/stat: utime + stime in clock ticks (fields 14 and 15; the
 * command name in parentheses may contain spaces, so fields are counted after its closing paren).
 */
export function cpuTicksFromStat(stat: string): number {
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error('unexpected /proc/<pid>/stat format');
  const fields = stat.slice(close + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state): utime is field 14, stime 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('unexpected /proc/<pid>/stat format');
  return utime + stime;
}

/** Reads a `VmRSS:`/`VmHWM:`-style line of /proc/<pid>/status, in bytes; NaN when absent. */
export function statusKb(status: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}
