/**
 * Turns the events of N shards into one run: per-second interval snapshots merged exactly
 * (mergeSnapshots: percentiles of the union), live thresholds and outputs fed as if one process ran
 * the plan, and at the end one Report with one verdict and exit code.
 *
 * Idempotent: an interval is kept once per (shard, seq), a shard's end once per shard, so replayed
 * or duplicated events change nothing. A shard silent for `lostAfterMs` (no heartbeat, no event) and
 * not ended is lost: what it sent is merged, the report names it, and the exit code is 4.
 */
import { cpus, hostname } from 'node:os';
import type { Plan } from '../scenario/plan.js';
import type { GeneratorHealth, IntervalUpdate, Output, Report, RunInfo, ThresholdResult, TimelinePoint } from '../report/model.js';
import type { MetricsSnapshot } from '../metrics/types.js';
import { decodeSnapshot, mergeAll } from '../metrics/index.js';
import { evaluateThresholds } from '../thresholds/evaluate.js';
import { judgeFailures } from '../thresholds/failure-bounds.js';
import { createLiveEvaluator, type AbortRequest } from '../thresholds/live.js';
import { buildReport } from '../report/build-report.js';
import { OutputFanout } from '../engine/outputs.js';
import { timelinePoint } from '../engine/timeline.js';
import { decideVerdict, exitCodeFor } from '../engine/verdict.js';
import { systemClock, type Clock } from '../engine/types.js';
import type { ExternalThresholdsFactory } from '../engine/run.js';
import { shardName, type EndEvent, type IntervalEvent, type ShardEvent, type ShardId } from './protocol.js';
import { EXIT, interruptedBy } from '../exit-codes.js';

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

interface ShardState {
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
  const firstWithin = o.firstEventWithinMs ?? 60_000;
  const flushAfterMs = o.flushAfterMs ?? 1500;
  const createdAt = clock.now();
  const warnings: string[] = [];
  const warn = (m: string): void => {
    if (warnings.includes(m)) return;
    warnings.push(m);
    o.onWarning?.(m);
  };
  const fanout = new OutputFanout(o.outputs ?? [], warn);
  const shards: ShardState[] = Array.from({ length: o.shards }, (_, index) => ({
    id: { index, count: o.shards },
    host: '',
    lastSeen: createdAt,
    started: false,
    intervals: new Map(),
    decoded: new Map(),
    lost: false,
  }));
  let info: RunInfo | undefined;
  let outputsStarted: Promise<void> | undefined;
  let nextSeq = 1;
  const firstSeen = new Map<number, number>();
  let liveCumulative: MetricsSnapshot | undefined;
  let live: ReturnType<typeof createLiveEvaluator> | undefined;
  let liveResults: readonly ThresholdResult[] = [];
  let thresholdAbort: AbortRequest | undefined;
  let finished = false;
  const lostWhy = new Map<number, string>();

  const snapshotOf = (s: ShardState, seq: number): MetricsSnapshot | undefined => {
    let d = s.decoded.get(seq);
    const ev = s.intervals.get(seq);
    if (d === undefined && ev !== undefined) {
      d = decodeSnapshot(ev.snapshot);
      s.decoded.set(seq, d);
    }
    return d;
  };

  const external = o.external?.(warn);
  let externalStarted = false;
  const startOutputs = (i: RunInfo): Promise<void> => {
    info ??= { ...i, runId: o.runId };
    if (external !== undefined && !externalStarted) {
      externalStarted = true;
      external.start(info.startedAt, (a) => {
        if (thresholdAbort !== undefined || finished) return;
        thresholdAbort = a;
        o.onAbort?.(`threshold ${a.key}: ${a.expression} failed (${a.message})`);
      });
    }
    outputsStarted ??= fanout.start(info);
    return outputsStarted;
  };

  /** The merged timeline point of one second, from the shards that sent it. */
  const pointOf = (seq: number, merged: MetricsSnapshot): TimelinePoint => {
    const evs = shards.map((s) => s.intervals.get(seq)).filter((e): e is IntervalEvent => e !== undefined);
    const first = evs[0];
    const vus = evs.reduce((n, e) => n + e.point.vus, 0);
    const planned = first?.point.planned;
    const t = Math.max(...evs.map((e) => e.offsetMs)) / 1000;
    return timelinePoint(merged, t, first?.phase ?? '', vus, planned);
  };

  const mergedSecond = (seq: number): MetricsSnapshot | undefined =>
    mergeAll(shards.map((s) => snapshotOf(s, seq)).filter((x): x is MetricsSnapshot => x !== undefined));

  const running = (s: ShardState): boolean => s.started && s.end === undefined && !s.lost;

