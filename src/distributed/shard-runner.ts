/**
 * Runs one shard of a plan and tells a collector about it: a start event, an interval event each
 * second (the encoded interval snapshot), a heartbeat each `heartbeatMs` (also while setup runs or
 * the event loop is busy between intervals), and an end event carrying the shard's whole cumulative
 * snapshot. Used by worker threads (`--workers`) and by shard processes (`--shard`, `--agents`).
 *
 * The shard does not judge the run: its plan's thresholds are removed, the collector evaluates them
 * on the merged data. Every shard of a run must get the same plan, run id and seed.
 */
import { randomUUID } from 'node:crypto';
import type { Plan } from '../scenario/plan.js';
import type { IntervalUpdate, Output, Report } from '../report/model.js';
import { createRegistry, encodeSnapshot } from '../metrics/index.js';
import { Run } from '../engine/run.js';
import { createRunCollaborators, warmUpGenerator } from '../engine/wire.js';
import type { OwnProcess } from '../engine/own-process.js';
import { sleep, systemClock, type Clock, type RunRegistry } from '../engine/types.js';
import type { MetricsSnapshot } from '../metrics/types.js';
import { PROTOCOL_VERSION, shardName, type ShardEvent, type ShardId } from './protocol.js';

/** Where a shard's events go. A rejected promise is counted and reported, the run goes on. */
export type EventSink = (event: ShardEvent) => void | Promise<void>;

export interface ShardRunOptions {
  readonly plan: Plan;
  readonly shard: ShardId;
  /** Shared by every shard of the run. */
  readonly runId: string;
  /** Shared by every shard of the run: they walk one global schedule with it. */
  readonly seed: number;
  readonly emit: EventSink;
  /** Epoch ms at which the shard's Run starts (all shards of a run: one instant). Default: now. */
  readonly startAt?: number;
  /** Heartbeat period (ms). Default 1000. */
  readonly heartbeatMs?: number;
  /** Names this shard in events (host, pid or thread). */
  readonly host: string;
  /** Where `log` steps write (already a line). */
  readonly log: (line: string) => void;
  readonly onWarning?: (message: string) => void;
  /** Aborting stops the load like a signal does; `signal.reason` (SIGINT, SIGTERM or text) is the reason. */
  readonly signal?: AbortSignal;
  /** Extra local outputs (e.g. the live line of a shard process). */
  readonly outputs?: readonly Output[];
  readonly version: string;
  readonly scenarioText?: string;
  readonly clock?: Clock;
  /** Snapshot interval (ms). Default 1000. */
  readonly intervalMs?: number;
  /** The shard's process, when the shard owns it (a --shard or --agents process; src/engine/own-process.ts). */
  readonly ownProcess?: OwnProcess;
}

export interface ShardResult {
  /** The shard's own report (its share of the load; thresholds are the collector's). */
  readonly report: Report;
  /** Events the sink failed to take. */
  readonly emitErrors: readonly Error[];
}

/** Runs the shard to its end and resolves once every event was handed to the sink. */
export async function runShard(o: ShardRunOptions): Promise<ShardResult> {
  const clock = o.clock ?? systemClock;
  const intervalMs = o.intervalMs ?? 1000;
  const base = { v: PROTOCOL_VERSION, runId: o.runId, shard: o.shard, host: o.host } as const;
  const emitErrors: Error[] = [];
  const pending = new Set<Promise<void>>();
  const send = (e: ShardEvent): void => {
    let r: void | Promise<void>;
    try {
      r = o.emit(e);
    } catch (err) {
      emitErrors.push(asError(err));
      return;
    }
    if (r instanceof Promise) {
      const p = r.catch((err: unknown) => void emitErrors.push(asError(err))).finally(() => pending.delete(p));
      pending.add(p);
    }
  };

  const heartbeat = setInterval(() => send({ ...base, kind: 'heartbeat', at: clock.now() }), o.heartbeatMs ?? 1000);
  try {
    // The code warm-up runs before the wait for the common start, so every shard starts its load on time.
    const warmedUp = o.plan.warmUp ? warmUpGenerator(o.plan, o.signal, o.ownProcess) : undefined;
    await warmedUp?.catch(() => undefined);
    if (o.startAt !== undefined) {
      // Heartbeats while waiting, so a collector started early does not take a waiting shard for lost.
      await sleep(o.startAt - clock.now(), o.signal);
    }
    const late: { run?: Run } = {};
    const registry = createRegistry({ onWarning: (m) => late.run?.addWarning(m) });
    const collab = createRunCollaborators(o.plan, {
      sink: registry,
      log: o.log,
      seed: o.seed,
      partition: o.shard.count > 1 ? o.shard : undefined,
      ...(warmedUp !== undefined ? { warmedUp } : {}),
      ...(o.ownProcess !== undefined ? { ownProcess: o.ownProcess } : {}),
    });
    const relay = shardRelay(base, send, clock, intervalMs);
    const run = new Run({
      plan: o.plan,
      // The merged run is judged where it is merged: its thresholds and its failure bounds.
      judged: false,
      registry: relay.registry(registry),
      createVu: collab.createVu,
      pacer: collab.pacer,
      ...(collab.warmUp !== undefined ? { warmUp: collab.warmUp } : {}),
      prepare: collab.prepare,
      stopWhen: () => {
        const feed = collab.exhausted();
        return feed !== undefined ? `data feed ${feed} has no unique row left in shard ${shardName(o.shard)}` : undefined;
      },
      outputs: [relay.output, ...(o.outputs ?? [])],
      clock,
      seed: o.seed,
      runId: o.runId,
      intervalMs,
      version: o.version,
      shard: o.shard,
      ...(o.onWarning !== undefined ? { onWarning: o.onWarning } : {}),
      ...(o.scenarioText !== undefined ? { scenarioText: o.scenarioText } : {}),
    });
    late.run = run;
    const onAbort = (): void => run.abort(abortReason(o.signal));
    if (o.signal?.aborted === true) onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    let report: Report;
    try {
      report = await run.start();
      relay.sendFinals(report.timeline);
      // Every interval lands before the end (a producer may reorder sends in flight): a collector
      // that reports as soon as the ends arrived then has the whole timeline.
      while (pending.size > 0) await Promise.all([...pending]);
      send({
        ...base,
        kind: 'end',
        at: clock.now(),
        startedAt: Date.parse(report.startedAt),
        endedAt: Date.parse(report.endedAt),
        cumulative: encodeSnapshot(registry.cumulative()),
        verdict: report.verdict,
        exitCode: report.exitCode,
        ...(report.abortReason !== undefined ? { abortReason: report.abortReason } : {}),
        phases: report.phases,
        generator: report.generator,
        warnings: report.warnings,
      });
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
      await collab.close().catch(() => undefined);
      registry.dispose();
    }
    clearInterval(heartbeat);
    while (pending.size > 0) await Promise.all([...pending]);
    return { report, emitErrors };
  } finally {
    clearInterval(heartbeat);
  }
}

