/**
 * Open-model schedule math: WHEN arrivals happen, as a pure function of the plan (and a seeded random
 * source for poisson spacing). Nothing here touches a clock or starts anything; the executor in
 * src/engine pulls arrivals from {@link openArrivals} and starts them against the run's clock.
 *
 * A phase with rate r0, rampTo r1 and duration T (s) has the arrival intensity
 * λ(t) = r0 + (r1 − r0)·t/T, so the cumulative arrivals are N(t) = r0·t + (r1 − r0)·t²/2T and the
 * expected total is (r0 + r1)·T/2. Uniform spacing puts the k-th arrival (k = 0, 1, …) at N⁻¹(k);
 * poisson spacing puts it at N⁻¹(E₁ + … + Eₖ) with unit exponential Eᵢ (a time-changed Poisson process).
 */
import type { OpenLoad, OpenPhase } from '../scenario/plan.js';
import { exponential, type Random } from './random.js';

/** One planned arrival. */
export interface Arrival {
  /** Scheduled start, ms since the run's load start (fractional). */
  readonly atMs: number;
  readonly phaseIndex: number;
}

/** Where a phase sits on the run's time line (ms since the load start). */
export interface PhaseWindow {
  readonly name: string;
  readonly index: number;
  readonly startMs: number;
  readonly endMs: number;
}

/** Consecutive windows of the phases, starting at 0. */
export function phaseWindows(phases: readonly { readonly name: string; readonly durationMs: number }[]): PhaseWindow[] {
  let at = 0;
  return phases.map((p, index) => {
    const w = { name: p.name, index, startMs: at, endMs: at + p.durationMs };
    at += p.durationMs;
    return w;
  });
}

/** The window containing `offsetMs` (the last one once past the end; undefined when there is none). */
export function windowAt(windows: readonly PhaseWindow[], offsetMs: number): PhaseWindow | undefined {
  for (const w of windows) if (offsetMs < w.endMs) return w;
  return windows[windows.length - 1];
}

/** Rates of a phase in arrivals per second at its start and end (a pause is 0 → 0). */
export function phaseRates(phase: OpenPhase): { readonly r0: number; readonly r1: number } {
  if (phase.pause) return { r0: 0, r1: 0 };
  if (phase.arrivals !== undefined) {
    const r = phase.durationMs > 0 ? phase.arrivals / (phase.durationMs / 1000) : 0;
    return { r0: r, r1: r };
  }
  return { r0: phase.rate, r1: phase.rampTo ?? phase.rate };
}

/** Target arrivals per second at `tMs` into the phase. */
export function phaseRateAt(phase: OpenPhase, tMs: number): number {
  const { r0, r1 } = phaseRates(phase);
  if (phase.durationMs <= 0) return r0;
  const f = Math.min(1, Math.max(0, tMs / phase.durationMs));
  return r0 + (r1 - r0) * f;
}

/** Expected arrivals N(t) in the first `tMs` of the phase (clamped to the phase). */
export function cumulativeArrivals(phase: OpenPhase, tMs: number): number {
  if (phase.pause || phase.durationMs <= 0) return 0;
  const T = phase.durationMs / 1000;
  const t = Math.min(T, Math.max(0, tMs / 1000));
  const { r0, r1 } = phaseRates(phase);
  return r0 * t + ((r1 - r0) * t * t) / (2 * T);
}

/** Expected arrivals in the whole phase: (r0 + r1)·T/2, or `arrivals` exactly. */
export function phaseTotal(phase: OpenPhase): number {
  if (phase.pause) return 0;
  if (phase.arrivals !== undefined) return phase.arrivals;
  return cumulativeArrivals(phase, phase.durationMs);
}

/**
 * N⁻¹(n): ms into the phase at which the expected cumulative arrivals reach n (0 ≤ n ≤ total).
 * Written as 2n / (r0 + √(r0² + 2an)) so a flat phase (a = 0) and ramps down stay exact.
 */