  const flush = (seq: number): void => {
    const merged = mergedSecond(seq);
    if (merged === undefined) return;
    liveCumulative = mergeAll([liveCumulative, merged].filter((x): x is MetricsSnapshot => x !== undefined));
    const evs = shards.map((s) => s.intervals.get(seq)).filter((e): e is IntervalEvent => e !== undefined);
    const point = pointOf(seq, merged);
    const now = clock.now();
    if (info !== undefined && liveCumulative !== undefined) {
      live ??= createLiveEvaluator(o.plan.thresholds, { startMs: info.startedAt });
      const res = live.update(liveCumulative, now);
      liveResults = res.results;
      if (res.abort && thresholdAbort === undefined) {
        thresholdAbort = res.abort;
        o.onAbort?.(`threshold ${res.abort.key}: ${res.abort.expression} failed (${res.abort.message})`);
      }
    }
    const rates = evs.map((e) => e.targetRate).filter((x): x is number => x !== undefined);
    const vus = evs.map((e) => e.targetVus).filter((x): x is number => x !== undefined);
    const update: IntervalUpdate = {
      offsetMs: point.t * 1000,
      phase: point.phase,
      interval: merged,
      cumulative: liveCumulative ?? merged,
      point,
      thresholds: liveResults,
      // Every shard reports the plan's global rate; VU targets are shares and add up.
      ...(rates.length > 0 ? { targetRate: rates[0] as number } : {}),
      ...(vus.length > 0 ? { targetVus: vus.reduce((a, b) => a + b, 0) } : {}),
    };
    fanout.interval(update);
  };

  const agg: Aggregator = {
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
      switch (e.kind) {
        case 'heartbeat':
          return 'accepted';
        case 'start':
          if (s.started) return 'duplicate';
          s.started = true;
          s.startedAt = e.info.startedAt;
          void startOutputs(e.info);
          return 'accepted';
        case 'interval':
          s.started = true;
          if (s.intervals.has(e.seq)) return 'duplicate';
          s.intervals.set(e.seq, e);
          if (!firstSeen.has(e.seq)) firstSeen.set(e.seq, clock.now());
          // A second already shown live: it still counts in the live cumulative and the report.
          if (e.seq < nextSeq && finished === false) {
            const d = snapshotOf(s, e.seq);
            if (d) liveCumulative = mergeAll([liveCumulative, d].filter((x): x is MetricsSnapshot => x !== undefined));
          }
          return 'accepted';
        case 'end':
          s.started = true;
          if (s.end !== undefined) return 'duplicate';
          s.end = e;
          return 'accepted';
      }
    },

