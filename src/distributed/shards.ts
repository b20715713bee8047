/**
 * What the aggregator keeps of each shard, and how the seconds of several shards merge: exactly
 * (mergeAll: percentiles of the union), one timeline point per second, counts that add up.
 */
import type { GeneratorHealth, TimelinePoint } from '../report/model.js';
import type { MetricsSnapshot } from '../metrics/types.js';
import { decodeSnapshot, mergeAll } from '../metrics/index.js';
import { timelinePoint } from '../engine/timeline.js';
import type { EndEvent, IntervalEvent, ShardId } from './protocol.js';

/** One shard as heard so far. */
export interface ShardState {
  readonly id: ShardId;
  host: string;
  lastSeen: number;
  started: boolean;
  startedAt?: number;
  end?: EndEvent;
  readonly intervals: Map<number, IntervalEvent>;
  readonly decoded: Map<number, MetricsSnapshot>;
  lost: boolean;
}

/** `count` shards not heard from yet, as of `now`. */
export function newShards(count: number, now: number): ShardState[] {
  return Array.from({ length: count }, (_, index) => ({
    id: { index, count },
    host: '',
    lastSeen: now,
    started: false,
    intervals: new Map(),
    decoded: new Map(),
    lost: false,
  }));
}

/** A shard's snapshot of second `seq`, decoded once. */
export function snapshotOf(s: ShardState, seq: number): MetricsSnapshot | undefined {
  let d = s.decoded.get(seq);
  const ev = s.intervals.get(seq);
  if (d === undefined && ev !== undefined) {
    d = decodeSnapshot(ev.snapshot);
    s.decoded.set(seq, d);
  }
  return d;
}

/** Started, not ended, not lost. */
export const running = (s: ShardState): boolean => s.started && s.end === undefined && !s.lost;

/** The shard sent second `seq` or a later one. */
export function hasAtLeast(s: ShardState, seq: number): boolean {
  for (const k of s.intervals.keys()) if (k >= seq) return true;
  return false;
}

/** Merges snapshots, skipping the missing ones. */
export const mergeSome = (xs: readonly (MetricsSnapshot | undefined)[]): MetricsSnapshot | undefined => mergeAll(xs.filter((x): x is MetricsSnapshot => x !== undefined));

/** Second `seq` of every shard that sent it, merged. */
export const mergedSecond = (shards: readonly ShardState[], seq: number): MetricsSnapshot | undefined => mergeSome(shards.map((s) => snapshotOf(s, seq)));

/** The interval events of second `seq`. */
export const eventsOf = (shards: readonly ShardState[], seq: number): IntervalEvent[] =>
  shards.map((s) => s.intervals.get(seq)).filter((e): e is IntervalEvent => e !== undefined);

/** The merged timeline point of one second, from the shards that sent it. */
export function pointOf(shards: readonly ShardState[], seq: number, merged: MetricsSnapshot): TimelinePoint {
  const evs = eventsOf(shards, seq);
  const first = evs[0];
  const vus = evs.reduce((n, e) => n + e.point.vus, 0);
  const planned = first?.point.planned;
  const t = Math.max(...evs.map((e) => e.offsetMs)) / 1000;
  return timelinePoint(merged, t, first?.phase ?? '', vus, planned, worstStalls(evs.map((e) => e.point)));
}

/** The worst shard's stalls and busiest loop in one second (each shard is its own event loop); none when no shard said. */
function worstStalls(points: readonly TimelinePoint[]): Pick<TimelinePoint, 'lagMaxMs' | 'gcMs' | 'busy'> {
  const worst = (pick: (p: TimelinePoint) => number | undefined): number | undefined => {
    const xs = points.map(pick).filter((x): x is number => x !== undefined);
    return xs.length > 0 ? Math.max(...xs) : undefined;
  };
  const lagMaxMs = worst((p) => p.lagMaxMs);
  const gcMs = worst((p) => p.gcMs);
  const busy = worst((p) => p.busy);
  return { ...(lagMaxMs !== undefined ? { lagMaxMs } : {}), ...(gcMs !== undefined ? { gcMs } : {}), ...(busy !== undefined ? { busy } : {}) };
}

