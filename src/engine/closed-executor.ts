/**
 * Runs a closed load: a number of looping virtual users that follows the stages' linear ramps.
 * Each VU runs iterations back to back (its journey's think steps pace it); when the target drops,
 * the newest VUs stop after their current iteration. Optional caps: iterations per VU, and
 * iterations shared by all VUs (the load ends when they are used up).
 */
import type { ClosedLoad, ClosedStage, JourneyPlan } from '../scenario/plan.js';
import type { RoomWaiter } from '../http/index.js';
import { closedTargetAt, stageWindows } from '../load/closed-schedule.js';
import { weightedPicker } from '../load/pick.js';
import { blockVuId, MEMORY_CHECK_EVERY, shareOf, type JourneyHandles, type LoadContext, type ShardOfLoad } from './context.js';
import { sleep, type EngineVu, type IterationOutcome } from './types.js';

/** How often the VU target is re-read (ms). */
const CONTROL_TICK_MS = 50;

/** Most VUs started in one turn of the event loop (see reconcile). */
export const SPAWN_BATCH = 200;
/**
 * Most time spent starting VUs in one turn of the event loop, ms. A VU's start runs its first
 * iteration up to its first wait: with a connection per VU that is a TCP connect and a request, and
 * in a cold first second 0.5–1 ms each, so 200 of them held the loop for 100–200 ms.
 */
export const SPAWN_SLICE_MS = 5;

interface Slot {
  stopping: boolean;
  done: boolean;
}

/** What the VUs of one closed load share. */
interface ClosedLoop {
  readonly ctx: LoadContext;
  readonly load: ClosedLoad;
  readonly pick: () => JourneyPlan;
  /** The load stopped, or the shared iterations are used up. */
  readonly stopAll: AbortSignal;
  readonly sharedDone: AbortController;
  /** Iterations left of the load's shared cap (Infinity without one). */
  sharedLeft: number;
}

/**
 * One looping VU. It runs iterations back to back, driven by callbacks rather than an async loop:
 * held back by the pacer, it waits in the pacer's queue as itself, allocating nothing. (An awaited
 * promise per wait, with its resolvers and the loop frame's reaction, lived through the wait; with
 * 10,000 VUs most of them wait, and every young-generation collection copied all of it.)
 */
class ClosedVu implements Slot, RoomWaiter {
  stopping = false;
  done = false;
  since = 0;
  #mine = 0;
  #handles: JourneyHandles | undefined = undefined;
  readonly #vu: EngineVu;
  readonly #ended = (outcome: IterationOutcome): void => this.#after(outcome);
  readonly #threw = (err: unknown): void => this.#after(this.loop.ctx.journeys.threw(err));
  readonly #next = (): void => this.#loop();
  readonly #resume = (): void => this.#go();

  /** Opens the VU and runs its first iteration up to its first wait. */
  constructor(
    id: number,
    private readonly loop: ClosedLoop,
  ) {
    this.#vu = loop.ctx.journeys.openVu(blockVuId(loop.ctx, id), loop.ctx.block?.phase);
    this.#loop();
  }

  /** The pacer has room (or the load stops): go on in a microtask, outside the pacer's own loop. */
  go(): void {
    queueMicrotask(this.#resume);
  }

  /** Before each iteration: stop, or wait for the pacer's room, or start it. */
  #loop(): void {
    const l = this.loop;
    if (this.stopping || l.stopAll.aborted || (l.load.iterationsPerVu !== undefined && this.#mine >= l.load.iterationsPerVu)) {
      this.#close();
      return;
    }
    // The generator is behind: wait here, between iterations, holding nothing of one.
    if (l.ctx.pacer?.park(this) === true) return;
    this.#start();
  }

  #go(): void {
    if (this.stopping || this.loop.stopAll.aborted) this.#close();
    else this.#start();
  }

  #start(): void {
    const l = this.loop;
    if (l.sharedLeft <= 0) {
      this.#close();
      return;
    }
    l.sharedLeft--;
    this.#mine++;
    // ctx.journeys.iterate, taken apart: no async frame alive through every think.
    const journey = l.pick();
    this.#handles = l.ctx.journeys.begin(journey);
    let iteration: Promise<IterationOutcome>;
    try {
      iteration = this.#vu.runIteration(journey);
    } catch (err) {
      iteration = Promise.reject(err);
    }
    void iteration.then(this.#ended, this.#threw);
  }

