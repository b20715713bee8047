import type { FastifyInstance } from 'fastify';
import { buildMocks, type BuildMocksOptions } from '../app.js';

export { paymentsPlugin, type PaymentsPluginOptions } from './plugin.js';
export { Breaker, type CircuitState, type CircuitStats, type Guarded } from './breaker.js';
export { Upstream, UpstreamError, parseUpstreamSettings, type UpstreamSettings } from './upstream.js';

/** An app serving payments alone (plus health, metrics, admin), ready for `inject()`. */
export function build(opts: BuildMocksOptions = {}): Promise<FastifyInstance> {
  return buildMocks({ ...opts, config: { ...opts.config, services: ['payments'] } });
}
