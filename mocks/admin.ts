import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ServiceContext } from './common/context.js';
import { SERVICE_NAMES, type ServiceName } from './common/config.js';
import { adminGuard } from './common/admin-auth.js';
import { parseFaultSpec } from './common/faults.js';
import { Upstream, parseUpstreamSettings } from './payments/upstream.js';

/** Options of the admin plugin. */
export interface AdminPluginOptions {
  readonly ctx: ServiceContext;
}

function isService(s: string): s is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(s);
}

function unavailable(reply: FastifyReply, err: unknown): FastifyReply {
  return reply.code(503).header('retry-after', '1').send({ error: `redis unavailable: ${(err as Error).message}` });
}

/**
 * The fault-injection API, registered under `/admin` only when `admin.enabled`; every route needs
 * `Authorization: Bearer <token>` when `admin.token` is set. State lives in Redis, so a change made
 * through one instance reaches every instance within `faultsCacheMs`.
 *
 * - `GET /admin/faults` — all services; `GET|PUT|DELETE /admin/faults/:service`
 *   (`{ latencyMs?, errorRate?, outage? }`, missing fields are 0/false)
 * - `GET|PUT|DELETE /admin/upstream` — the payments upstream (`{ failureRate?, latencyMs? }`,
 *   missing fields keep their current value; DELETE restores the configured defaults)
 */
export const adminPlugin: FastifyPluginAsync<AdminPluginOptions> = async (app, { ctx }) => {
  const cfg = ctx.config.payments;
  const defaults = { failureRate: cfg.upstreamFailureRate, latencyMs: cfg.upstreamLatencyMs };
  // Read uncached (0 ms): an admin GET shows what is stored now.
  const upstream = new Upstream(ctx.redis, ctx.config.keyPrefix, defaults, 0);
  app.addHook('preHandler', adminGuard(ctx.config.admin));

  app.get('/faults', async () => {
    const out: Record<string, unknown> = {};
    for (const s of SERVICE_NAMES) out[s] = await ctx.faults.get(s);
    return out;
  });

  app.get<{ Params: { service: string } }>('/faults/:service', async (req, reply) => {
    const { service } = req.params;
    if (!isService(service)) return reply.code(404).send({ error: `unknown service ${service}; one of ${SERVICE_NAMES.join(', ')}` });
    return { service, faults: await ctx.faults.get(service) };
  });

  app.put<{ Params: { service: string } }>('/faults/:service', async (req, reply) => {
    const { service } = req.params;
    if (!isService(service)) return reply.code(404).send({ error: `unknown service ${service}; one of ${SERVICE_NAMES.join(', ')}` });
    const parsed = parseFaultSpec(req.body ?? {});
    if ('problems' in parsed) return reply.code(400).send({ error: 'invalid faults', problems: parsed.problems });
    try {
      await ctx.faults.set(service, parsed.spec);
    } catch (err) {
      return unavailable(reply, err);
    }
    ctx.log.info({ service, faults: parsed.spec }, 'faults set');
    return { service, faults: parsed.spec };
  });

  app.delete<{ Params: { service: string } }>('/faults/:service', async (req, reply) => {
    const { service } = req.params;
    if (!isService(service)) return reply.code(404).send({ error: `unknown service ${service}` });
    try {
      await ctx.faults.clear(service);
    } catch (err) {
      return unavailable(reply, err);
    }
    return reply.code(204).send();
  });

  app.get('/upstream', async () => upstream.settings());

  app.put('/upstream', async (req, reply) => {
    const parsed = parseUpstreamSettings(req.body ?? {}, await upstream.settings());
    if ('problems' in parsed) return reply.code(400).send({ error: 'invalid upstream settings', problems: parsed.problems });
    try {
      await upstream.set(parsed.settings);
    } catch (err) {
      return unavailable(reply, err);
    }
    return parsed.settings;
  });

  app.delete('/upstream', async (_req, reply) => {
    try {
      await upstream.reset();
    } catch (err) {
      return unavailable(reply, err);
    }
    return reply.code(204).send();
  });
};