/** Everything the shards recorded: an ended shard's cumulative, else the seconds it sent. */
export function mergedCumulative(shards: readonly ShardState[]): MetricsSnapshot | undefined {
  const perShard = shards.map((s) => {
    if (s.end !== undefined) return decodeSnapshot(s.end.cumulative);
    return mergeAll([...s.intervals.keys()].map((k) => snapshotOf(s, k) as MetricsSnapshot));
  });
  return mergeSome(perShard);
}

/**
 * The generator health of the whole run: counts add up, lag is the worst shard's; GC pauses add up
 * (the longest is the worst shard's); the warm-up took as long as the slowest shard's; what the
 * shards held back adds up (the lowest limit is the lowest shard's).
 */
export function mergeHealth(hs: readonly GeneratorHealth[]): GeneratorHealth {
  const gcs = hs.flatMap((h) => (h.gc !== undefined ? [h.gc] : []));
  const warm = hs.flatMap((h) => (h.warmUp !== undefined ? [h.warmUp] : []));
  const held = hs.flatMap((h) => (h.heldBack !== undefined ? [h.heldBack] : []));
  return {
    lateArrivals: hs.reduce((n, h) => n + h.lateArrivals, 0),
    droppedArrivals: hs.reduce((n, h) => n + h.droppedArrivals, 0),
    eventLoopLagP99Ms: Math.max(0, ...hs.map((h) => h.eventLoopLagP99Ms)),
    eventLoopLagMaxMs: Math.max(0, ...hs.map((h) => h.eventLoopLagMaxMs)),
    ...(hs.some((h) => h.eventLoopBusy !== undefined) ? { eventLoopBusy: Math.max(...hs.map((h) => h.eventLoopBusy ?? 0)) } : {}),
    overloaded: hs.some((h) => h.overloaded),
    ...(gcs.length > 0
      ? { gc: { count: gcs.reduce((n, g) => n + g.count, 0), maxMs: Math.max(...gcs.map((g) => g.maxMs)), totalMs: gcs.reduce((n, g) => n + g.totalMs, 0) } }
      : {}),
    ...(warm.length > 0
      ? {
          warmUp: {
            durationMs: Math.max(...warm.map((w) => w.durationMs)),
            internalRequests: warm.reduce((n, w) => n + w.internalRequests, 0),
            connectionsOpened: warm.reduce((n, w) => n + w.connectionsOpened, 0),
            connectionsFailed: warm.reduce((n, w) => n + w.connectionsFailed, 0),
            helperThreadsLowered: warm.reduce((n, w) => n + (w.helperThreadsLowered ?? 0), 0),
            ...(warm.some((w) => (w.helperThreadsIdle ?? 0) > 0) ? { helperThreadsIdle: warm.reduce((n, w) => n + (w.helperThreadsIdle ?? 0), 0) } : {}),
            ...(warm.some((w) => w.gcMarkingOnEventLoop === true) ? { gcMarkingOnEventLoop: true } : {}),
            ...(warm.some((w) => w.gcMs !== undefined) ? { gcMs: Math.max(...warm.map((w) => w.gcMs ?? 0)) } : {}),
            ...(warm.some((w) => w.gcAfterMs !== undefined) ? { gcAfterMs: Math.max(...warm.map((w) => w.gcAfterMs ?? 0)) } : {}),
            ...(warm.some((w) => w.settleMs !== undefined) ? { settleMs: Math.max(...warm.map((w) => w.settleMs ?? 0)) } : {}),
          },
        }
      : {}),
    ...(held.length > 0
      ? {
          heldBack: {
            requests: held.reduce((n, h) => n + h.requests, 0),
            iterations: held.reduce((n, h) => n + h.iterations, 0),
            totalWaitMs: held.reduce((n, h) => n + h.totalWaitMs, 0),
            maxWaitMs: Math.max(...held.map((h) => h.maxWaitMs)),
            lowestLimit: Math.min(...held.map((h) => h.lowestLimit)),
            engaged: held.reduce((n, h) => n + h.engaged, 0),
          },
        }
      : {}),
  };
}
