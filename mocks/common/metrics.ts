import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prefix of every metric the mocks register. */
export const METRIC_PREFIX = 'rampart_mocks_';

/** The app-wide metrics; each service adds its own to `registry`. */
export interface MocksMetrics {
  /** One registry per built app — never prom-client's global one. */
  readonly registry: Registry;
  /** `rampart_mocks_http_request_duration_seconds{method,route,status}`. */
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
}

/**
 * A fresh registry with the request-latency histogram and (optionally) Node process metrics.
 * Safe to call many times in one process: nothing is global.
 */
export function createMetrics(opts: { processMetrics?: boolean } = {}): MocksMetrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const httpDuration = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'Request latency by route template (seconds)',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return { registry, httpDuration };
}
