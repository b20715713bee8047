/**
 * One shard of a distributed run, streaming to Kafka: what `rampart run --shard i/N --output
 * kafka://…` and each `--agents` process run. Connects the producer before any load is sent (an
 * unreachable broker is an engine error, exit 3), runs the shard, flushes, disconnects.
 */
import type { Plan } from '../scenario/plan.js';
import type { Output, Report } from '../report/model.js';
import { EngineError } from '../errors.js';
import { runShard } from './shard-runner.js';
import { connectKafkaSink, type KafkaTarget } from './kafka.js';
import type { ShardId } from './protocol.js';
import type { OwnProcess } from '../engine/own-process.js';
import { EXIT, interruptedBy } from '../exit-codes.js';

export interface KafkaShardOptions {
  readonly plan: Plan;
  readonly shard: ShardId;
  readonly runId: string;
  readonly seed: number;
  readonly kafka: KafkaTarget;
  /** Epoch ms at which every shard starts. Default: now. */
  readonly startAt?: number;
  readonly host: string;
  readonly version: string;
  readonly scenarioText?: string;
  readonly log: (line: string) => void;
  readonly onWarning?: (message: string) => void;
  readonly signal?: AbortSignal;
  /** Local outputs of the shard (its live line, its own summary). */
  readonly outputs?: readonly Output[];
  /** Heartbeat period (ms). Default 1000. */
  readonly heartbeatMs?: number;
  /** This process, which the shard owns (src/engine/own-process.ts). */
  readonly ownProcess?: OwnProcess;
}

export interface KafkaShardResult {
  readonly report: Report;
  /**
   * The shard's exit code: 0 when it ran to its end and every event reached Kafka, 130/143 when
   * interrupted, 3 when events were lost on the way (the collector decides the run's verdict).
   */
  readonly exitCode: number;
  readonly emitErrors: readonly Error[];
}

/** Runs one shard streaming to Kafka. Rejects with an EngineError when Kafka cannot be reached. */
export async function runKafkaShard(o: KafkaShardOptions): Promise<KafkaShardResult> {
  let sink;
  try {
    sink = await connectKafkaSink(o.kafka, { clientId: `rampart-shard-${o.shard.index}`, log: o.log });
  } catch (err) {
    throw new EngineError(`cannot reach Kafka at ${o.kafka.brokers.join(',')}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  try {
    const res = await runShard({
      plan: o.plan,
      shard: o.shard,
      runId: o.runId,
      seed: o.seed,
      emit: (e) => sink.emit(e),
      host: o.host,
      log: o.log,
      version: o.version,
      ...(o.startAt !== undefined ? { startAt: o.startAt } : {}),
      ...(o.onWarning !== undefined ? { onWarning: o.onWarning } : {}),
      ...(o.signal !== undefined ? { signal: o.signal } : {}),
      ...(o.outputs !== undefined ? { outputs: o.outputs } : {}),
      ...(o.scenarioText !== undefined ? { scenarioText: o.scenarioText } : {}),
      ...(o.heartbeatMs !== undefined ? { heartbeatMs: o.heartbeatMs } : {}),
      ...(o.ownProcess !== undefined ? { ownProcess: o.ownProcess } : {}),
    });
    const interrupted = interruptedBy(res.report.exitCode) !== undefined ? res.report.exitCode : undefined;
    const exitCode = interrupted ?? (res.emitErrors.length > 0 ? EXIT.ENGINE : EXIT.OK);
    if (res.emitErrors.length > 0) o.onWarning?.(`${res.emitErrors.length} events did not reach Kafka (first: ${res.emitErrors[0]?.message ?? ''})`);
    return { report: res.report, exitCode, emitErrors: res.emitErrors };
  } finally {
    await sink.close();
  }
}
