/** Messages between the main thread and its worker threads (structured-cloned, plain data). */
import type { Plan } from '../../scenario/plan.js';
import type { ShardEvent, ShardId } from '../protocol.js';

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
}

/** Main thread → worker: start the Run at `at` (epoch ms, the same for every worker), or stop it. */
export type ToWorker = { readonly type: 'start'; readonly at: number } | { readonly type: 'abort'; readonly reason: string };

/** Worker → main thread. */
export type FromWorker =
  /** Loaded and waiting for `start`. */
  | { readonly type: 'ready' }
  | { readonly type: 'event'; readonly event: ShardEvent }
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'done'; readonly emitErrors: number }
  | { readonly type: 'error'; readonly message: string };
