/** Messages between the main thread and its worker threads (structured-cloned, plain data). */
import type { Plan } from '../../scenario/plan.js';
import type { ShardEvent, ShardId } from '../../distributed/protocol.js';

/** What a worker is started with (its `workerData.job`). */
export interface WorkerJob {
  readonly plan: Plan;
  readonly shard: ShardId;
  readonly runId: string;
  readonly seed: number;
  readonly version: string;
  readonly scenarioText?: string;
  /** Snapshot interval (ms). */
  readonly intervalMs: number;
  /** Heartbeat period (ms). */
  readonly heartbeatMs: number;
  /** Epoch ms at which every worker starts its Run. */
  readonly startAt: number;
}

/** Main thread → worker. */
export type ToWorker = { readonly type: 'abort'; readonly reason: string };

/** Worker → main thread. */
export type FromWorker =
  | { readonly type: 'event'; readonly event: ShardEvent }
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'done'; readonly emitErrors: number }
  | { readonly type: 'error'; readonly message: string };
