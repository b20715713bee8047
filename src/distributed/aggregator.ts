/**
 * Turns the events of N shards into one run: per-second interval snapshots merged exactly
 * (mergeSnapshots: percentiles of the union), fed to the judge (src/thresholds/judge/) and the
 * outputs as if one process ran the plan, and at the end one Report (merged-report.ts).
 *
 * Idempotent: an interval is kept once per (shard, seq), a shard's end once per shard, so replayed
 * or duplicated events change nothing. A shard silent for `lostAfterMs` (no heartbeat, no event) and
 * not ended is lost: what it sent is merged, the report names it, and the exit code is 4.
 */
import type { Plan } from '../scenario/plan.js';
import type { IntervalUpdate, Output, Report, RunInfo } from '../report/model.js';
import type { MetricsSnapshot } from '../metrics/types.js';
import { createJudge } from '../thresholds/judge/judge.js';
import type { ExternalThresholdsFactory, ThresholdResult } from '../thresholds/judge/types.js';
import { OutputFanout } from '../engine/outputs.js';
import { systemClock, type Clock } from '../engine/types.js';
import { mergedReport } from './merged-report.js';
import { shardName, type ShardEvent, type ShardId } from './protocol.js';
import { eventsOf, hasAtLeast, mergedSecond, mergeSome, newShards, pointOf, running, snapshotOf, type ShardState } from './shards.js';

export interface AggregatorOptions {
  readonly plan: Plan;
  readonly runId: string;
  /** How many shards make the run. */
  readonly shards: number;
  readonly outputs?: readonly Output[];
  readonly version: string;
  readonly scenarioText?: string;
  readonly clock?: Clock;
  /** A started shard silent this long (ms) is lost. Default 5000. */
  readonly lostAfterMs?: number;
  /** A shard never heard from is lost this long (ms) after the aggregator was created. Default 60 000. */
  readonly firstEventWithinMs?: number;
  /** A second is shown live once every running shard sent it, or this long (ms) after the first did. Default 1500. */
  readonly flushAfterMs?: number;
  /** Called once when a live abortOnFail threshold fails (a worker pool stops its workers). */
  readonly onAbort?: (reason: string) => void;
  readonly onWarning?: (message: string) => void;
  /**
   * The shards' own warnings were already said live (worker threads, `--agents` processes): the
   * report keeps them, `onWarning` does not say them twice. Default false (`collect` hears them here first).
   */
  readonly shardWarningsSaid?: boolean;
  /**
   * Thresholds judged outside the merged metrics (the scenario's Prometheus queries), made with
   * the aggregator's warning sink: started with the run, evaluated over its window at the end.
   */
  readonly external?: ExternalThresholdsFactory;
}

/** What the aggregator did with an event. */
export type Accepted = 'accepted' | 'duplicate' | 'other-run' | 'bad-shard';

export interface Aggregator {
  /** Takes one event (any order, any number of times). */
  accept(event: ShardEvent): Accepted;
  /** Flushes due seconds to the outputs and marks silent shards lost; call every few hundred ms. */
  poll(): Promise<void>;
  /** Every shard ended or is lost. */
  readonly done: boolean;
  /** Shards lost so far. */
  lost(): readonly ShardId[];
  /** Marks a shard lost now (its process or thread died); an end it already sent wins. */
  lose(index: number, why: string): void;
  /** Merges everything, evaluates the thresholds, gives the outputs the Report and returns it. */
  finish(): Promise<Report>;
  /** Output errors (e.g. a report file that could not be written). */
  readonly outputErrors: readonly Error[];
}

