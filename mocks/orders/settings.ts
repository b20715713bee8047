/**
 * Settings of the orders service and its worker, with their defaults in one place.
 */

/** Parts of the service that can be deliberately broken, for negative tests. */
export type OrdersBreakable = 'consumer';

/** What the orders service and its worker can be told; every field has a default. */
export interface OrdersSettings {
  /** Kafka topic the jobs are produced to. Default `rampart.orders`. */
  readonly topic: string;
  /** Partitions of the topic when the service creates it. Default 3. */
  readonly partitions: number;
  /** Consumer group of the workers. Default `rampart.orders.workers`. */
  readonly groupId: string;
  /** Kafka client id prefix. Default `rampart-orders`. */
  readonly clientId: string;
  /** Prefix of every Redis key the service writes. Default `rampart:orders:`. */
  readonly keyPrefix: string;
  /** How long a job record lives in Redis after its last change, in seconds. Default 86 400 (one day). */
  readonly jobTtlSeconds: number;
  /** Simulated work per job, in ms. Default 50. */
  readonly workMs: number;
  /** Share of jobs that end `failed`, 0..1. Default 0. */
  readonly failureRate: number;
  /** Jobs a worker processes at once (per batch). Default 16. */
  readonly concurrency: number;
  /**
   * How long a worker's claim on a job lasts before another worker may take it over, in ms.
   * Must exceed the work time by a wide margin. Default 30 000.
   */
  readonly leaseMs: number;
  /** The producer breaker's per-send timeout, in ms: a send slower than this answers 503. Default 1 000. */
  readonly produceTimeoutMs: number;
  /** How long the producer breaker stays open before a trial send, in ms. Default 2 000. */
  readonly breakerResetMs: number;
  /** Failed share of recent sends that opens the breaker, in percent. Default 50. */
  readonly breakerErrorPercent: number;
  /** Sends in the rolling window (10 s) before the breaker may open on the failed share. Default 3. */
  readonly breakerVolume: number;
  /**
   * Consecutive failed sends that open the breaker whatever the share in the window (so an outage
   * after a long healthy spell is caught at once); 0 turns it off. Default 3.
   */
  readonly breakerTripAfter: number;
  /** Kafka TCP connect timeout, in ms. Default 1 000. */
  readonly connectionTimeoutMs: number;
  /** Kafka request timeout, in ms. Default 2 000. */
  readonly requestTimeoutMs: number;
  /** Consumer-lag sampling period, in ms; 0 turns sampling off. Default 5 000. */
  readonly lagIntervalMs: number;
  /** Run the consumer group inside the HTTP service's process. Default true. */
  readonly inProcessWorker: boolean;
  /** Parts to break on purpose: `consumer` never starts the consumer, so jobs stay queued. Default none. */
  readonly break: readonly OrdersBreakable[];
}

/** The defaults of {@link OrdersSettings}. */
export const defaultOrdersSettings: OrdersSettings = Object.freeze({
  topic: 'rampart.orders',
  partitions: 3,
  groupId: 'rampart.orders.workers',
  clientId: 'rampart-orders',
  keyPrefix: 'rampart:orders:',
  jobTtlSeconds: 86_400,
  workMs: 50,
  failureRate: 0,
  concurrency: 16,
  leaseMs: 30_000,
  produceTimeoutMs: 1_000,
  breakerResetMs: 2_000,
  breakerErrorPercent: 50,
  breakerVolume: 3,
  breakerTripAfter: 3,
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 2_000,
  lagIntervalMs: 5_000,
  inProcessWorker: true,
  break: Object.freeze([]) as readonly OrdersBreakable[],
});

/** Thrown when a setting is out of range; the message names the setting. */
export class OrdersSettingsError extends Error {
  override readonly name = 'OrdersSettingsError';
}

/**
 * Defaults overlaid with `overrides` (undefined fields keep the default), checked and frozen.
 * @throws OrdersSettingsError when a value is out of range.
 */
export function resolveOrdersSettings(overrides: Partial<OrdersSettings> = {}): OrdersSettings {
  const merged: Record<string, unknown> = { ...defaultOrdersSettings };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) merged[k] = v;
  const s = merged as unknown as OrdersSettings;
  const need = (ok: boolean, what: string): void => {
    if (!ok) throw new OrdersSettingsError(`orders setting ${what}`);
  };
  need(typeof s.topic === 'string' && /^[A-Za-z0-9._-]{1,249}$/.test(s.topic), `topic must be a Kafka topic name, got ${JSON.stringify(s.topic)}`);
  need(typeof s.groupId === 'string' && s.groupId.length > 0, 'groupId must be a non-empty string');
  need(typeof s.keyPrefix === 'string', 'keyPrefix must be a string');
  need(Number.isInteger(s.partitions) && s.partitions >= 1, `partitions must be an integer ≥ 1, got ${s.partitions}`);
  need(Number.isInteger(s.jobTtlSeconds) && s.jobTtlSeconds >= 1, `jobTtlSeconds must be an integer ≥ 1, got ${s.jobTtlSeconds}`);
  need(Number.isFinite(s.workMs) && s.workMs >= 0, `workMs must be ≥ 0, got ${s.workMs}`);
  need(Number.isFinite(s.failureRate) && s.failureRate >= 0 && s.failureRate <= 1, `failureRate must be within 0..1, got ${s.failureRate}`);
  need(Number.isInteger(s.concurrency) && s.concurrency >= 1, `concurrency must be an integer ≥ 1, got ${s.concurrency}`);
  need(Number.isFinite(s.leaseMs) && s.leaseMs > s.workMs, `leaseMs must exceed workMs (${s.workMs}), got ${s.leaseMs}`);
  for (const k of ['produceTimeoutMs', 'breakerResetMs', 'connectionTimeoutMs', 'requestTimeoutMs'] as const) {
    need(Number.isFinite(s[k]) && s[k] > 0, `${k} must be > 0, got ${s[k]}`);
  }
  need(Number.isFinite(s.lagIntervalMs) && s.lagIntervalMs >= 0, `lagIntervalMs must be ≥ 0, got ${s.lagIntervalMs}`);
  need(s.breakerErrorPercent > 0 && s.breakerErrorPercent <= 100, `breakerErrorPercent must be within 1..100, got ${s.breakerErrorPercent}`);
  need(Number.isInteger(s.breakerVolume) && s.breakerVolume >= 0, `breakerVolume must be an integer ≥ 0, got ${s.breakerVolume}`);
  need(Number.isInteger(s.breakerTripAfter) && s.breakerTripAfter >= 0, `breakerTripAfter must be an integer ≥ 0, got ${s.breakerTripAfter}`);
  need(Array.isArray(s.break) && s.break.every((b) => b === 'consumer'), `break may only list "consumer", got ${JSON.stringify(s.break)}`);
  return Object.freeze({ ...s, break: Object.freeze([...s.break]) });
}
