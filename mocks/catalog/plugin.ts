import type { FastifyPluginAsync } from 'fastify';
import { Counter } from 'prom-client';
import type { ServiceContext } from '../common/context.js';
import { METRIC_PREFIX } from '../common/metrics.js';
import { adminGuard } from '../common/admin-auth.js';
import { CacheAside, type CacheResult } from './cache.js';
import { Origin } from './origin.js';

/** Options of the catalog plugin. */
export interface CatalogPluginOptions {
  readonly ctx: ServiceContext;
}

const POSITIVE_INT = /^[1-9][0-9]{0,8}$/;

/**
 * The catalog: `GET /products/:id`, `GET /products?page=&size=` read through a Redis cache-aside
 * (header `x-cache: HIT|MISS|BYPASS`), and `DELETE /cache` (admin-guarded) to flush it.
 */
export const catalogPlugin: FastifyPluginAsync<CatalogPluginOptions> = async (app, { ctx }) => {
  const cfg = ctx.config.catalog;
  const origin = new Origin(cfg);
  const cache = new CacheAside({
    redis: ctx.redis,
    keyPrefix: ctx.config.keyPrefix,
    ttlMs: cfg.cacheTtlMs,
    neverStore: ctx.config.breaks.includes('cache'),
  });
  const lookups = new Counter({
    name: `${METRIC_PREFIX}catalog_cache_lookups_total`,
    help: 'Catalog cache lookups by result (hit, miss, bypass)',
    labelNames: ['result'] as const,
    registers: [ctx.metrics],
  });
  const originReads = new Counter({
    name: `${METRIC_PREFIX}catalog_origin_reads_total`,
    help: 'Reads served by the slow origin',
    registers: [ctx.metrics],
  });
  const count = (r: CacheResult): void => lookups.inc({ result: r.toLowerCase() });

  app.get<{ Params: { id: string } }>('/products/:id', async (req, reply) => {
    const { id } = req.params;
    if (!POSITIVE_INT.test(id)) return reply.code(400).send({ error: 'product id must be a positive integer' });
    const r = await cache.read(`product:${id}`, () => {
      originReads.inc();
      return origin.product(Number(id));
    });
    count(r.cache);
    reply.header('x-cache', r.cache);
    if (r.value === undefined) return reply.code(404).send({ error: `no product ${id}` });
    return r.value;
  });

  app.get<{ Querystring: { page?: string; size?: string } }>('/products', async (req, reply) => {
    const page = req.query.page ?? '1';
    const size = req.query.size ?? '20';
    if (!POSITIVE_INT.test(page)) return reply.code(400).send({ error: 'page must be a positive integer' });
    if (!POSITIVE_INT.test(size) || Number(size) > cfg.maxPageSize) {
      return reply.code(400).send({ error: `size must be an integer in [1, ${cfg.maxPageSize}]` });
    }
    const r = await cache.read(`page:${page}:${size}`, () => {
      originReads.inc();
      return origin.page(Number(page), Number(size));
    });
    count(r.cache);
    return reply.header('x-cache', r.cache).send(r.value);
  });

  app.delete('/cache', { preHandler: adminGuard(ctx.config.admin), config: { faults: false } }, async (_req, reply) => {
    try {
      return { flushed: await cache.flush() };
    } catch (err) {
      ctx.log.warn({ err: (err as Error).message }, 'cache flush failed');
      return reply.code(503).header('retry-after', '1').send({ error: 'cache unavailable' });
    }
  });
};
