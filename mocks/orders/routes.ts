/**
 * The HTTP side of the orders service: accept a job (202 once Kafka acknowledged it), read its
 * status, read the shared counters.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifySchemaValidationError } from 'fastify';
import type { OrderJob } from './job.js';
import type { OrdersLog } from './kafka-client.js';
import { ProduceError } from './producer.js';
import type { JobProducer } from './producer.js';
import type { StatusStore } from './status-store.js';

/** The body of `POST /orders`. */
export interface OrderBody {
  readonly productId: string;
  readonly qty: number;
  readonly email?: string;
}

/**
 * JSON schema of {@link OrderBody}: productId (1..64 characters; a number is taken as its string
 * form), qty an integer 1..10 000, email optional (format email). Unknown fields are dropped.
 */
export const orderBodySchema = {
  type: 'object',
  required: ['productId', 'qty'],
  additionalProperties: false,
  properties: {
    // A number is accepted and kept as its string form (Fastify coerces scalar types).
    productId: { type: 'string', minLength: 1, maxLength: 64 },
    qty: { type: 'integer', minimum: 1, maximum: 10_000 },
    email: { type: 'string', format: 'email', maxLength: 254 },
  },
} as const;

const jobIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

/** One validation problem: a JSON pointer into the body and what is wrong there. */
export interface OrderProblem {
  readonly path: string;
  readonly message: string;
}

/** Turns ajv errors into pointer + message pairs a client can act on. */
export function describeValidation(errors: readonly FastifySchemaValidationError[]): OrderProblem[] {
  return errors.map((e) => {
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required' && typeof params.missingProperty === 'string') {
      return { path: `${e.instancePath}/${params.missingProperty}`, message: 'is required' };
    }
    if (e.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      return { path: `${e.instancePath}/${params.additionalProperty}`, message: 'is not a known field' };
    }
    return { path: e.instancePath === '' ? '/' : e.instancePath, message: e.message ?? e.keyword };
  });
}

/** What the routes need. */
export interface OrdersRouteDeps {
  readonly store: StatusStore;
  readonly producer: JobProducer;
  readonly log: OrdersLog;
  readonly now?: () => Date;
  readonly newId?: () => string;
}

function unavailable(reply: FastifyReply, retryAfterSeconds: number, message: string): FastifyReply {
  return reply
    .code(503)
    .header('retry-after', String(retryAfterSeconds))
    .send({ statusCode: 503, error: 'Service Unavailable', message, retryAfter: retryAfterSeconds });
}

/** Declares `POST /orders`, `GET /orders/stats` and `GET /orders/:id` on `app`. */
export function registerOrderRoutes(app: FastifyInstance, deps: OrdersRouteDeps): void {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;

  app.post<{ Body: OrderBody }>('/orders', { schema: { body: orderBodySchema }, attachValidation: true }, async (req, reply) => {
    if (req.validationError !== undefined) {
      const problems = describeValidation(req.validationError.validation ?? []);
      const text = problems.map((p) => `${p.path} ${p.message}`).join('; ');
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: `invalid order: ${text}`, problems });
    }
    const body = req.body;
    const job: OrderJob = {
      jobId: newId(),
      productId: body.productId,
      qty: body.qty,
      ...(body.email !== undefined ? { email: body.email } : {}),
      createdAt: now().toISOString(),
    };
    try {
      await deps.store.recordQueued(job);
    } catch (err) {
      deps.log.warn({ err: (err as Error).message }, 'order not accepted: Redis unavailable');
      return unavailable(reply, 1, 'the order status store (Redis) is unavailable; try again later');
    }
    try {
      await deps.producer.produce(job);
    } catch (err) {
      await deps.store.discardUnsent(job.jobId).catch(() => false);
      if (err instanceof ProduceError) return unavailable(reply, err.retryAfterSeconds, err.message);
      throw err;
    }
    await deps.store.countAccepted().catch(() => {});
    return reply.code(202).header('location', `/orders/${job.jobId}`).send({ jobId: job.jobId, status: 'queued' });
  });

  app.get('/orders/stats', async (_req, reply) => {
    try {
      const stats = await deps.store.stats();
      return { ...stats, producer: deps.producer.state() };
    } catch {
      return unavailable(reply, 1, 'the order status store (Redis) is unavailable; try again later');
    }
  });

  app.get<{ Params: { id: string } }>('/orders/:id', { schema: { params: jobIdParams } }, async (req, reply) => {
    let record;
    try {
      record = await deps.store.get(req.params.id);
    } catch {
      return unavailable(reply, 1, 'the order status store (Redis) is unavailable; try again later');
    }
    if (record === undefined) {
      return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no order ${req.params.id}` });
    }
    return record;
  });
}
