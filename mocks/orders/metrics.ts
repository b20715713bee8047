/**
 * The orders service's Prometheus metrics, registered on the shared registry. Registering twice on
 * one registry (a service and its in-process worker, or two services in one test) reuses the metric.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

/** Producer breaker state as a number: 0 closed, 1 half-open, 2 open. */
export type BreakerStateValue = 0 | 1 | 2;

/** The metric handles the orders code records into. */
export interface OrdersMetrics {
  /** `rampart_mocks_orders_produced_total`: jobs acknowledged by Kafka. */
  readonly produced: Counter;
  /** `rampart_mocks_orders_produce_failures_total{reason}`: sends that did not reach Kafka (timeout, open, error). */
  readonly produceFailures: Counter<'reason'>;
  /** `rampart_mocks_orders_consumed_total`: messages a worker took from Kafka. */
  readonly consumed: Counter;
  /** `rampart_mocks_orders_done_total`: jobs that became done. */
  readonly done: Counter;
  /** `rampart_mocks_orders_failed_total`: jobs that became failed. */
  readonly failed: Counter;
  /** `rampart_mocks_orders_redelivered_total`: messages for jobs already finished, skipped. */
  readonly redelivered: Counter;
  /** `rampart_mocks_orders_unknown_total`: messages for jobs Redis has no record of (never accepted, or expired), skipped. */
  readonly unknown: Counter;
  /** `rampart_mocks_orders_malformed_total`: messages that are not jobs, skipped. */
  readonly malformed: Counter;
  /** `rampart_mocks_orders_processing_seconds`: claim to done/failed. */
  readonly processingSeconds: Histogram;
  /** `rampart_mocks_orders_consumer_lag{partition}`: high watermark minus the group's committed offset. */
  readonly consumerLag: Gauge<'partition'>;
  /** `rampart_mocks_orders_producer_breaker_state`: 0 closed, 1 half-open, 2 open. */
  readonly breakerState: Gauge;
}

function counter<L extends string>(reg: Registry, name: string, help: string, labelNames: L[] = []): Counter<L> {
  const existing = reg.getSingleMetric(name);
  if (existing !== undefined) return existing as Counter<L>;
  return new Counter<L>({ name, help, labelNames, registers: [reg] });
}

function gauge<L extends string>(reg: Registry, name: string, help: string, labelNames: L[] = []): Gauge<L> {
  const existing = reg.getSingleMetric(name);
  if (existing !== undefined) return existing as Gauge<L>;
  return new Gauge<L>({ name, help, labelNames, registers: [reg] });
}

/** The orders metrics on `registry`, created on first use. */
export function ordersMetrics(registry: Registry): OrdersMetrics {
  const existingHist = registry.getSingleMetric('rampart_mocks_orders_processing_seconds');
  const processingSeconds =
    existingHist !== undefined
      ? (existingHist as Histogram)
      : new Histogram({
          name: 'rampart_mocks_orders_processing_seconds',
          help: 'Time from a worker claiming an order job to its done or failed status, in seconds.',
          buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5],
          registers: [registry],
        });
  return {
    produced: counter(registry, 'rampart_mocks_orders_produced_total', 'Order jobs acknowledged by Kafka (acks=all).'),
    produceFailures: counter(registry, 'rampart_mocks_orders_produce_failures_total', 'Order jobs not produced, by reason (timeout, open, error).', ['reason']),
    consumed: counter(registry, 'rampart_mocks_orders_consumed_total', 'Order messages taken from Kafka by a worker.'),
    done: counter(registry, 'rampart_mocks_orders_done_total', 'Order jobs that became done.'),
    failed: counter(registry, 'rampart_mocks_orders_failed_total', 'Order jobs that became failed.'),
    redelivered: counter(registry, 'rampart_mocks_orders_redelivered_total', 'Order messages for already finished jobs, skipped.'),
    unknown: counter(registry, 'rampart_mocks_orders_unknown_total', 'Order messages for jobs with no record in Redis (never accepted, or expired), skipped.'),
    malformed: counter(registry, 'rampart_mocks_orders_malformed_total', 'Messages on the orders topic that are not order jobs, skipped.'),
    processingSeconds,
    consumerLag: gauge(registry, 'rampart_mocks_orders_consumer_lag', 'Messages on the orders topic not yet committed by the worker group, per partition.', ['partition']),
    breakerState: gauge(registry, 'rampart_mocks_orders_producer_breaker_state', 'The order producer circuit breaker: 0 closed, 1 half-open, 2 open.'),
  };
}
