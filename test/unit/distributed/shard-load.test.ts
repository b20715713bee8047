/** A Run given `shard: {index, count}` runs exactly its part of the one global load. */
import { describe, expect, it } from 'vitest';
import { createRegistry, selectSeries } from '../../../src/metrics/index.js';
import { Run } from '../../../src/engine/run.js';
import type { ClosedLoad, OpenLoad, OpenPhase } from '../../../src/scenario/plan.js';
import { fakeVus, journey, logStep, plan } from '../engine/fixtures.js';

const phase = (p: Partial<OpenPhase> & { durationMs: number }): OpenPhase => ({ name: 'p', rate: 0, pause: false, onStart: [], onEnd: [], ...p });

async function runShard(load: OpenLoad | ClosedLoad, shard: { index: number; count: number } | undefined, seed = 11, durationMs = 0) {
  const vus = fakeVus({ durationMs });
  const registry = createRegistry();
  const report = await new Run({
    plan: plan(load, { journeys: [journey('a', 2), journey('b', 1), journey('c', 1)] }),
    registry,
    createVu: vus.factory,
    seed,
    ...(shard ? { shard } : {}),
  }).start();
  const started = selectSeries(registry.cumulative(), 'journeys.started', {}).reduce((n, s) => n + s.sum, 0);
  registry.dispose();
  return { events: vus.events, report, started };
}

describe('a shard of an open load', () => {
  it('starts arrivals k ≡ i (mod N) of the global poisson schedule, with the journeys one process would pick', async () => {
    const load: OpenLoad = { model: 'open', phases: [phase({ name: 's', durationMs: 800, rate: 40, rampTo: 60, onStart: [logStep('on')] })], maxVus: 1000, spacing: 'poisson' };
    const whole = await runShard(load, undefined);
    const parts = await Promise.all([0, 1, 2].map((index) => runShard(load, { index, count: 3 })));
    const byId = (evs: typeof whole.events): Map<number, string> =>
      new Map(evs.filter((e) => e.kind === 'iteration').map((e) => [e.vu, e.journey ?? '']));
    const single = byId(whole.events);
    const merged = new Map<number, string>();
    parts.forEach((p, i) => {
      for (const [id, j] of byId(p.events)) {
        expect((id - 1) % 3).toBe(i);
        expect(merged.has(id)).toBe(false);
        merged.set(id, j);
      }
    });
    expect(single.size).toBeGreaterThan(20);
    expect([...merged.entries()].sort((x, y) => x[0] - y[0])).toEqual([...single.entries()].sort((x, y) => x[0] - y[0]));
    expect(parts.reduce((n, p) => n + p.started, 0)).toBe(whole.started);
    // The phase hook runs once: in shard 0.
    expect(parts.map((p) => p.events.filter((e) => e.kind === 'steps').length)).toEqual([1, 0, 0]);
  });

  it('splits maxVus like VUs: the shards together drop what one process would (at least one VU each)', async () => {
    const load: OpenLoad = { model: 'open', phases: [phase({ durationMs: 500, arrivals: 12 })], maxVus: 4, spacing: 'uniform' };
    const parts = await Promise.all([0, 1].map((index) => runShard(load, { index, count: 2 }, 3, 5_000)));
    // Every iteration lasts longer than the phase: each shard holds maxVus/2 = 2 and drops the rest.
    expect(parts.map((p) => p.report.generator.droppedArrivals)).toEqual([4, 4]);
  }, 15_000);
});

describe('a shard of a closed load', () => {
  it('runs its share of the VUs and of the shared iterations: the shards add up exactly', async () => {
    const load: ClosedLoad = { model: 'closed', startVus: 7, stages: [{ name: 'hold', durationMs: 5_000, target: 7, onStart: [], onEnd: [] }], iterations: 20 };
    const parts = await Promise.all([0, 1, 2].map((index) => runShard(load, { index, count: 3 }, 5, 20)));
    const vuIds = parts.map((p) => [...new Set(p.events.filter((e) => e.kind === 'iteration').map((e) => e.vu))].sort((a, b) => a - b));
    expect(vuIds).toEqual([
      [1, 4, 7],
      [2, 5],
      [3, 6],
    ]);
    expect(parts.map((p) => p.started)).toEqual([7, 7, 6]);
  }, 15_000);
});

describe('a shard with nothing to do', () => {
  it('ends at once instead of waiting out an iteration-bound load (1 VU, 5 iterations over 3 shards)', async () => {
    const shared: ClosedLoad = { model: 'closed', startVus: 1, stages: [{ name: 'cap', durationMs: 20_000, target: 1, onStart: [], onEnd: [] }], iterations: 5 };
    const perVu: ClosedLoad = { model: 'closed', startVus: 1, stages: [{ name: 'cap', durationMs: 20_000, target: 1, onStart: [], onEnd: [] }], iterationsPerVu: 5 };
    for (const load of [shared, perVu]) {
      const t0 = Date.now();
      const parts = await Promise.all([0, 1, 2].map((index) => runShard(load, { index, count: 3 }, 5, 10)));
      expect(parts.map((p) => p.started)).toEqual([5, 0, 0]);
      expect(Date.now() - t0).toBeLessThan(5_000);
    }
  }, 30_000);
});

describe('shared iterations with fewer VUs than shards', () => {
  it('go to the shards that have VUs, and still add up exactly', async () => {
    const load: ClosedLoad = { model: 'closed', startVus: 2, stages: [{ name: 'cap', durationMs: 20_000, target: 2, onStart: [], onEnd: [] }], iterations: 9 };
    const t0 = Date.now();
    const parts = await Promise.all([0, 1, 2].map((index) => runShard(load, { index, count: 3 }, 5, 10)));
    expect(parts.map((p) => p.started)).toEqual([5, 4, 0]);
    expect(Date.now() - t0).toBeLessThan(5_000);
  }, 30_000);
});
