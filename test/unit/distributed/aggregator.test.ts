import { describe, expect, it } from 'vitest';
import { createRegistry, encodeSnapshot, type MetricsRegistry } from '../../../src/metrics/index.js';
import { createAggregator } from '../../../src/distributed/aggregator.js';
import { PROTOCOL_VERSION, type ShardEvent, type ShardId } from '../../../src/distributed/protocol.js';
import type { Plan } from '../../../src/scenario/plan.js';
import type { Output, Report } from '../../../src/report/model.js';
import { parseThresholdExpression } from '../../../src/thresholds/index.js';
import { seededRandom } from '../../../src/load/random.js';

const POS = { file: 't.yaml', line: 1, col: 1 };
const plan = (thresholds: Plan['thresholds'] = []): Plan =>
  ({
    name: 'agg',
    source: { file: 't.yaml', hash: 'h' },
    target: 'http://127.0.0.1:1',
    http: {} as Plan['http'],
    variables: {},
    secrets: [],
    data: [],
    load: { model: 'open', phases: [{ name: 'steady', durationMs: 3000, rate: 1, pause: false, onStart: [], onEnd: [] }], maxVus: 10, spacing: 'uniform' },
    journeys: [{ name: 'j', weight: 1, steps: [], tags: {} }],
    setup: [],
    teardown: [],
    thresholds,
    gracefulStopMs: 1000,
    warmUp: false,
  }) as Plan;

const p95Threshold = (ms: number): Plan['thresholds'][number] => ({
  key: 'http.latency',
  metric: 'http.latency',
  filter: {},
  expr: parseThresholdExpression(`p(95) < ${ms}ms`),
  abortOnFail: false,
  delayAbortEvalMs: 0,
  pos: POS,
});

/** A fake clock the test moves. */
const clockAt = (t: { now: number }) => ({ now: () => t.now });

/** The events of one shard that recorded `samples[i]` (µs) in second i+1, then ended. */
function shardEvents(shard: ShardId, runId: string, seconds: number[][], t0: number): { events: ShardEvent[]; registry: MetricsRegistry } {
  let now = t0;
  const registry = createRegistry({ now: () => now });
  const base = { v: PROTOCOL_VERSION, runId, shard, host: `h${shard.index}` } as const;
  const events: ShardEvent[] = [
    { ...base, kind: 'start', at: now, info: { runId, scenarioName: 'agg', target: 'x', startedAt: t0, phases: [{ name: 'steady', durationMs: 3000 }] } },
  ];
  const lat = registry.trend('http.latency', { step: 's' });
  const req = registry.counter('http.requests', { step: 's' });
  seconds.forEach((samples, i) => {
    for (const v of samples) {
      lat.record(v);
      req.add(1);
    }
    now = t0 + (i + 1) * 1000;
    const interval = registry.takeInterval();
    events.push({
      ...base,
      kind: 'interval',
      at: now,
      seq: i + 1,
      offsetMs: (i + 1) * 1000,
      phase: 'steady',
      snapshot: encodeSnapshot(interval),
      point: { t: i + 1, phase: 'steady', requests: samples.length, errors: 0, p50: 0, p95: 0, p99: 0, vus: 1, started: samples.length, dropped: 0 },
    });
    events.push({ ...base, kind: 'heartbeat', at: now });
  });
  // A tail after the last interval: only the end's cumulative carries it.
  lat.record(777_000);
  req.add(1);
  now += 300;
  events.push({
    ...base,
    kind: 'end',
    at: now,
    startedAt: t0,
    endedAt: now,
    cumulative: encodeSnapshot(registry.cumulative()),
    verdict: 'passed',
    exitCode: 0,
    phases: [{ name: 'steady', startOffsetMs: 0, endOffsetMs: 3000 }],
    generator: { lateArrivals: shard.index, droppedArrivals: 0, eventLoopLagP99Ms: 1 + shard.index, eventLoopLagMaxMs: 2, overloaded: false },
    warnings: [],
  });
  return { events, registry };
}

function samplesFor(seed: number, seconds: number, perSecond: number): number[][] {
  const rnd = seededRandom(seed);
  return Array.from({ length: seconds }, () => Array.from({ length: perSecond }, () => 200 + Math.floor(rnd() * rnd() * 400_000)));
}

async function aggregate(events: ShardEvent[], shards: number, thresholds: Plan['thresholds'] = [], outputs: Output[] = []): Promise<Report> {
  const t = { now: 1_000_000 };
  const agg = createAggregator({ plan: plan(thresholds), runId: 'r1', shards, version: 'test', clock: clockAt(t), outputs });
  for (const e of events) {
    agg.accept(e);
    await agg.poll();
  }
  expect(agg.done).toBe(true);
  return agg.finish();
}

