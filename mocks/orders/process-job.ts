/**
 * What a worker does with one job, independent of Kafka: claim it in Redis, do the (simulated)
 * work, record done or failed. Idempotent by job id, so at-least-once delivery is safe: a message
 * delivered again for a finished job is skipped, and one for a job another worker holds waits for
 * that worker (or for its lease to pass, if it died).
 */
import { randomUUID } from 'node:crypto';
import type { OrderJob } from './job.js';
import type { OrdersMetrics } from './metrics.js';
import type { StatusStore } from './status-store.js';

/** What became of one delivery. */
export type ProcessOutcome = 'done' | 'failed' | 'skipped' | 'unknown' | 'lost-lease';

/** Dependencies and knobs of {@link processJob}. */
export interface ProcessDeps {
  readonly store: StatusStore;
  readonly metrics: OrdersMetrics;
  /** Identifies this worker in claims (a unique suffix is added per claim). */
  readonly workerId: string;
  /** Simulated work, ms. */
  readonly workMs: number;
  /** Share of jobs that fail, 0..1. */
  readonly failureRate: number;
  /** Claim lease, ms. */
  readonly leaseMs: number;
  /** How often to look again at a job another worker holds, ms. Default 100. */
  readonly busyPollMs?: number;
  /** False once the worker is stopping: a job held elsewhere is then left for redelivery. */
  readonly isRunning?: () => boolean;
  /** 0 ≤ x < 1; default Math.random. */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A delivery abandoned because the worker is stopping; the message is not committed. */
export class StoppingError extends Error {
  override readonly name = 'StoppingError';
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Processes one delivery of `job`. Throws (and so leaves the message uncommitted, to be delivered
 * again) when Redis fails or the worker stops while another worker holds the job.
 */
export async function processJob(job: OrderJob, deps: ProcessDeps): Promise<ProcessOutcome> {
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  const isRunning = deps.isRunning ?? (() => true);
  const owner = `${deps.workerId}:${randomUUID()}`;
  for (;;) {
    const claim = await deps.store.claim(job.jobId, owner, deps.leaseMs);
    if (claim === 'finished') {
      deps.metrics.redelivered.inc();
      return 'skipped';
    }
    if (claim === 'unknown') {
      deps.metrics.unknown.inc();
      return 'unknown';
    }
    if (claim === 'claimed') break;
    if (!isRunning()) throw new StoppingError(`job ${job.jobId} is held by another worker; left for redelivery`);
    await sleep(deps.busyPollMs ?? 100);
  }
  const started = performance.now();
  if (deps.workMs > 0) await sleep(deps.workMs);
  const outcome = random() < deps.failureRate ? 'failed' : 'done';
  const recorded = await deps.store.finish(job.jobId, owner, outcome, outcome === 'failed' ? 'simulated processing failure' : '');
  if (!recorded) return 'lost-lease';
  deps.metrics.processingSeconds.observe((performance.now() - started) / 1000);
  (outcome === 'done' ? deps.metrics.done : deps.metrics.failed).inc();
  return outcome;
}
