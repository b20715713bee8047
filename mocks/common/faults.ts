import type { Redis } from 'ioredis';
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { SharedJson, type Clock } from './shared-json.js';
import { redisKey } from './redis.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false` exempts a route from injected faults (status and admin-like endpoints). */
    faults?: boolean;
  }
}

/** Faults injected into one service at runtime (`PUT /admin/faults/:service`). */
export interface FaultSpec {
  /** Extra latency added before every request of the service, ms. Default 0. */
  readonly latencyMs: number;
  /** Fraction of requests answered `500 {"error":"injected fault"}`, 0..1. Default 0. */
  readonly errorRate: number;
  /** When true every request gets `503` + `Retry-After: 1`. Default false. */
  readonly outage: boolean;
}

export const NO_FAULTS: FaultSpec = Object.freeze({ latencyMs: 0, errorRate: 0, outage: false });

/** Validates a (partial) fault body; returns the problems, or the complete spec. */
export function parseFaultSpec(raw: unknown): { spec: FaultSpec } | { problems: string[] } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { problems: ['body must be a JSON object'] };
  const o = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of Object.keys(o)) {
    if (!['latencyMs', 'errorRate', 'outage'].includes(k)) problems.push(`unknown field ${JSON.stringify(k)}`);
  }
  const latencyMs = o.latencyMs ?? 0;
  const errorRate = o.errorRate ?? 0;
  const outage = o.outage ?? false;
  if (typeof latencyMs !== 'number' || !Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > 60_000) {
    problems.push('latencyMs must be an integer in [0, 60000]');
  }
  if (typeof errorRate !== 'number' || !(errorRate >= 0 && errorRate <= 1)) problems.push('errorRate must be a number in [0, 1]');
  if (typeof outage !== 'boolean') problems.push('outage must be true or false');
  if (problems.length > 0) return { problems };
  return { spec: { latencyMs: latencyMs as number, errorRate: errorRate as number, outage: outage as boolean } };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Fault-injection state shared through Redis (key `<prefix>faults:<service>`), cached per instance
 * for `cacheMs` (default 250 ms) — so a fault set through one instance reaches all within that time.
 */
export class Faults {
  private readonly byService = new Map<string, SharedJson<FaultSpec>>();

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly cacheMs = 250,
    private readonly now: Clock = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  private entry(service: string): SharedJson<FaultSpec> {
    let e = this.byService.get(service);
    if (e === undefined) {
      const parse = (raw: unknown): FaultSpec | undefined => {
        const r = parseFaultSpec(raw);
        return 'spec' in r ? r.spec : undefined;
      };
      e = new SharedJson(this.redis, redisKey(this.keyPrefix, 'faults', service), this.cacheMs, parse, this.now);
      this.byService.set(service, e);
    }
    return e;
  }

  /** The faults in force for `service` (NO_FAULTS when none). Never rejects. */
  async get(service: string): Promise<FaultSpec> {
    return (await this.entry(service).get()) ?? NO_FAULTS;
  }

  /** Sets the faults of `service` for every instance. Rejects when Redis is down. */
  async set(service: string, spec: FaultSpec): Promise<void> {
    await this.entry(service).set(spec);
  }

  /** Clears the faults of `service`. Rejects when Redis is down. */
  async clear(service: string): Promise<void> {
    await this.entry(service).clear();
  }

  /**
   * An onRequest hook for a service's routes: waits `latencyMs`, then answers 503 on an outage or
   * 500 with probability `errorRate`; otherwise lets the request through. Injected answers carry
   * `x-fault: outage|error`. Routes declared with `config: { faults: false }` (flush, circuit
   * status) are exempt.
   */
  hook(service: string): onRequestAsyncHookHandler {
    return async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
      if (req.routeOptions.config?.faults === false) return undefined;
      const f = await this.get(service);
      if (f.latencyMs > 0) await sleep(f.latencyMs);
      if (f.outage) {
        return reply.code(503).header('retry-after', '1').header('x-fault', 'outage').send({ error: 'service unavailable (injected outage)' });
      } else if (f.errorRate > 0 && this.random() < f.errorRate) {
        return reply.code(500).header('x-fault', 'error').send({ error: 'injected fault' });
      }
      return undefined;
    };
  }
}
