/** A distributed run's generator section: its shards' health merged (src/distributed/shards.ts). */
import { describe, expect, it } from 'vitest';
import { mergeHealth, newShards, pointOf } from '../../../src/distributed/shards.js';
import { createRegistry, encodeSnapshot } from '../../../src/metrics/index.js';
import { PROTOCOL_VERSION, type IntervalEvent } from '../../../src/distributed/protocol.js';
import type { GeneratorHealth, TimelinePoint } from '../../../src/report/model.js';

const shard = (over: Partial<GeneratorHealth>): GeneratorHealth => ({
  lateArrivals: 0,
  droppedArrivals: 0,
  eventLoopLagP99Ms: 1,
  eventLoopLagMaxMs: 2,
  overloaded: false,
  ...over,
});

describe('merging the shards\' generator health', () => {
  it('adds up counts, keeps the worst lag and pause, and the slowest warm-up', () => {
    const merged = mergeHealth([
      shard({ lateArrivals: 3, eventLoopLagMaxMs: 9, gc: { count: 2, maxMs: 4, totalMs: 6 }, warmUp: { durationMs: 400, internalRequests: 400, connectionsOpened: 2, connectionsFailed: 0, helperThreadsLowered: 10, helperThreadsIdle: 10, gcMs: 21.5, gcAfterMs: 9.5 } }),
      shard({ droppedArrivals: 5, overloaded: true, gc: { count: 1, maxMs: 7, totalMs: 7 }, warmUp: { durationMs: 650, internalRequests: 800, connectionsOpened: 4, connectionsFailed: 1, helperThreadsLowered: 9, gcMs: 33.1, gcAfterMs: 6 } }),
    ]);
    expect(merged).toMatchObject({ lateArrivals: 3, droppedArrivals: 5, eventLoopLagMaxMs: 9, overloaded: true, gc: { count: 3, maxMs: 7, totalMs: 13 } });
    expect(merged.warmUp).toEqual({ durationMs: 650, internalRequests: 1200, connectionsOpened: 6, connectionsFailed: 1, helperThreadsLowered: 19, helperThreadsIdle: 10, gcMs: 33.1, gcAfterMs: 9.5 });
  });

  it('has no warm-up collection when no shard did one, and no warm-up when none warmed up', () => {
    const warm = { durationMs: 100, internalRequests: 400, connectionsOpened: 0, connectionsFailed: 0 };
    expect(mergeHealth([shard({ warmUp: warm }), shard({ warmUp: warm })]).warmUp).not.toHaveProperty('gcMs');
    expect(mergeHealth([shard({ warmUp: warm }), shard({ warmUp: warm })]).warmUp).not.toHaveProperty('gcAfterMs');
    expect(mergeHealth([shard({ warmUp: warm }), shard({ warmUp: warm })]).warmUp).not.toHaveProperty('helperThreadsIdle');
    expect(mergeHealth([shard({}), shard({})])).not.toHaveProperty('warmUp');
  });
});

describe('a merged second of the timeline', () => {
  const point = (over: Partial<TimelinePoint>): TimelinePoint => ({ t: 1, phase: 'load', requests: 0, errors: 0, p50: 0, p95: 0, p99: 0, vus: 1, started: 0, dropped: 0, ...over });
  const merged = (points: readonly TimelinePoint[]): TimelinePoint => {
    const shards = newShards(points.length, 0);
    const snapshot = createRegistry().takeInterval();
    shards.forEach((s, i) => {
      const ev: IntervalEvent = { v: PROTOCOL_VERSION, runId: 'r', shard: s.id, at: 0, host: `h${i}`, kind: 'interval', seq: 1, offsetMs: 1000, phase: 'load', snapshot: encodeSnapshot(snapshot), point: points[i] as TimelinePoint };
      s.intervals.set(1, ev);
    });
    return pointOf(shards, 1, snapshot);
  };

  it('keeps the worst shard\'s stall, GC time and busy share (each shard has its own event loop)', () => {
    const p = merged([point({ vus: 2, lagMaxMs: 3, gcMs: 40, busy: 0.97 }), point({ vus: 3, lagMaxMs: 120, gcMs: 5, busy: 0.4 })]);
    expect(p).toMatchObject({ vus: 5, lagMaxMs: 120, gcMs: 40, busy: 0.97 });
  });

  it('says no stall when no shard said one (shards of an older version)', () => {
    const p = merged([point({}), point({})]);
    expect(p).not.toHaveProperty('lagMaxMs');
    expect(p).not.toHaveProperty('gcMs');
    expect(p).not.toHaveProperty('busy');
  });
});
