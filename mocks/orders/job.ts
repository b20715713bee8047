/**
 * The order job: what a client submits, what travels on Kafka, and what Redis records.
 */

/** Lifecycle of a job: queued → processing → done | failed. */
export type JobStatus = 'queued' | 'processing' | 'done' | 'failed';

/** An accepted order as produced to Kafka (the message value, JSON). */
export interface OrderJob {
  /** A UUID chosen by the service; also the Kafka message key. */
  readonly jobId: string;
  /** The product ordered (as the client sent it). */
  readonly productId: string | number;
  /** Quantity, an integer ≥ 1. */
  readonly qty: number;
  /** Optional contact address. */
  readonly email?: string;
  /** When the service accepted the order (ISO 8601). */
  readonly createdAt: string;
}

/** A job's record as `GET /orders/:id` returns it. */
export interface JobRecord extends OrderJob {
  readonly status: JobStatus;
  /** Last status change (ISO 8601). */
  readonly updatedAt: string;
  /** How many times a worker claimed the job (> 1 after a redelivery that found it unfinished). */
  readonly attempts: number;
  /** How many times the job became `done`: 0 or 1, by construction. */
  readonly doneCount: number;
  /** When it reached done or failed (ISO 8601). */
  readonly completedAt?: string;
  /** Why it failed. */
  readonly error?: string;
}

/** A Kafka message value that is not a valid {@link OrderJob}. */
export class MalformedJobError extends Error {
  override readonly name = 'MalformedJobError';
}

/** Serializes a job as the Kafka message value. */
export function encodeJob(job: OrderJob): string {
  return JSON.stringify(job);
}

/**
 * Parses a Kafka message value back into a job.
 * @throws MalformedJobError when the value is missing, not JSON, or lacks a field.
 */
export function decodeJob(value: Buffer | string | null | undefined): OrderJob {
  if (value === null || value === undefined) throw new MalformedJobError('empty message value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch {
    throw new MalformedJobError('message value is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new MalformedJobError('message value is not an object');
  const o = parsed as Record<string, unknown>;
  if (typeof o.jobId !== 'string' || o.jobId.length === 0) throw new MalformedJobError('jobId missing');
  if (typeof o.productId !== 'string' && typeof o.productId !== 'number') throw new MalformedJobError('productId missing');
  if (typeof o.qty !== 'number' || !Number.isInteger(o.qty) || o.qty < 1) throw new MalformedJobError('qty must be an integer ≥ 1');
  if (typeof o.createdAt !== 'string') throw new MalformedJobError('createdAt missing');
  if (o.email !== undefined && typeof o.email !== 'string') throw new MalformedJobError('email must be a string');
  return {
    jobId: o.jobId,
    productId: o.productId,
    qty: o.qty,
    ...(typeof o.email === 'string' ? { email: o.email } : {}),
    createdAt: o.createdAt,
  };
}
