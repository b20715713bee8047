/**
 * Runs an open load: arrivals are pulled from the pure schedule (src/load) and started against the
 * clock — absolute due times from the load's start, one timer for the next due arrival, and every
 * arrival already due started at once when the loop is late. A slow target never slows the arrivals:
 * each arrival is its own journey on its own VU, up to `maxVus` at once; beyond that it is dropped
 * and counted.
 */
import type { OpenLoad, OpenPhase } from '../scenario/plan.js';
import { phaseArrivalOffsets, phaseWindows } from '../load/open-schedule.js';
import { weightedPicker } from '../load/pick.js';
import { blockVuId, LATE_AFTER_MS, MEMORY_CHECK_EVERY, shareOf, type LoadContext } from './context.js';
import { sleep } from './types.js';

/** Sleeps until the clock reaches `due` (epoch ms) or the load is stopped. */
async function until(ctx: LoadContext, due: number): Promise<void> {
  let now = ctx.clock.now();
  while (due > now && !ctx.loadSignal.aborted) {
    await sleep(Math.ceil(due - now), ctx.loadSignal);
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
      if (due > ctx.clock.now()) await until(ctx, due);
      if (ctx.loadSignal.aborted) break;
      if (ctx.journeys.active >= maxVus) {
        ctx.journeys.drop(journey);
        continue;
      }
      if (ctx.clock.now() - due > LATE_AFTER_MS) ctx.journeys.markLate();
      // A shard names its VUs by their global arrival number, so ids stay unique across shards.
      vuId = shard !== undefined ? k + 1 : vuId + 1;
      if (++started % MEMORY_CHECK_EVERY === 0 && ctx.overMemory?.() === true) break;
      const vu = ctx.journeys.openVu(blockVuId(ctx, vuId), ctx.block?.phase);
      void ctx.journeys.iterate(vu, journey, due).finally(() => ctx.journeys.closeVu(vu));
    }
    await until(ctx, base + (w.endMs - w.startMs));
    if (ctx.loadSignal.aborted) break;
    ctx.leavePhase(w.index);
    if (hooks && phase.onEnd.length > 0) {
      const t0 = ctx.clock.now();
      await ctx.runHook(phase.onEnd, `${phase.name} onEnd`);
      shift += ctx.clock.now() - t0;
    }
  }
}
