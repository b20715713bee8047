/** A distributed run's generator section: its shards' health merged (src/distributed/shards.ts). */
import { describe, expect, it } from 'vitest';
import { mergeHealth } from '../../../src/distributed/shards.js';
import type { GeneratorHealth } from '../../../src/report/model.js';

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
      shard({ lateArrivals: 3, eventLoopLagMaxMs: 9, gc: { count: 2, maxMs: 4, totalMs: 6 }, warmUp: { durationMs: 400, internalRequests: 400, connectionsOpened: 2, connectionsFailed: 0, helperThreadsLowered: 10, gcMs: 21.5 } }),
      shard({ droppedArrivals: 5, overloaded: true, gc: { count: 1, maxMs: 7, totalMs: 7 }, warmUp: { durationMs: 650, internalRequests: 800, connectionsOpened: 4, connectionsFailed: 1, helperThreadsLowered: 9, gcMs: 33.1 } }),
    ]);
    expect(merged).toMatchObject({ lateArrivals: 3, droppedArrivals: 5, eventLoopLagMaxMs: 9, overloaded: true, gc: { count: 3, maxMs: 7, totalMs: 13 } });
    expect(merged.warmUp).toEqual({ durationMs: 650, internalRequests: 1200, connectionsOpened: 6, connectionsFailed: 1, helperThreadsLowered: 19, gcMs: 33.1 });
  });

  it('has no warm-up collection when no shard did one, and no warm-up when none warmed up', () => {
    const warm = { durationMs: 100, internalRequests: 400, connectionsOpened: 0, connectionsFailed: 0 };
    expect(mergeHealth([shard({ warmUp: warm }), shard({ warmUp: warm })]).warmUp).not.toHaveProperty('gcMs');
    expect(mergeHealth([shard({}), shard({})])).not.toHaveProperty('warmUp');
  });
});
