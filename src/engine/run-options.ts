/** What a Run is given: the plan, its collaborators and its limits (see Run in run.ts). */
import { getHeapStatistics } from 'node:v8';
import type { Plan } from '../scenario/plan.js';
import type { HeldBackReport, Output } from '../report/model.js';
import type { ExternalThresholds } from '../thresholds/judge/types.js';
import type { ShardOfLoad } from './context.js';
import type { Clock, RunRegistry, VuFactory } from './types.js';
import type { WarmUp } from './warm-up.js';
import type { RoomWaiter } from '../http/index.js';

export interface RunOptions {
  readonly plan: Plan;
  readonly registry: RunRegistry;
  readonly createVu: VuFactory;
  readonly outputs?: readonly Output[];
  /** Default: the system clock (epoch ms, monotonic). */
  readonly clock?: Clock;
  /** Seed of the schedule and journey picks; random when absent. */
  readonly seed?: number;
  readonly runId?: string;
  /** Snapshot interval (ms). Default 1000. */
  readonly intervalMs?: number;
  /** rampart's version, for the report. */
  readonly version?: string;
  /** The scenario text (the outputs redact it). */
  readonly scenarioText?: string;
  /**
   * Polled every interval and after each iteration: a reason to end the load early (not an abort:
   * running journeys get the graceful stop, thresholds decide), e.g. a unique data feed ran out.
   */
  readonly stopWhen?: () => string | undefined;
  /** Called for each warning as it happens (they also go into the report). */
  readonly onWarning?: (message: string) => void;
  /**
   * Run only shard `index` of `count` of the load (worker threads, `--shard`); see LoadContext.shard.
   * Every shard must use the same `seed` so they walk one global schedule. Default: the whole load.
   */
  readonly shard?: ShardOfLoad;
  /**
   * Thresholds judged outside the registry (PromQL queries against Prometheus, see
   * src/thresholds/prometheus.ts): the judge starts them with the run (live abortOnFail), their final
   * results join the report's thresholds before the verdict. `final` throwing makes the run fail (exit 3).
   */
  readonly external?: ExternalThresholds;
  /**
   * False for one shard of a merged run (src/distributed/shard-runner.ts): the merge point judges
   * the thresholds and failure bounds; this Run's verdict only says whether it was stopped. Default true.
   */
  readonly judged?: boolean;
  /**
   * This process's heap: used and limit (bytes). Polled every interval: past {@link HEAP_ABORT_FRACTION}
   * of the limit the run stops itself and writes its report (exit 3) rather than die of an
   * out-of-memory crash that writes nothing. Default: V8's heap statistics.
   */
  readonly heap?: () => { readonly used: number; readonly limit: number };
  /**
   * Warms the generator before the load (src/engine/warm-up.ts): the code before the run starts,
   * the target's connections right before the load. Absent: the run starts cold.
   */
  readonly warmUp?: WarmUp;
  /**
   * Started before the load, awaited before the run's clock starts (the Kafka consumers of the
   * scenario's `consume` steps, which read from the end of their topic as of then). Never rejects.
   */
  readonly prepare?: (signal: AbortSignal) => Promise<void>;
  /**
   * The run's limit on requests in flight (src/http/in-flight-limit.ts): closed-model VUs wait for
   * its room before each iteration, and the report says what it held back. Absent: no pacing.
   */
  readonly pacer?: Pacer;
}

/** What the engine uses of the limit on requests in flight (see RunOptions.pacer). */
export interface Pacer {
  /**
   * Before a closed-model iteration: false to start now; true when the VU waits for room, and its
   * `go` is called once there is some (src/http/in-flight-limit.ts).
   */
  park(waiter: RoomWaiter): boolean;
  /** Lets every waiting iteration go (the load is stopping). */
  openAll(): void;
  /**
   * True while an open-model arrival should wait as its due time before its journey starts: the
   * generator's loop is busy and requests already wait for every connection (src/http/in-flight-limit.ts).
   */
  holdsArrivals?(): boolean;
  /** What it held back so far. */
  stats(): HeldBackReport;
}

/** What the run's pacer held back, for the intervals and the report (none without a pacer). */
export function heldBackOf(pacer: Pacer | undefined): { heldBack?: Pacer['stats'] } {
  return pacer !== undefined ? { heldBack: () => pacer.stats() } : {};
}

/** Share of the heap limit at which a run stops itself to keep its report (too many VUs for one process). */
export const HEAP_ABORT_FRACTION = 0.8;

/** V8's heap of this process: used and limit (bytes). */
export const v8Heap = (): { used: number; limit: number } => {
  const h = getHeapStatistics();
  return { used: h.used_heap_size, limit: h.heap_size_limit };
};