describe('aggregator', () => {
  const t0 = 1_700_000_000_000;
  const data = [samplesFor(1, 3, 400), samplesFor(2, 3, 250), samplesFor(3, 3, 90)];
  const shardsOf = (): ShardEvent[][] => data.map((secs, index) => shardEvents({ index, count: 3 }, 'r1', secs, t0).events);

  it('merged p50/p95/p99, count, min and max equal one histogram fed every sample (tails included)', async () => {
    const report = await aggregate(shardsOf().flat(), 3, [p95Threshold(1_000_000)]);
    // One registry fed all samples of all shards.
    const one = createRegistry();
    const lat = one.trend('http.latency', { step: 's' });
    for (const secs of data) for (const v of secs.flat()) lat.record(v);
    for (let i = 0; i < 3; i++) lat.record(777_000);
    const { toSeriesReport } = await import('../../../src/metrics/index.js');
    const whole = one.cumulative().series.find((s) => s.metric === 'http.latency');
    expect(whole).toBeDefined();
    const expected = toSeriesReport(whole!, 1000);
    const got = report.series.find((s) => s.metric === 'http.latency');
    expect(got).toBeDefined();
    expect([got!.count, got!.min, got!.max, got!.p50, got!.p90, got!.p95, got!.p99, got!.sum]).toEqual([
      expected.count,
      expected.min,
      expected.max,
      expected.p50,
      expected.p90,
      expected.p95,
      expected.p99,
      expected.sum,
    ]);
    expect(got!.count).toBe(3 * (400 + 250 + 90) + 3);
    expect(report.series.find((s) => s.metric === 'http.requests')?.sum).toBe(3 * (400 + 250 + 90) + 3);
    expect(report.exitCode).toBe(0);
    expect(report.generator).toMatchObject({ lateArrivals: 0 + 1 + 2, eventLoopLagP99Ms: 3 });
    expect(report.environment.workers).toBe(3);
    one.dispose();
  });

  it('a shard that stopped itself short of memory makes the merged run exit 3, its reason kept', async () => {
    const shards = shardsOf();
    const last = shards[1]!.pop() as Extract<ShardEvent, { kind: 'end' }>;
    shards[1]!.push({ ...last, verdict: 'aborted', exitCode: 3, abortReason: 'memory: the heap reached 3500 MiB of 4144 MiB: too many VUs for one process' });
    const r = await aggregate(shards.flat(), 3);
    expect(r.verdict).toBe('aborted');
    expect(r.exitCode).toBe(3);
    expect(r.abortReason).toMatch(/^memory: /);
  });

  it('duplicated, replayed and reordered events change nothing', async () => {
    const once = await aggregate(shardsOf().flat(), 3);
    const events = shardsOf().flat();
    const rnd = seededRandom(5);
    const noisy = [...events, ...events, ...events.slice(3, 9)].sort(() => rnd() - 0.5);
    // The start must come first for the live outputs only; the report does not depend on order.
    const twice = await aggregate(noisy, 3);
    const strip = (r: Report): unknown => r.series.map((s) => [s.metric, s.tags, s.count, s.sum, s.p50, s.p95, s.p99, s.hist]);
    expect(strip(twice)).toEqual(strip(once));
    expect(twice.timeline.map((p) => p.requests)).toEqual(once.timeline.map((p) => p.requests));
  });

  it('a shard that goes silent is lost: named in the report, exit 4, what it sent is merged', async () => {
    const t = { now: 1_000_000 };
    const agg = createAggregator({ plan: plan(), runId: 'r1', shards: 3, version: 'test', clock: clockAt(t), lostAfterMs: 3000 });
    const [a, b, c] = shardsOf();
    for (const e of [...a!, ...c!]) agg.accept(e);
    // Shard 1 sends its start and first second, then nothing.
    for (const e of b!.slice(0, 3)) agg.accept(e);
    await agg.poll();
    expect(agg.done).toBe(false);
    t.now += 3500;
    await agg.poll();
    expect(agg.done).toBe(true);
    expect(agg.lost()).toEqual([{ index: 1, count: 3 }]);
    const report = await agg.finish();
    expect(report.exitCode).toBe(4);
    expect(report.verdict).toBe('aborted');
    expect(report.abortReason).toMatch(/shard 1\/3 \(h1\)/);
    expect(report.warnings.some((w) => w.includes('shard 1/3 (h1) lost'))).toBe(true);
    // Shards 0 and 2 whole (with their tails), shard 1's first second.
    expect(report.series.find((s) => s.metric === 'http.requests')?.sum).toBe(3 * 400 + 1 + 3 * 90 + 1 + 250);
  });

  it('ignores events of other runs and of shards that do not fit', () => {
    const agg = createAggregator({ plan: plan(), runId: 'r1', shards: 2, version: 'test' });
    const [ev] = shardEvents({ index: 0, count: 3 }, 'r1', [[1]], t0).events;
    expect(agg.accept(ev!)).toBe('bad-shard');
    const [other] = shardEvents({ index: 0, count: 2 }, 'r2', [[1]], t0).events;
    expect(agg.accept(other!)).toBe('other-run');
    const [mine] = shardEvents({ index: 1, count: 2 }, 'r1', [[1]], t0).events;
    expect(agg.accept(mine!)).toBe('accepted');
    expect(agg.accept(mine!)).toBe('duplicate');
  });

  it('outputs see one run: one start, merged seconds in order, one end; thresholds judge the union', async () => {
    const seen: { starts: number; requests: number[]; ends: number } = { starts: 0, requests: [], ends: 0 };
    const out: Output = {
      name: 'probe',
      start: () => void seen.starts++,
      interval: (u) => void seen.requests.push(u.point.requests),
      end: () => void seen.ends++,
    };
    const shards = shardsOf();
    // Interleave by second, as live shards would send them.
    const byTime = shards.flat().sort((x, y) => x.at - y.at);
    const report = await aggregate(byTime, 3, [p95Threshold(1)], [out]);
    expect(seen.starts).toBe(1);
    expect(seen.ends).toBe(1);
    expect(seen.requests).toEqual([740, 740, 740]);
    expect(report.thresholds[0]?.passed).toBe(false);
    expect(report.exitCode).toBe(1);
  });
});