export function inverseCumulative(phase: OpenPhase, n: number): number {
  if (n <= 0) return 0;
  const T = phase.durationMs / 1000;
  const { r0, r1 } = phaseRates(phase);
  const a = (r1 - r0) / T;
  const disc = Math.max(0, r0 * r0 + 2 * a * n);
  const denom = r0 + Math.sqrt(disc);
  if (denom <= 0) return phase.durationMs;
  return Math.min(phase.durationMs, ((2 * n) / denom) * 1000);
}

/** Arrival offsets (ms into the phase, ascending, each < durationMs) for one phase. */
export function* phaseArrivalOffsets(phase: OpenPhase, spacing: 'uniform' | 'poisson', random: Random): Generator<number> {
  if (phase.pause || phase.durationMs <= 0) return;
  const total = phaseTotal(phase);
  if (phase.arrivals !== undefined) {
    const n = phase.arrivals;
    if (spacing === 'uniform') {
      for (let k = 0; k < n; k++) yield (k * phase.durationMs) / n;
      return;
    }
    // Exactly n arrivals, poisson-like: n sorted uniforms on [0, T), generated in order.
    let u = 0;
    for (let k = 0; k < n; k++) {
      u = 1 - (1 - u) * Math.pow(1 - random(), 1 / (n - k));
      yield Math.min(u, 1 - Number.EPSILON) * phase.durationMs;
    }
    return;
  }
  if (spacing === 'uniform') {
    // The k-th arrival at N⁻¹(k) for every k < total (a tiny epsilon absorbs float error in the total).
    for (let k = 0; k < total - 1e-9; k++) {
      const at = inverseCumulative(phase, k);
      if (at >= phase.durationMs) return;
      yield at;
    }
    return;
  }
  let n = exponential(random);
  while (n < total) {
    const at = inverseCumulative(phase, n);
    if (at >= phase.durationMs) return;
    yield at;
    n += exponential(random);
  }
}

/**
 * Every arrival of an open load, in time order, lazily (a long run never materializes its schedule).
 * @param random seeded source; only poisson spacing draws from it.
 */
export function* openArrivals(load: OpenLoad, random: Random): Generator<Arrival> {
  const windows = phaseWindows(load.phases);
  for (const w of windows) {
    const phase = load.phases[w.index] as OpenPhase;
    for (const off of phaseArrivalOffsets(phase, load.spacing, random)) {
      yield { atMs: w.startMs + off, phaseIndex: w.index };
    }
  }
}

/** Target arrivals per second at `offsetMs` since the load start (0 outside the phases). */
export function openRateAt(load: OpenLoad, offsetMs: number): number {
  for (const w of phaseWindows(load.phases)) {
    if (offsetMs >= w.startMs && offsetMs < w.endMs) return phaseRateAt(load.phases[w.index] as OpenPhase, offsetMs - w.startMs);
  }
  return 0;
}

/** Expected arrivals in [fromMs, toMs) since the load start: the plan for a timeline second. */
export function plannedArrivalsBetween(load: OpenLoad, fromMs: number, toMs: number): number {
  let sum = 0;
  for (const w of phaseWindows(load.phases)) {
    const a = Math.max(fromMs, w.startMs);
    const b = Math.min(toMs, w.endMs);
    if (b <= a) continue;
    const phase = load.phases[w.index] as OpenPhase;
    if (phase.arrivals !== undefined && !phase.pause) {
      sum += (phase.arrivals * (b - a)) / phase.durationMs;
    } else {
      sum += cumulativeArrivals(phase, b - w.startMs) - cumulativeArrivals(phase, a - w.startMs);
    }
  }
  return sum;
}

/** Total planned duration of an open load (ms). */
export function openDurationMs(load: OpenLoad): number {
  return load.phases.reduce((s, p) => s + p.durationMs, 0);
}
