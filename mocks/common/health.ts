import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { ReadinessCheck, ReadinessResult } from './context.js';

/** Named readiness checks; `/health/ready` is 200 only when all pass. */
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  /** Adds (or replaces) the check called `name`. */
  add(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Runs every check at once, each bounded by `timeoutMs` (default 1000). */
  async run(timeoutMs = 1000): Promise<{ ready: boolean; checks: Record<string, ReadinessResult> }> {
    const entries = [...this.checks.entries()];
    const results = await Promise.all(entries.map(([, check]) => bounded(check, timeoutMs)));
    const checks: Record<string, ReadinessResult> = {};
    entries.forEach(([name], i) => (checks[name] = results[i] ?? { ok: false }));
    return { ready: results.every((r) => r.ok), checks };
  }
}

async function bounded(check: ReadinessCheck, timeoutMs: number): Promise<ReadinessResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ReadinessResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([check().catch((e: unknown) => ({ ok: false, detail: String((e as Error)?.message ?? e) })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The readiness check of a Redis client: PING answered. */
export function redisCheck(redis: Redis): ReadinessCheck {
  return async () => {
    if (redis.status !== 'ready') return { ok: false, detail: `redis ${redis.status}` };
    const pong = await redis.ping();
    return { ok: pong === 'PONG', detail: pong === 'PONG' ? 'ok' : `unexpected reply ${pong}` };
  };
}

/**
 * `GET /health/live` — 200 while the process serves HTTP (and 503 once shutting down, so a balancer
 * drains it); `GET /health/ready` — 200 `{ ready: true, checks }` when every dependency answers,
 * else 503 with the failing checks.
 */
export function registerHealthRoutes(app: FastifyInstance, readiness: ReadinessRegistry, isClosing: () => boolean): void {
  app.get('/health/live', async (_req, reply) => {
    if (isClosing()) return reply.code(503).send({ status: 'shutting-down' });
    return { status: 'ok' };
  });
  app.get('/health/ready', async (_req, reply) => {
    const r = await readiness.run();
    const ready = r.ready && !isClosing();
    return reply.code(ready ? 200 : 503).send({ ready, checks: r.checks });
  });
}
