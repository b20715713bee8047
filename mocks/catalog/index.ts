import type { FastifyInstance } from 'fastify';
import { buildMocks, type BuildMocksOptions } from '../app.js';

export { catalogPlugin, type CatalogPluginOptions } from './plugin.js';
export { CacheAside, type CacheResult } from './cache.js';
export { Origin, makeProduct, type Product, type ProductPage } from './origin.js';

/** An app serving the catalog alone (plus health, metrics, admin), ready for `inject()`. */
export function build(opts: BuildMocksOptions = {}): Promise<FastifyInstance> {
  return buildMocks({ ...opts, config: { ...opts.config, services: ['catalog'] } });
}