  #after(outcome: IterationOutcome | 'error'): void {
    const l = this.loop;
    l.ctx.journeys.end(this.#handles as JourneyHandles, outcome);
    this.#handles = undefined;
    if (l.sharedLeft <= 0) l.sharedDone.abort();
    if (outcome === 'interrupted') {
      this.#close();
      return;
    }
    // Yield to the event loop between iterations so journeys without I/O cannot starve it.
    void nextTurn().then(this.#next);
  }

  #close(): void {
    this.done = true;
    // closeVu never rejects: a failure to close is reported through the run's warnings.
    void this.loop.ctx.journeys.closeVu(this.#vu);
  }
}

/** Resolves when the stages are over, the shared cap is used up, or the load was stopped. */
export async function runClosedLoad(load: ClosedLoad, ctx: LoadContext): Promise<void> {
  const windows = stageWindows(load);
  const slots: Slot[] = [];
  let shift = 0;
  // Stage hooks switch shared state (a mock's fault): one shard runs them.
  const hooks = (ctx.shard?.index ?? 0) === 0;
  const sharedDone = new AbortController();
  const stopAll = AbortSignal.any([ctx.loadSignal, sharedDone.signal]);
  const loop: ClosedLoop = {
    ctx,
    load,
    pick: weightedPicker(ctx.plan.journeys, ctx.pickRandom),
    stopAll,
    sharedDone,
    sharedLeft: load.iterations !== undefined ? sharedIterations(load, load.iterations, ctx.shard) : Infinity,
  };
  // VUs waiting for the pacer's room see the stop at once.
  const pacer = ctx.pacer;
  if (pacer !== undefined) stopAll.addEventListener('abort', () => pacer.openAll(), { once: true });
  // A shard whose share of the shared iterations is 0 has nothing to run.
  if (loop.sharedLeft <= 0) sharedDone.abort();

  const spawn = (): void => {
    // A shard numbers its VUs index+1, index+1+count, … so ids stay unique across shards.
    const id = ctx.shard !== undefined ? slots.length * ctx.shard.count + ctx.shard.index + 1 : slots.length + 1;
    slots.push(new ClosedVu(id, loop));
  };

  const reconcile = async (offset: number): Promise<void> => {
    const target = shareOf(closedTargetAt(load, offset), ctx.shard);
    ctx.setTargetVus?.(target);
    // Slots that ended on their per-VU cap still count: they are not replaced.
    let counted = 0;
    for (const s of slots) if (!s.stopping) counted++;
    // Thousands of VUs starting at once would each send their first request in one turn of the
    // event loop: start them in slices of time and count, letting responses and timers through in between.
    let sliceStart = ctx.clock.now();
    let inSlice = 0;
    for (let n = counted; n < target; n++) {
      if (slots.length % MEMORY_CHECK_EVERY === MEMORY_CHECK_EVERY - 1 && ctx.overMemory?.() === true) return;
      spawn();
      if (++inSlice >= SPAWN_BATCH || (n + 1 < target && ctx.clock.now() - sliceStart >= SPAWN_SLICE_MS)) {
        await new Promise((r) => setImmediate(r));
        if (stopAll.aborted) return;
        sliceStart = ctx.clock.now();
        inSlice = 0;
      }
    }
    const excess = counted - target;
    if (excess > 0) {
      const newestFirst = slots.filter((s) => !s.stopping && !s.done).reverse();
      for (const s of newestFirst.slice(0, excess)) s.stopping = true;
    }
  };

  for (const w of windows) {
    if (stopAll.aborted) break;
    const stage = load.stages[w.index] as ClosedStage;
    ctx.enterPhase(w.index);
    if (hooks && stage.onStart.length > 0) {
      const t0 = ctx.clock.now();
      await ctx.runHook(stage.onStart, `${stage.name} onStart`);
      shift += ctx.clock.now() - t0;
    }
    const stageEnd = ctx.origin + shift + w.endMs;
    for (;;) {
      const now = ctx.clock.now();
      if (now >= stageEnd || stopAll.aborted) break;
      await reconcile(Math.min(now - ctx.origin - shift, w.endMs - 1e-6));
      // Every VU slot ended on its per-VU cap and the schedule will not add any: the load is over.
      // (A shard whose share of the VUs is 0 is over at once.)
      const noneYet = slots.length === 0 && ctx.shard === undefined;
      if (load.iterationsPerVu !== undefined && !noneYet && !anyLive(slots) && shareOf(maxTargetFrom(load, w.index), ctx.shard) <= slots.length) {
        sharedDone.abort();
        break;
      }
      await sleep(Math.min(CONTROL_TICK_MS, stageEnd - now), stopAll);
    }
    if (stopAll.aborted) break;
    ctx.leavePhase(w.index);
    if (hooks && stage.onEnd.length > 0) {
      const t0 = ctx.clock.now();
      await ctx.runHook(stage.onEnd, `${stage.name} onEnd`);
      shift += ctx.clock.now() - t0;
    }
  }
  // The stages are over: every VU finishes its current iteration (the Run bounds how long).
  for (const s of slots) s.stopping = true;
  pacer?.openAll();
  ctx.setTargetVus?.(0);
}

/**
 * A shard's part of the shared iterations. They go to the shards that get VUs: with fewer VUs than
 * shards (VU shares favour the lower indexes), the first `min(count, peak VUs)` shards split them.
 */
function sharedIterations(load: ClosedLoad, iterations: number, shard: ShardOfLoad | undefined): number {
  if (shard === undefined) return iterations;
  const withVus = Math.min(shard.count, Math.max(load.startVus, ...load.stages.map((s) => s.target)));
  return shard.index < withVus ? shareOf(iterations, { index: shard.index, count: withVus }) : 0;
}

/** The VUs that yield in one turn share its promise: one Immediate a turn, not one per iteration. */
let turn: Promise<void> | undefined;

/** Resolves in the check phase of this turn of the event loop (after its I/O), like `setImmediate`. */
export function nextTurn(): Promise<void> {
  return (turn ??= new Promise((resolve) => {
    setImmediate(() => {
      turn = undefined;
      resolve();
    });
  }));
}

/** Counted without building arrays: with 10,000 VUs two filtered copies every tick were 3 MB/s of garbage. */
function anyLive(slots: readonly Slot[]): boolean {
  return slots.some((s) => !s.stopping && !s.done);
}

function maxTargetFrom(load: ClosedLoad, index: number): number {
  return Math.max(0, ...load.stages.slice(index).map((s) => s.target));
}
