import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { Counter, Gauge } from 'prom-client';
import type { ServiceContext } from '../common/context.js';
import { METRIC_PREFIX } from '../common/metrics.js';
import { Breaker, type CircuitState } from './breaker.js';
import { Upstream, type Authorization } from './upstream.js';

/** Options of the payments plugin. */
export interface PaymentsPluginOptions {
  readonly ctx: ServiceContext;
  /** Injectable randomness for the upstream's failures (tests). Default Math.random. */
  readonly random?: () => number;
}

interface PaymentBody {
  amount?: unknown;
  currency?: unknown;
  orderId?: unknown;
}

const STATE_VALUE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2, disabled: -1 };

function validate(body: unknown): string[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return ['body must be a JSON object'];
  const b = body as PaymentBody;
  const problems: string[] = [];
  if (typeof b.amount !== 'number' || !Number.isFinite(b.amount) || b.amount <= 0) problems.push('amount must be a positive number');
  if (b.currency !== undefined && (typeof b.currency !== 'string' || !/^[A-Z]{3}$/.test(b.currency))) {
    problems.push('currency must be a 3-letter ISO code such as EUR');
  }
  if (b.orderId !== undefined && typeof b.orderId !== 'string') problems.push('orderId must be a string');
  return problems;
}

/**
 * Payments: `POST /payments` charges the flaky upstream through a per-instance circuit breaker;
 * `GET /payments/circuit` shows the breaker. Every response carries `x-circuit`.
 * Answers: 201 captured · 400 invalid body · 502 upstream failed · 504 upstream timed out ·
 * while open: 503 + Retry-After (fallback `503`, the default) or 202 deferred (fallback `202`).
 */
export const paymentsPlugin: FastifyPluginAsync<PaymentsPluginOptions> = async (app, { ctx, random }) => {
  const cfg = ctx.config.payments;
  const upstream = new Upstream(
    ctx.redis,
    ctx.config.keyPrefix,
    { failureRate: cfg.upstreamFailureRate, latencyMs: cfg.upstreamLatencyMs },
    ctx.config.faultsCacheMs,
    random,
  );
  const stateGauge = new Gauge({
    name: `${METRIC_PREFIX}payments_circuit_state`,
    help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open, -1 disabled',
    registers: [ctx.metrics],
  });
  const transitions = new Counter({
    name: `${METRIC_PREFIX}payments_circuit_transitions_total`,
    help: 'Circuit breaker transitions by target state',
    labelNames: ['to'] as const,
    registers: [ctx.metrics],
  });
  const outcomes = new Counter({
    name: `${METRIC_PREFIX}payments_calls_total`,
    help: 'Payment calls by outcome (ok, failed, timeout, rejected)',
    labelNames: ['outcome'] as const,
    registers: [ctx.metrics],
  });
  let openedAt = 0;
  const breaker = new Breaker<Authorization>(() => upstream.charge(), cfg, !ctx.config.breaks.includes('breaker'), (to) => {
    if (to === 'open') openedAt = Date.now();
    transitions.inc({ to });
    stateGauge.set(STATE_VALUE[to]);
    ctx.log.info({ circuit: to }, 'payments circuit transition');
  });
  stateGauge.set(STATE_VALUE[breaker.state]);
  app.addHook('onClose', async () => breaker.shutdown());
  app.addHook('onSend', async (_req, reply, payload) => {
    if (!reply.hasHeader('x-circuit')) reply.header('x-circuit', breaker.state);
    return payload;
  });

  app.post('/payments', async (req, reply) => {
    const problems = validate(req.body);
    if (problems.length > 0) return reply.code(400).send({ error: 'invalid payment', problems });
    const body = req.body as PaymentBody;
    const payment = { amount: body.amount as number, currency: (body.currency as string | undefined) ?? 'EUR', orderId: body.orderId };
    const r = await breaker.call();
    outcomes.inc({ outcome: r.kind });
    reply.header('x-circuit', breaker.state);
    switch (r.kind) {
      case 'ok':
        return reply.code(201).send({ id: randomUUID(), status: 'captured', ...payment, authorization: r.value.authorization });
      case 'failed':
        return reply.code(502).send({ error: 'upstream payment provider failed' });
      case 'timeout':
        return reply.code(504).send({ error: `upstream did not answer within ${cfg.callTimeoutMs} ms` });
      case 'rejected': {
        reply.header('x-circuit', 'open');
        if (cfg.fallback === '202') return reply.code(202).send({ id: randomUUID(), status: 'deferred', ...payment });
        const retryS = Math.max(1, Math.ceil((openedAt + cfg.resetTimeoutMs - Date.now()) / 1000));
        return reply.code(503).header('retry-after', String(retryS)).send({ error: 'payments temporarily unavailable (circuit open)' });
      }
    }
  });

  app.get('/payments/circuit', { config: { faults: false } }, async () => ({
    state: breaker.state,
    /** Every mocks process has its own breaker; instances may disagree for a while. */
    scope: 'instance',
    stats: breaker.stats(),
    upstream: await upstream.settings(),
    options: {
      callTimeoutMs: cfg.callTimeoutMs,
      errorThresholdPercentage: cfg.errorThresholdPercentage,
      rollingWindowMs: cfg.rollingWindowMs,
      volumeThreshold: cfg.volumeThreshold,
      resetTimeoutMs: cfg.resetTimeoutMs,
      fallback: cfg.fallback,
    },
  }));
};