describe('the merged run judges failures no threshold judges', () => {
  const t0 = 1_700_000_000_000;
  /** One shard that started `ok + failed` journeys, `failed` of them failing their expect, and ended. */
  function failingShard(index: number, ok: number, failed: number, warnings: string[] = []): ShardEvent[] {
    const registry = createRegistry({ now: () => t0 });
    const shard = { index, count: 2 };
    const base = { v: PROTOCOL_VERSION, runId: 'r1', shard, host: `h${index}` } as const;
    const done = (tags: Record<string, string>, n: number, error: boolean): void => {
      registry.counter('http.requests', tags, 'count').add(n);
      for (let i = 0; i < n; i++) registry.rate('http.errors', tags).add(error);
    };
    done({ step: 's', status: '200' }, ok, false);
    done({ step: 's', status: '200', error: 'expectation' }, failed, true);
    registry.counter('journeys.completed', { journey: 'j' }, 'count').add(ok);
    registry.counter('journeys.failed', { journey: 'j' }, 'count').add(failed);
    return [
      { ...base, kind: 'start', at: t0, info: { runId: 'r1', scenarioName: 'agg', target: 'x', startedAt: t0, phases: [] } },
      {
        ...base,
        kind: 'end',
        at: t0 + 1000,
        startedAt: t0,
        endedAt: t0 + 1000,
        cumulative: encodeSnapshot(registry.cumulative()),
        verdict: 'passed',
        exitCode: 0,
        phases: [],
        generator: { lateArrivals: 0, droppedArrivals: 0, eventLoopLagP99Ms: 1, eventLoopLagMaxMs: 1, overloaded: false },
        warnings,
      },
    ];
  }

  async function merged(events: ShardEvent[], shardWarningsSaid?: boolean): Promise<{ report: Report; said: string[] }> {
    const said: string[] = [];
    const agg = createAggregator({
      plan: plan(),
      runId: 'r1',
      shards: 2,
      version: 'test',
      clock: clockAt({ now: t0 + 2000 }),
      onWarning: (m) => said.push(m),
      ...(shardWarningsSaid !== undefined ? { shardWarningsSaid } : {}),
    });
    for (const e of events) agg.accept(e);
    return { report: await agg.finish(), said };
  }

  it('on the merged counts, not per shard', async () => {
    // Shard 0's only journey failed (100 %), but 1 of 21 in the whole run is under 10 %.
    const healthy = await merged([...failingShard(0, 0, 1), ...failingShard(1, 20, 0)]);
    expect(healthy.report).toMatchObject({ verdict: 'passed', exitCode: 0 });
    const broken = await merged([...failingShard(0, 0, 10), ...failingShard(1, 0, 10)]);
    expect(broken.report).toMatchObject({ verdict: 'failed', exitCode: 1 });
    expect(broken.said.join('\n')).toMatch(/20 of 20 journey iterations failed .*expectation 20/);
  });

  it("keeps a shard's warnings in the report, and says them again only when no one said them live", async () => {
    const events = [...failingShard(0, 5, 0, ['feed ran out']), ...failingShard(1, 5, 0)];
    const live = await merged(events, true);
    expect(live.report.warnings).toContain('shard 0/2: feed ran out');
    expect(live.said).toEqual([]);
    const collected = await merged(events);
    expect(collected.said).toEqual(['shard 0/2: feed ran out']);
  });
});
