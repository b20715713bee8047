/** What a virtual user is given and what it offers (vu.ts builds it). */
import type { HttpClient } from '../http/types.js';
import type { MetricsSink } from '../metrics/types.js';
import type { JourneyPlan, Plan, Step } from '../scenario/plan.js';
import type { DataFeeds } from './data-feeds.js';
import type { ProtocolClients } from './protocol-steps.js';
import type { VuShared } from './shared.js';

export type IterationOutcome = 'completed' | 'failed' | 'interrupted';

export interface VuOptions {
  readonly plan: Plan;
  /** 1-based VU id (`{{ vu.id }}`). */
  readonly id: number;
  /** The shared client (`connectionPolicy: shared`). */
  readonly client?: HttpClient;
  /** Per-VU connections (`per-vu`): called once, on the first request; closed by vu.close(). */
  readonly clientFactory?: () => HttpClient;
  readonly sink: MetricsSink;
  readonly data: DataFeeds;
  /** Setup captures over plan.variables. */
  readonly globals: Readonly<Record<string, unknown>>;
  /** The current phase/stage name: the `phase` tag. */
  readonly phase: () => string;
  /** Uniform in [0, 1). */
  readonly random: () => number;
  /** Aborting interrupts the VU: waits end, requests are aborted, the iteration is `interrupted`. */
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
  /** Caches shared by the VUs of a process; a private one when absent. */
  readonly shared?: VuShared;
  /** The process's Kafka and Redis clients (`kafka` and `redis` steps). */
  readonly protocols?: ProtocolClients;
}

export interface Vu {
  readonly id: number;
  /**
   * Runs one iteration of a journey. `scheduledAtMs` (epoch ms, open model): when the arrival was
   * due; the journey's first request then also records http.latency_scheduled from that instant.
   * Never rejects.
   */
  runIteration(journey: JourneyPlan, scheduledAtMs?: number): Promise<IterationOutcome>;
  /**
   * Runs hook steps (setup, teardown, phase onStart/onEnd) with fresh variables and returns the
   * variables they captured or set. Rejects with HookFailedError when a step fails.
   */
  runSteps(steps: readonly Step[]): Promise<Record<string, unknown>>;
  /** Closes the VU's own connections (per-vu policy). */
  close(): Promise<void>;
}

/** A hook step failed (expectation, capture, transport error, render error). */
export class HookFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HookFailedError';
  }
}

/**
 * Minimum gap between two failure log lines, ms, over the VUs sharing one VuShared (a failing
 * service must not flood the log); the next line written says how many were skipped.
 */
export const FAILURE_LOG_INTERVAL_MS = 1_000;
