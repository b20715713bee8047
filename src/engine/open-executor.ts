/**
 * Runs an open load: arrivals are pulled from the pure schedule (src/load) and started against the
 * clock — absolute due times from the load's start, one timer for the next due arrival, and every
 * arrival already due started at once when the loop is late. A slow target never slows the arrivals:
 * each arrival is its own journey on its own VU, up to `maxVus` at once; beyond that it is dropped
 * and counted.
 *
 * While the run's pacer holds arrivals (the generator's loop busy, requests already waiting for
 * every connection), a due arrival waits as its due time instead of a journey that could only
 * queue; held ones start first, in order, as soon as it stops holding. They count against `maxVus`,
 * start late (and are counted so), and keep their due time for `http.latency_scheduled`.
 */
import type { OpenLoad, OpenPhase } from '../scenario/plan.js';
import { phaseArrivalOffsets, phaseWindows } from '../load/open-schedule.js';
import { weightedPicker } from '../load/pick.js';
import { blockVuId, LATE_AFTER_MS, MEMORY_CHECK_EVERY, shareOf, type LoadContext } from './context.js';
import { Fifo } from '../http/fifo.js';
import type { JourneyPlan } from '../scenario/plan.js';
import { sleep } from './types.js';

/** An arrival that is due and not started yet: its due time, journey and place in the schedule. */
interface HeldArrival {
  readonly due: number;
  readonly journey: JourneyPlan;
  readonly k: number;
}

/**
 * Sleeps until the clock reaches `due` (epoch ms) or the load is stopped. With arrivals held, it
 * wakes every millisecond to `release` them.
 */
async function until(ctx: LoadContext, due: number, held?: { readonly length: number }, release?: () => unknown): Promise<void> {
  let now = ctx.clock.now();
  while (due > now && !ctx.loadSignal.aborted) {
    const holding = held !== undefined && held.length > 0;
    await sleep(holding ? 1 : Math.ceil(due - now), ctx.loadSignal);
    if (holding) release?.();
    now = ctx.clock.now();
  }
}

/** Resolves when the last arrival has been started (or the load was stopped). */
export async function runOpenLoad(load: OpenLoad, ctx: LoadContext): Promise<void> {
  const pick = weightedPicker(ctx.plan.journeys, ctx.pickRandom);
  let shift = 0;
  let vuId = 0;
  let started = 0;
  // k: index of the arrival in the global schedule (every shard walks the same schedule and picks).
  let k = -1;
  const shard = ctx.shard;
  // The cap is split like the VUs (at least one per shard).
  const maxVus = Math.max(1, shareOf(load.maxVus, shard));
  // Phase hooks switch shared state (a mock's fault): one shard runs them.
  const hooks = (shard?.index ?? 0) === 0;
  const pacer = ctx.pacer;
  const held = new Fifo<HeldArrival>();
  /** Starts an arrival's journey on a new VU; false once the heap is nearly full (the run stops). */
  const start = (due: number, journey: JourneyPlan, at: number): boolean => {
    if (ctx.clock.now() - due > LATE_AFTER_MS) ctx.journeys.markLate();
    // A shard names its VUs by their global arrival number, so ids stay unique across shards.
    vuId = shard !== undefined ? at + 1 : vuId + 1;
    if (++started % MEMORY_CHECK_EVERY === 0 && ctx.overMemory?.() === true) return false;
    const vu = ctx.journeys.openVu(blockVuId(ctx, vuId), ctx.block?.phase);
    void ctx.journeys.iterate(vu, journey, due).finally(() => ctx.journeys.closeVu(vu));
    return true;
  };
  /** Starts held arrivals, oldest first, while the pacer lets them; false when the heap stopped it. */
  const release = (): boolean => {
    while (held.length > 0 && pacer?.holdsArrivals?.() !== true) {
      const a = held.shift() as HeldArrival;
      if (!start(a.due, a.journey, a.k)) return false;
    }
    return true;
  };
  for (const w of phaseWindows(load.phases)) {
    if (ctx.loadSignal.aborted) break;
    const phase = load.phases[w.index] as OpenPhase;
    ctx.enterPhase(w.index);
    if (hooks && phase.onStart.length > 0) {
      const t0 = ctx.clock.now();
      await ctx.runHook(phase.onStart, `${phase.name} onStart`);
      // The schedule waits for the hook: arrivals keep their spacing instead of bursting after it.
      shift += ctx.clock.now() - t0;
    }
    const base = ctx.origin + shift + w.startMs;
    for (const off of phaseArrivalOffsets(phase, load.spacing, ctx.scheduleRandom)) {
      const due = base + off;
      const journey = pick();
      k++;
      if (shard !== undefined && k % shard.count !== shard.index) continue;
      // Arrivals already due (several per timer tick at high rates) start without an await.
      if (due > ctx.clock.now()) await until(ctx, due, held, release);
      if (ctx.loadSignal.aborted) break;
      if (held.length > 0 && !release()) break;
      if (ctx.journeys.active + held.length >= maxVus) {
        ctx.journeys.drop(journey);
        continue;
      }
      if (held.length > 0 || pacer?.holdsArrivals?.() === true) held.push({ due, journey, k });
      else if (!start(due, journey, k)) break;
    }
    await until(ctx, base + (w.endMs - w.startMs), held, release);
    if (ctx.loadSignal.aborted) break;
    ctx.leavePhase(w.index);
    if (hooks && phase.onEnd.length > 0) {
      const t0 = ctx.clock.now();
      await ctx.runHook(phase.onEnd, `${phase.name} onEnd`);
      shift += ctx.clock.now() - t0;
    }
  }
  // The load's last arrivals may still be held: each starts once the pacer lets it.
  while (held.length > 0 && !ctx.loadSignal.aborted && release()) {
    if (held.length > 0) await sleep(1, ctx.loadSignal);
  }
  // Arrivals due before the stop that never started are dropped, not forgotten.
  for (let a = held.shift(); a !== undefined; a = held.shift()) ctx.journeys.drop(a.journey);
}
