/** The plan's load: open phases, closed stages, load blocks (see plan.ts). */
import type { Step } from './plan.js';

// ---------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------

export interface OpenPhase {
  readonly name: string;
  readonly durationMs: number;
  /**
   * Arrivals per second at the start of the phase. `rampTo` set: linear ramp to it at the end.
   * `arrivals` set instead: that many arrivals spread evenly over the phase.
   * `pause`: no arrivals for the duration (rate 0).
   */
  readonly rate: number;
  readonly rampTo?: number;
  readonly arrivals?: number;
  readonly pause: boolean;
  /** Steps run once when the phase starts / ends (e.g. switch a mock's fault on, then off). */
  readonly onStart: readonly Step[];
  readonly onEnd: readonly Step[];
}

export interface OpenLoad {
  readonly model: 'open';
  readonly phases: readonly OpenPhase[];
  /** At most this many journeys run at once; further arrivals are counted as `journeys.dropped`. */
  readonly maxVus: number;
  /** Arrival spacing within a second: evenly spaced, or exponential inter-arrival times. */
  readonly spacing: 'uniform' | 'poisson';
}

export interface ClosedStage {
  readonly name: string;
  readonly durationMs: number;
  /** VUs at the end of the stage, ramped linearly from the previous stage's target (or startVus). */
  readonly target: number;
  readonly onStart: readonly Step[];
  readonly onEnd: readonly Step[];
}

export interface ClosedLoad {
  readonly model: 'closed';
  readonly startVus: number;
  readonly stages: readonly ClosedStage[];
  /** Optional cap on iterations per VU; a VU that reached it stops early. */
  readonly iterationsPerVu?: number;
  /** Optional cap on iterations shared by all VUs; the run ends when reached. */
  readonly iterations?: number;
}

/** One model: the load of a scenario, or of one of its blocks. */
export type LoadModel = OpenLoad | ClosedLoad;

/** One of several loads running at the same time, each starting its own journeys. */
export interface LoadBlock {
  readonly name: string;
  /** The journeys this block starts (names, picked by their weights). */
  readonly journeys: readonly string[];
  readonly load: LoadModel;
}

/** Several load blocks at once (e.g. an open model of browsers beside a closed model of buyers). */
export interface BlocksLoad {
  readonly model: 'blocks';
  readonly blocks: readonly LoadBlock[];
}

export type LoadPlan = LoadModel | BlocksLoad;

/** The models of a load: itself, or each block's. */
export function loadModels(load: LoadPlan): readonly LoadModel[] {
  return load.model === 'blocks' ? load.blocks.map((b) => b.load) : [load];
}