/** Creates the aggregator of one run. */
export function createAggregator(o: AggregatorOptions): Aggregator {
  const clock = o.clock ?? systemClock;
  const lostAfterMs = o.lostAfterMs ?? 5000;
  const createdAt = clock.now();
  const warnings: string[] = [];
  const warn = (m: string): void => {
    if (warnings.includes(m)) return;
    warnings.push(m);
    o.onWarning?.(m);
  };
  const fanout = new OutputFanout(o.outputs ?? [], warn);
  const shards = newShards(o.shards, createdAt);
  let info: RunInfo | undefined;
  let outputsStarted: Promise<void> | undefined;
  const firstSeen = new Map<number, number>();
  const live: { cumulative?: MetricsSnapshot; results: readonly ThresholdResult[]; nextSeq: number } = { results: [], nextSeq: 1 };
  let finished = false;
  const lostWhy = new Map<number, string>();
  const external = o.external?.(warn);
  const judge = createJudge({
    plan: o.plan,
    ...(external !== undefined ? { external } : {}),
    onAbort: (reason) => {
      if (finished) return false;
      o.onAbort?.(reason);
      return true;
    },
  });
  const startOutputs = (i: RunInfo): Promise<void> => {
    info ??= { ...i, runId: o.runId };
    judge.start(info.startedAt);
    outputsStarted ??= fanout.start(info);
    return outputsStarted;
  };

  const flush = (seq: number): void => {
    const update = secondUpdate(shards, seq, live, (cumulative) => judge.live(cumulative, clock.now()));
    if (update !== undefined) fanout.interval(update);
  };
  const take = (s: ShardState, e: ShardEvent): Accepted => takeEvent(s, e, { firstSeen, live, finished, now: clock.now(), startOutputs });

  return {
    accept(e: ShardEvent): Accepted {
      if (e.runId !== o.runId) return 'other-run';
      if (e.shard.count !== o.shards || e.shard.index < 0 || e.shard.index >= o.shards) {
        warn(`an event of shard ${shardName(e.shard)} does not fit a run of ${o.shards} shards: ignored`);
        return 'bad-shard';
      }
      const s = shards[e.shard.index] as ShardState;
      s.lastSeen = Math.max(s.lastSeen, clock.now());
      s.host = e.host;
      if (s.lost && s.end === undefined) {
        s.lost = false;
        warn(`shard ${shardName(s.id)} (${s.host}) was silent for more than ${lostAfterMs} ms, then came back`);
      }
      return take(s, e);
    },

    async poll(): Promise<void> {
      const now = clock.now();
      markSilent(shards, now, { lostAfterMs, firstWithin: o.firstEventWithinMs ?? 60_000, lostWhy, warn });
      if (outputsStarted) await outputsStarted;
      for (let seq = dueSecond(shards, firstSeen, live.nextSeq, now, o.flushAfterMs ?? 1500); seq !== undefined; seq = dueSecond(shards, firstSeen, live.nextSeq, now, o.flushAfterMs ?? 1500)) {
        if (firstSeen.has(seq)) flush(seq);
        live.nextSeq = seq + 1;
      }
    },

    get done(): boolean {
      return shards.every((s) => s.end !== undefined || s.lost);
    },

    lost: () => shards.filter((s) => s.lost).map((s) => s.id),

    lose(index: number, why: string): void {
      const s = shards[index];
      if (s === undefined || s.end !== undefined || s.lost) return;
      s.lost = true;
      lostWhy.set(index, why);
      warn(`shard ${shardName(s.id)}${s.host ? ` (${s.host})` : ''} lost: ${why}; what it sent is merged`);
    },

    get outputErrors(): readonly Error[] {
      return fanout.errors;
    },

    async finish(): Promise<Report> {
      finished = true;
      const report = await mergedReport({
        plan: o.plan,
        runId: o.runId,
        version: o.version,
        ...(o.scenarioText !== undefined ? { scenarioText: o.scenarioText } : {}),
        shards,
        judge,
        createdAt,
        now: clock.now(),
        lostWhy,
        lostAfterMs,
        warnings,
        warn,
        shardWarningsSaid: o.shardWarningsSaid === true,
        startOutputs: (startedAt) => startOutputs(info ?? { runId: o.runId, scenarioName: o.plan.name, target: o.plan.target, startedAt, phases: [] }),
      });
      await fanout.end(report);
      return report;
    },
  };
}

/**
 * The live update of second `seq`: the shards' snapshots of it merged, added to the live cumulative
 * that the judge evaluates. Undefined when no shard sent it.
 */
