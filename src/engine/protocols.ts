/**
 * The protocol clients of one process (src/kafka, src/redis) for a plan: made only for the blocks
 * the scenario has, started before the load ({@link ProcessProtocols.prepare}: each consumed topic's
 * consumer reads from the end of the topic as of then), closed with the run.
 */
import { KafkaHub } from '../kafka/hub.js';
import { RedisHub } from '../redis/client.js';
import type { ProtocolClients } from '../journey/protocol-steps.js';
import type { MetricsSink } from '../metrics/types.js';
import { METRIC } from '../metrics/catalogue.js';
import type { Plan, Step } from '../scenario/plan.js';
import { loadModels } from '../scenario/plan.js';
import { loadWebSocketSupport } from '../http/index.js';

export interface ProcessProtocols {
  readonly clients: ProtocolClients;
  /** Starts the consumers and the producer; never rejects (failures fail the steps concerned). */
  prepare(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** Every step of the plan (journeys, setup, teardown, phase hooks), nested ones included. */
export function* allSteps(plan: Plan): Generator<Step> {
  const walk = function* (steps: readonly Step[]): Generator<Step> {
    for (const s of steps) {
      yield s;
      if (s.kind === 'loop' || s.kind === 'group') yield* walk(s.steps);
      else if (s.kind === 'if') {
        yield* walk(s.then);
        yield* walk(s.else);
      }
    }
  };
  for (const j of plan.journeys) yield* walk(j.steps);
  yield* walk(plan.setup);
  yield* walk(plan.teardown);
  for (const m of loadModels(plan.load)) {
    for (const p of m.model === 'open' ? m.phases : m.stages) {
      yield* walk(p.onStart);
      yield* walk(p.onEnd);
    }
  }
}

export function createProcessProtocols(plan: Plan, opts: { readonly sink: MetricsSink; readonly log: (line: string) => void }): ProcessProtocols {
  const topics = new Set<string>();
  let produces = false;
  let webSockets = false;
  for (const s of allSteps(plan)) {
    if (s.kind === 'ws') webSockets = true;
    if (s.kind !== 'kafka') continue;
    if (s.action.op === 'consume') topics.add(s.action.topic);
    else produces = true;
  }
  const kafka =
    plan.kafka !== undefined && (topics.size > 0 || produces)
      ? new KafkaHub(plan.kafka, { log: opts.log, onDropped: (topic) => opts.sink.counter(METRIC.kafkaDropped, { topic }, 'count').add(1) })
      : undefined;
  const redis = plan.redis !== undefined ? new RedisHub(plan.redis) : undefined;
  return {
    clients: { ...(kafka !== undefined ? { kafka } : {}), ...(redis !== undefined ? { redis } : {}) },
    prepare: async (signal) => {
      // Loaded here, the WebSocket code's ~100 ms land before the load, not in the first handshake.
      if (webSockets) loadWebSocketSupport();
      await Promise.all([kafka?.prepare([...topics], produces, signal), redis?.prepare()]);
    },
    close: async () => {
      await Promise.all([kafka?.close(), redis?.close()]);
    },
  };
}
