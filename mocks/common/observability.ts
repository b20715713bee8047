import type { FastifyInstance } from 'fastify';
import type { MocksMetrics } from './metrics.js';

/**
 * Records every answered request in the latency histogram (labelled by route template, not URL,
 * so cardinality stays bounded) and serves the registry at `GET /metrics` (Prometheus text).
 * Call on the root instance before any route is added.
 */
export function registerObservability(app: FastifyInstance, metrics: MocksMetrics): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { config: { rateLimit: false } }, async (_req, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(text);
  });
}
