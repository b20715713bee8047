/**
 * The load of a Run: one model, or several load blocks at once, each running its own model beside
 * the others. What phases they declare, how long they last, and the LoadContext each block's
 * executor gets (its phase tags, its seeds, its VU target).
 */
import type { LoadModel, OpenLoad, Plan, Step } from '../scenario/plan.js';
import type { RunInfoPhase } from '../report/model.js';
import { seededRandom } from '../load/random.js';
import { openDurationMs } from '../load/open-schedule.js';
import { closedDurationMs, iterationBound, iterationsOf } from '../load/closed-schedule.js';
import type { JourneyTracker, LoadContext, ShardOfLoad } from './context.js';
import type { Pacer } from './run-options.js';
import { runOpenLoad } from './open-executor.js';
import { runClosedLoad } from './closed-executor.js';
import type { Clock } from './types.js';

/** One load block: its model, and the journeys it drives (all of them when absent). */
export interface LoadBlock {
  readonly name?: string;
  readonly journeys?: readonly string[];
  readonly load: LoadModel;
}

/** A phase as the report tells it: offsets (ms) from the run's start. */
export interface PhaseEntry {
  name: string;
  startOffsetMs: number;
  endOffsetMs?: number;
}

/** What the run is doing, shared by the Run and its blocks (read by live output, tags and the timeline). */
export interface RunState {
  /** The `phase` tag of samples: setup, a phase/stage name (the last one during the graceful stop), teardown. */
  phase: string;
  /** What the run is doing, for live output and the timeline: like `phase`, or `graceful-stop`. */
  doing: string;
  /** The VU target of every closed block together. */
  targetVus: number | undefined;
}

/** The plan's load as blocks (a single model is one block). */
export function blocksOf(plan: Plan): readonly LoadBlock[] {
  return plan.load.model === 'blocks' ? plan.load.blocks : [{ load: plan.load }];
}

/** The phases (stages) a model declares, with the iterations of an iteration-bound stage. */
export function phaseDefsOf(m: LoadModel): readonly RunInfoPhase[] {
  if (m.model === 'open') return m.phases;
  return iterationBound(m) ? m.stages.map((st) => ({ name: st.name, durationMs: st.durationMs, iterations: iterationsOf(m, st.target) })) : m.stages;
}

/** The longest planned duration (ms); an iteration-bound block has a cap, not a planned duration. */
export function plannedDurationMs(blocks: readonly LoadBlock[]): number | undefined {
  const planned = blocks.filter((b) => b.load.model === 'open' || !iterationBound(b.load)).map((b) => (b.load.model === 'open' ? openDurationMs(b.load) : closedDurationMs(b.load)));
  return planned.length > 0 ? Math.max(...planned) : undefined;
}

/** The open models among the blocks (their planned arrivals and target rates add up). */
export function openModelsOf(blocks: readonly LoadBlock[]): OpenLoad[] {
  return blocks.map((b) => b.load).filter((m): m is OpenLoad => m.model === 'open');
}

/** What {@link runBlocks} needs of its Run. */
export interface BlocksRun {
  readonly plan: Plan;
  readonly blocks: readonly LoadBlock[];
  readonly clock: Clock;
  readonly seed: number;
  readonly startedAt: number;
  /** Epoch ms at which the load starts. */
  readonly origin: number;
  readonly loadSignal: AbortSignal;
  readonly tracker: JourneyTracker;
  readonly state: RunState;
  /** Where the phases are recorded as they start and end. */
  readonly phases: PhaseEntry[];
  readonly runHook: (steps: readonly Step[], label: string) => Promise<void>;
  readonly overMemory: () => boolean;
  readonly shard?: ShardOfLoad;
  readonly pacer?: Pick<Pacer, 'park' | 'openAll' | 'holdsArrivals'>;
}

/** Runs every block's model at once, to their ends. */
export async function runBlocks(r: BlocksRun): Promise<void> {
  const { blocks, clock, state } = r;
  // Per block: its current phase (the `phase` tag of its VUs) and VU target.
  const current = blocks.map(() => '');
  // A block's VUs keep its last phase as their tag after it ended (as a single model's do).
  const last = blocks.map(() => '');
  const targets = blocks.map(() => 0);
  const byName = new Map<string, PhaseEntry>();
  const ctxOf = (b: number): LoadContext => {
    const block = blocks[b] as LoadBlock;
    const defs = phaseDefsOf(block.load);
    const journeys = block.journeys;
    return {
      plan: journeys === undefined ? r.plan : { ...r.plan, journeys: r.plan.journeys.filter((j) => journeys.includes(j.name)) },
      clock,
      // Block 0 draws as a single-model run does; the others from their own seeds.
      scheduleRandom: seededRandom(r.seed + b),
      pickRandom: seededRandom((r.seed + b) ^ 0x9e3779b9),
      origin: r.origin,
      loadSignal: r.loadSignal,
      journeys: r.tracker,
      enterPhase: (i) => {
        const name = defs[i]?.name ?? `phase ${i + 1}`;
        current[b] = last[b] = state.phase = name;
        state.doing = current.filter((c) => c !== '').join(' + ');
        const entry = { name, startOffsetMs: Math.round(clock.now() - r.startedAt) };
        byName.set(name, entry);
        r.phases.push(entry);
      },
      leavePhase: (i) => {
        const entry = byName.get(defs[i]?.name ?? '');
        if (entry) entry.endOffsetMs = Math.round(clock.now() - r.startedAt);
        if (blocks.length > 1) current[b] = '';
      },
      runHook: r.runHook,
      setTargetVus: (n) => {
        targets[b] = n;
        state.targetVus = targets.reduce((x, y) => x + y, 0);
      },
      overMemory: r.overMemory,
      ...(r.pacer !== undefined ? { pacer: r.pacer } : {}),
      ...(r.shard !== undefined ? { shard: r.shard } : {}),
      ...(blocks.length > 1 ? { block: { index: b, count: blocks.length, phase: () => last[b] || state.phase } } : {}),
    };
  };
  await Promise.all(blocks.map((block, b) => (block.load.model === 'open' ? runOpenLoad(block.load, ctxOf(b)) : runClosedLoad(block.load, ctxOf(b)))));
  for (const p of r.phases) if (p.endOffsetMs === undefined) p.endOffsetMs = Math.round(clock.now() - r.startedAt);
}