function secondUpdate(
  shards: readonly ShardState[],
  seq: number,
  live: { cumulative?: MetricsSnapshot; results: readonly ThresholdResult[] },
  judge: (cumulative: MetricsSnapshot) => ThresholdResult[],
): IntervalUpdate | undefined {
  const merged = mergedSecond(shards, seq);
  if (merged === undefined) return undefined;
  live.cumulative = mergeSome([live.cumulative, merged]);
  const evs = eventsOf(shards, seq);
  const point = pointOf(shards, seq, merged);
  if (live.cumulative !== undefined) live.results = judge(live.cumulative);
  const rates = evs.map((e) => e.targetRate).filter((x): x is number => x !== undefined);
  const vus = evs.map((e) => e.targetVus).filter((x): x is number => x !== undefined);
  return {
    offsetMs: point.t * 1000,
    phase: point.phase,
    interval: merged,
    cumulative: live.cumulative ?? merged,
    point,
    thresholds: live.results,
    // Every shard reports the plan's global rate; VU targets are shares and add up.
    ...(rates.length > 0 ? { targetRate: rates[0] as number } : {}),
    ...(vus.length > 0 ? { targetVus: vus.reduce((a, b) => a + b, 0) } : {}),
  };
}

/** Takes one event of a shard into its state. */
function takeEvent(
  s: ShardState,
  e: ShardEvent,
  c: { firstSeen: Map<number, number>; live: { cumulative?: MetricsSnapshot; nextSeq: number }; finished: boolean; now: number; startOutputs: (i: RunInfo) => Promise<void> },
): Accepted {
  switch (e.kind) {
    case 'heartbeat':
      return 'accepted';
    case 'start':
      if (s.started) return 'duplicate';
      s.started = true;
      s.startedAt = e.info.startedAt;
      void c.startOutputs(e.info);
      return 'accepted';
    case 'interval':
      s.started = true;
      if (s.intervals.has(e.seq)) return 'duplicate';
      s.intervals.set(e.seq, e);
      if (!c.firstSeen.has(e.seq)) c.firstSeen.set(e.seq, c.now);
      // A second already shown live: it still counts in the live cumulative and the report.
      if (e.seq < c.live.nextSeq && !c.finished) {
        const d = snapshotOf(s, e.seq);
        if (d) c.live.cumulative = mergeSome([c.live.cumulative, d]);
      }
      return 'accepted';
    case 'end':
      s.started = true;
      if (s.end !== undefined) return 'duplicate';
      s.end = e;
      return 'accepted';
  }
}

/** Marks the shards silent for too long lost. */
function markSilent(
  shards: readonly ShardState[],
  now: number,
  c: { lostAfterMs: number; firstWithin: number; lostWhy: Map<number, string>; warn: (m: string) => void },
): void {
  for (const s of shards) {
    if (s.end !== undefined || s.lost) continue;
    const silentFor = now - s.lastSeen;
    const limit = s.started || s.host !== '' ? c.lostAfterMs : c.firstWithin;
    if (silentFor <= limit) continue;
    s.lost = true;
    c.lostWhy.set(s.id.index, s.host === '' ? `never heard from within ${limit / 1000} s` : `no heartbeat for ${Math.round(silentFor / 100) / 10} s`);
    c.warn(
      s.host === ''
        ? `shard ${shardName(s.id)} lost: never heard from within ${limit} ms`
        : `shard ${shardName(s.id)} (${s.host}) lost: no heartbeat for ${Math.round(silentFor)} ms; what it sent is merged`,
    );
  }
}

/**
 * The next second to show live from `next` on, or undefined when it is not due yet: a second is
 * due once every running shard sent it (or a later one), or `flushAfterMs` after the first did. A
 * second nobody sent is skipped (returned, with nothing to flush) only when a later one exists
 * and every running shard is past it.
 */
function dueSecond(shards: readonly ShardState[], firstSeen: ReadonlyMap<number, number>, next: number, now: number, flushAfterMs: number): number | undefined {
  const seen = firstSeen.get(next);
  if (seen === undefined) {
    const anyLater = [...firstSeen.keys()].some((k) => k > next);
    if (!anyLater || shards.some((s) => running(s) && !hasAtLeast(s, next))) return undefined;
    return next;
  }
  const ready = shards.every((s) => !running(s) || hasAtLeast(s, next)) || now - seen >= flushAfterMs;
  return ready ? next : undefined;
}
