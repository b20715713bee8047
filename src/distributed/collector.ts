/**
 * The collector of a distributed run: consumes the shards' events from Kafka, merges them exactly
 * (src/distributed/aggregator), evaluates the scenario's thresholds on the union, gives the outputs
 * one Report and resolves with it. `rampart collect` and `rampart run --agents` use it.
 */
import type { Plan } from '../scenario/plan.js';
import type { Output, Report } from '../report/model.js';
import { EngineError } from '../errors.js';
import { createAggregator } from './aggregator.js';
import type { ExternalThresholdsFactory } from '../thresholds/judge/types.js';
import { consumeRunEvents, type KafkaTarget } from './kafka.js';

export interface CollectOptions {
  readonly plan: Plan;
  readonly kafka: KafkaTarget;
  readonly runId: string;
  readonly shards: number;
  readonly outputs?: readonly Output[];
  readonly version: string;
  readonly scenarioText?: string;
  /** A started shard silent this long (ms) is lost. Default 5000. */
  readonly lostAfterMs?: number;
  /** A shard never heard from is lost this long (ms) after the collector started. Default 60 000. */
  readonly firstEventWithinMs?: number;
  /** Aborting stops waiting: what arrived is merged and the missing shards are reported lost. */
  readonly signal?: AbortSignal;
  readonly onWarning?: (message: string) => void;
  /** See AggregatorOptions.shardWarningsSaid. */
  readonly shardWarningsSaid?: boolean;
  /** Thresholds judged outside the merged metrics (Prometheus queries); see AggregatorOptions.external. */
  readonly external?: ExternalThresholdsFactory;
  /** Called once when a live abortOnFail threshold fails (`--agents` stops its shard processes). */
  readonly onAbort?: (reason: string) => void;
  /** kafkajs warnings. */
  readonly log?: (line: string) => void;
  /**
   * Called once consuming started (`--agents` launches the shards then) with `lose(index, why)`,
   * which reports a shard lost at once (its process died) unless its end already arrived.
   */
  readonly onReady?: (lose: (index: number, why: string) => void) => void;
}

export interface CollectResult {
  readonly report: Report;
  readonly outputErrors: readonly Error[];
  /** Messages on the topic that were not rampart events. */
  readonly skipped: number;
}

/** Collects one run to its end (every shard ended or lost). Rejects when Kafka cannot be reached. */
export async function collectRun(o: CollectOptions): Promise<CollectResult> {
  const agg = createAggregator({
    plan: o.plan,
    runId: o.runId,
    shards: o.shards,
    version: o.version,
    lostAfterMs: o.lostAfterMs ?? 5000,
    firstEventWithinMs: o.firstEventWithinMs ?? 60_000,
    ...(o.outputs !== undefined ? { outputs: o.outputs } : {}),
    ...(o.scenarioText !== undefined ? { scenarioText: o.scenarioText } : {}),
    ...(o.onWarning !== undefined ? { onWarning: o.onWarning } : {}),
    ...(o.onAbort !== undefined ? { onAbort: o.onAbort } : {}),
    ...(o.shardWarningsSaid !== undefined ? { shardWarningsSaid: o.shardWarningsSaid } : {}),
    ...(o.external !== undefined ? { external: o.external } : {}),
  });
  // The wait between polls ends early when a shard ends or the collector is interrupted, so the
  // report of a run that just ended (a signal, the last shard's end) is written at once.
  let wake: (() => void) | undefined;
  const nap = (ms: number): Promise<void> =>
    new Promise((r) => {
      const t = setTimeout(() => (wake = undefined, r()), ms);
      wake = () => (clearTimeout(t), (wake = undefined), r());
    });
  let source: Awaited<ReturnType<typeof consumeRunEvents>>;
  try {
    source = await consumeRunEvents(
      o.kafka,
      o.runId,
      (e) => {
        agg.accept(e);
        if (e.kind === 'end') wake?.();
      },
      { clientId: 'rampart-collect', ...(o.log !== undefined ? { log: o.log } : {}) },
    );
  } catch (err) {
    throw new EngineError(`cannot read from Kafka at ${o.kafka.brokers.join(',')}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const onAbort = (): void => wake?.();
  o.signal?.addEventListener('abort', onAbort);
  let report: Report;
  try {
    o.onReady?.((index, why) => {
      agg.lose(index, why);
      wake?.();
    });
    while (!agg.done) {
      if (o.signal?.aborted === true) {
        for (let i = 0; i < o.shards; i++) agg.lose(i, 'the collector was interrupted before it ended');
        break;
      }
      await agg.poll();
      await nap(200);
    }
    await agg.poll();
    // The report before the consumer leaves its group: that can take as long as a fetch waits.
    report = await agg.finish();
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    await source.close();
  }
  if (source.skipped > 0) o.onWarning?.(`${source.skipped} messages on ${o.kafka.topic} were not rampart events (skipped)`);
  return { report, outputErrors: agg.outputErrors, skipped: source.skipped };
}