/** A fresh run id (for `--workers`; shards of a distributed run share one given to all). */
export function newRunId(): string {
  return randomUUID();
}

function abortReason(signal: AbortSignal | undefined): string {
  const r: unknown = signal?.reason;
  return typeof r === 'string' ? r : 'aborted';
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * The output that relays a shard's Run to the collector: its start, an interval event per interval
 * snapshot, and the final ticks' snapshots (the end of the load, after teardown: they reach no
 * output) sent as the last intervals, so the merged timeline adds up to the merged totals.
 */
function shardRelay(
  base: Pick<ShardEvent, 'v' | 'runId' | 'shard' | 'host'>,
  send: (e: ShardEvent) => void,
  clock: Clock,
  intervalMs: number,
): { output: Output; registry(r: ReturnType<typeof createRegistry>): RunRegistry; sendFinals(timeline: Report['timeline']): void } {
  // The Run's final ticks (the end of the load, after teardown) reach no output: their snapshots
  // are kept and sent as the last intervals, so the merged timeline adds up to the merged totals.
  const unsent: MetricsSnapshot[] = [];
  let lastSeq = 0;
  const sendInterval = (seq: number, u: Pick<IntervalUpdate, 'offsetMs' | 'phase' | 'interval' | 'point' | 'targetRate' | 'targetVus'>): void => {
    lastSeq = seq;
    send({
      ...base,
      kind: 'interval',
      at: clock.now(),
      seq,
      offsetMs: u.offsetMs,
      phase: u.phase,
      snapshot: encodeSnapshot(u.interval),
      point: u.point,
      ...(u.targetRate !== undefined ? { targetRate: u.targetRate } : {}),
      ...(u.targetVus !== undefined ? { targetVus: u.targetVus } : {}),
    });
  };
  /** Sends the final ticks' snapshots with their points, the last ones of `timeline`. */
  const sendFinals = (timeline: Report['timeline']): void => {
    const points = timeline.slice(-unsent.length);
    unsent.forEach((interval, i) => {
      const point = points[i];
      if (point !== undefined) sendInterval(lastSeq + 1, { offsetMs: point.t * 1000, phase: point.phase, interval, point });
    });
    unsent.length = 0;
  };
  const output: Output = {
    name: 'shard',
    start: (info) => send({ ...base, kind: 'start', at: clock.now(), info }),
    interval: (u: IntervalUpdate) => {
      unsent.length = 0;
      sendInterval(Math.max(lastSeq + 1, Math.round(u.offsetMs / intervalMs)), u);
    },
    // An aborted run's report before its teardown closes a (partial) second too.
    provisional: (r) => sendFinals(r.timeline),
  };
  return {
    output,
    sendFinals,
    registry: (registry) => ({
      trend: registry.trend.bind(registry),
      counter: registry.counter.bind(registry),
      rate: registry.rate.bind(registry),
      gauge: registry.gauge.bind(registry),
      cumulative: () => registry.cumulative(),
      takeInterval: () => {
        const snapshot = registry.takeInterval();
        unsent.push(snapshot);
        return snapshot;
      },
    }),
  };
}