    async poll(): Promise<void> {
      const now = clock.now();
      for (const s of shards) {
        if (s.end !== undefined || s.lost) continue;
        const silentFor = now - s.lastSeen;
        const limit = s.started || s.host !== '' ? lostAfterMs : firstWithin;
        if (silentFor > limit) {
          s.lost = true;
          lostWhy.set(s.id.index, s.host === '' ? `never heard from within ${limit / 1000} s` : `no heartbeat for ${Math.round(silentFor / 100) / 10} s`);
          warn(
            s.host === ''
              ? `shard ${shardName(s.id)} lost: never heard from within ${limit} ms`
              : `shard ${shardName(s.id)} (${s.host}) lost: no heartbeat for ${Math.round(silentFor)} ms; what it sent is merged`,
          );
        }
      }
      if (outputsStarted) await outputsStarted;
      for (;;) {
        const seen = firstSeen.get(nextSeq);
        const anyLater = [...firstSeen.keys()].some((k) => k > nextSeq);
        if (seen === undefined) {
          // Nobody sent this second (yet): skip it only when a later one exists and is due.
          if (!anyLater || shards.some((s) => running(s) && !hasAtLeast(s, nextSeq))) break;
          nextSeq++;
          continue;
        }
        const ready = shards.every((s) => !running(s) || hasAtLeast(s, nextSeq)) || now - seen >= flushAfterMs;
        if (!ready) break;
        flush(nextSeq);
        nextSeq++;
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
      const now = clock.now();
      const perShard = shards.map((s) => {
        if (s.end !== undefined) return decodeSnapshot(s.end.cumulative);
        return mergeAll([...s.intervals.keys()].map((k) => snapshotOf(s, k) as MetricsSnapshot));
      });
      const cumulative = mergeAll(perShard.filter((x): x is MetricsSnapshot => x !== undefined)) ?? { startMs: createdAt, endMs: now, series: [] };
      const ends = shards.map((s) => s.end).filter((e): e is EndEvent => e !== undefined);
      const startedAt = Math.min(...shards.map((s) => s.end?.startedAt ?? s.startedAt ?? Infinity), cumulative.startMs);
      const endedAt = Math.max(...ends.map((e) => e.endedAt), cumulative.endMs);
      await startOutputs(
        info ?? { runId: o.runId, scenarioName: o.plan.name, target: o.plan.target, startedAt, phases: [] },
      );
      const seqs = [...new Set(shards.flatMap((s) => [...s.intervals.keys()]))].sort((a, b) => a - b);
      const timeline = seqs.map((q) => pointOf(q, mergedSecond(q) as MetricsSnapshot));
      const lostShards = shards.filter((s) => s.lost);
      for (const e of ends) {
        for (const w of e.warnings) {
          const m = `shard ${shardName(e.shard)}: ${w}`;
          if (o.shardWarningsSaid !== true) warn(m);
          else if (!warnings.includes(m)) warnings.push(m);
        }
      }
      let externalResults: readonly ThresholdResult[] = [];
      if (external !== undefined) {
        await external.stop();
        externalResults = await external.final(startedAt, endedAt);
      }
      const thresholds = markAbort([...evaluateThresholds(o.plan.thresholds, cumulative), ...externalResults], thresholdAbort);
      const byReason = ends.find((e) => interruptedBy(e.exitCode) !== undefined);
      const aborted = ends.find((e) => e.verdict === 'aborted');
      const setupFailed = ends.find((e) => e.abortReason?.startsWith('setup failed') === true);
      const failures = judgeFailures(o.plan, cumulative);
      for (const w of failures.warnings) warn(w);
      let verdict = decideVerdict({ thresholdAbort: thresholdAbort !== undefined, aborted: aborted !== undefined, setupFailed: setupFailed !== undefined, thresholds, tooManyFailures: failures.failed });
      // A shard whose Run stopped itself short of memory ended aborted with exit 3: so does the merged run.
      const shortOfMemory = ends.some((e) => e.verdict === 'aborted' && e.exitCode === EXIT.ENGINE);
      let exitCode = exitCodeFor(verdict, byReason ? interruptedBy(byReason.exitCode) : shortOfMemory ? 'memory' : undefined);
      let abortReason = thresholdAbort
        ? `threshold ${thresholdAbort.key}: ${thresholdAbort.expression} failed (${thresholdAbort.message})`
        : (aborted?.abortReason ?? setupFailed?.abortReason);
      if (lostShards.length > 0) {
        verdict = 'aborted';
        exitCode = EXIT.SHARD_LOST;
        const names = lostShards
          .map((s) => `shard ${shardName(s.id)}${s.host ? ` (${s.host})` : ''} (${lostWhy.get(s.id.index) ?? `no heartbeat for ${lostAfterMs / 1000} s`})`)
          .join(', ');
        abortReason = `lost ${names}: what every shard sent is merged`;
      }
      const report = buildReport({
        plan: o.plan,
        version: o.version,
        runId: o.runId,
        startedAt,
        endedAt,
        verdict,
        exitCode,
        ...(abortReason !== undefined ? { abortReason } : {}),
        cumulative,
        thresholds,
        phases: (ends.find((e) => e.shard.index === 0) ?? ends[0])?.phases ?? [],
        timeline,
        generator: mergeHealth(ends.map((e) => e.generator)),
        warnings: [...warnings],
        environment: { node: process.version, platform: `${process.platform}-${process.arch}`, host: hostname(), cpus: cpus().length, workers: o.shards },
        ...(o.scenarioText !== undefined ? { scenarioText: o.scenarioText } : {}),
      });
      await fanout.end(report);
      return report;
    },
  };
  return agg;

  function hasAtLeast(s: ShardState, seq: number): boolean {
    for (const k of s.intervals.keys()) if (k >= seq) return true;
    return false;
  }
}

function markAbort(results: ThresholdResult[], ab: AbortRequest | undefined): ThresholdResult[] {
  if (!ab) return results;
  return results.map((r) => (r.key === ab.key && r.expression === ab.expression ? { ...r, passed: false, aborted: true } : r));
}

/**
 * The generator health of the whole run: counts add up, lag is the worst shard's; GC pauses add up
 * (the longest is the worst shard's); the warm-up took as long as the slowest shard's.
 */
export function mergeHealth(hs: readonly GeneratorHealth[]): GeneratorHealth {
  const gcs = hs.flatMap((h) => (h.gc !== undefined ? [h.gc] : []));
  const warm = hs.flatMap((h) => (h.warmUp !== undefined ? [h.warmUp] : []));
  return {
    lateArrivals: hs.reduce((n, h) => n + h.lateArrivals, 0),
    droppedArrivals: hs.reduce((n, h) => n + h.droppedArrivals, 0),
    eventLoopLagP99Ms: Math.max(0, ...hs.map((h) => h.eventLoopLagP99Ms)),
    eventLoopLagMaxMs: Math.max(0, ...hs.map((h) => h.eventLoopLagMaxMs)),
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
          },
        }
      : {}),
  };
}
