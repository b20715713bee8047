/**
 * Closed-model schedule math: how many looping virtual users should be running at an instant. Stages
 * ramp linearly from the previous stage's target (the first from `startVus`) to their own target.
 */
import type { ClosedLoad } from '../scenario/plan.js';
import { phaseWindows, type PhaseWindow } from './open-schedule.js';

/** Windows of the stages on the run's time line (ms since the load start). */
export function stageWindows(load: ClosedLoad): PhaseWindow[] {
  return phaseWindows(load.stages);
}

/**
 * Exact (fractional) VU target at `offsetMs` since the load start. Before 0 it is `startVus`; after
 * the last stage it is 0 (the load is over).
 */
export function closedTargetExact(load: ClosedLoad, offsetMs: number): number {
  if (offsetMs < 0) return load.startVus;
  let from = load.startVus;
  let at = 0;
  for (const s of load.stages) {
    if (offsetMs < at + s.durationMs) {
      const f = s.durationMs > 0 ? (offsetMs - at) / s.durationMs : 1;
      return from + (s.target - from) * f;
    }
    from = s.target;
    at += s.durationMs;
  }
  return 0;
}

/**
 * Whole VUs to run at `offsetMs`: a VU is added once the ramp reaches it (floor going up) and removed
 * once the ramp passes below it (ceil going down), so a 0 → 10 ramp over 10 s adds one VU per second.
 */
export function closedTargetAt(load: ClosedLoad, offsetMs: number): number {
  const exact = closedTargetExact(load, offsetMs);
  let from = load.startVus;
  let at = 0;
  let rising = true;
  for (const s of load.stages) {
    if (offsetMs < at + s.durationMs) {
      rising = s.target >= from;
      break;
    }
    from = s.target;
    at += s.durationMs;
  }
  const eps = 1e-9;
  return Math.max(0, rising ? Math.floor(exact + eps) : Math.ceil(exact - eps));
}

/** Total planned duration of a closed load (ms). */
export function closedDurationMs(load: ClosedLoad): number {
  return load.stages.reduce((s, st) => s + st.durationMs, 0);
}

/** True when iterations bound the load (`iterations` / `iterationsPerVu`): its duration is a cap. */
export function iterationBound(load: ClosedLoad): boolean {
  return load.iterations !== undefined || load.iterationsPerVu !== undefined;
}

/** The iterations of an iteration-bound load, as a run announces them (`vus`: the stage's VUs). */
export function iterationsOf(load: ClosedLoad, vus: number): { shared?: number; perVu?: number; vus: number } {
  return { ...(load.iterations !== undefined ? { shared: load.iterations } : {}), ...(load.iterationsPerVu !== undefined ? { perVu: load.iterationsPerVu } : {}), vus };
}
