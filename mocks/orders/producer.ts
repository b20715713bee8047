/**
 * Producing jobs to Kafka behind a circuit breaker. A send waits for every in-sync replica
 * (`acks: -1`) and is bounded by `produceTimeoutMs`; once enough sends fail (`breakerTripAfter` in a
 * row, or `breakerErrorPercent` of the window) the breaker opens and sends are refused at once (the route answers 503 + Retry-After) until a trial send succeeds.
 */
import CircuitBreaker from 'opossum';
import { Partitioners } from 'kafkajs';
import type { Kafka, Producer } from 'kafkajs';
import { encodeJob } from './job.js';
import type { OrderJob } from './job.js';
import type { OrdersLog } from './kafka-client.js';
import type { BreakerStateValue, OrdersMetrics } from './metrics.js';
import type { OrdersSettings } from './settings.js';

/** Why a job could not be produced. */
export type ProduceFailureReason = 'open' | 'timeout' | 'error';

/** A job that was not acknowledged by Kafka; `retryAfterSeconds` is what the client should wait. */
export class ProduceError extends Error {
  override readonly name = 'ProduceError';
  constructor(
    readonly reason: ProduceFailureReason,
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(message);
  }
}

/** Sends one job and resolves once the broker acknowledged it. */
export type SendJob = (job: OrderJob) => Promise<void>;

/** The guarded producer the routes use. */
export interface JobProducer {
  /**
   * Produces `job` keyed by its id; resolves after the acknowledgement.
   * @throws ProduceError when the breaker is open, the send timed out or Kafka refused it.
   */
  produce(job: OrderJob): Promise<void>;
  /** `closed`, `half-open` or `open`. */
  state(): 'closed' | 'half-open' | 'open';
  /** Stops the breaker's timers and disconnects from Kafka (bounded). */
  close(): Promise<void>;
}

/** A {@link SendJob} on a kafkajs producer that (re)connects on demand. */
export function kafkaSender(kafka: Kafka, settings: OrdersSettings): { send: SendJob; disconnect: () => Promise<void> } {
  const producer: Producer = kafka.producer({
    allowAutoTopicCreation: true,
    // Named explicitly (the Java-compatible murmur2 default) so kafkajs has nothing to warn about.
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { initialRetryTime: 100, maxRetryTime: 500, retries: 1 },
  });
  let connected: Promise<void> | undefined;
  producer.on(producer.events.DISCONNECT, () => {
    connected = undefined;
  });
  const send: SendJob = async (job) => {
    connected ??= producer.connect().catch((err: unknown) => {
      connected = undefined;
      throw err;
    });
    await connected;
    await producer.send({
      topic: settings.topic,
      acks: -1,
      timeout: settings.requestTimeoutMs,
      messages: [{ key: job.jobId, value: encodeJob(job), headers: { 'content-type': 'application/json' } }],
    });
  };
  return { send, disconnect: () => producer.disconnect() };
}

function stateOf(b: CircuitBreaker): 'closed' | 'half-open' | 'open' {
  if (b.opened) return 'open';
  if (b.halfOpen) return 'half-open';
  return 'closed';
}

const stateValue: Record<'closed' | 'half-open' | 'open', BreakerStateValue> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * Wraps `send` in an opossum breaker configured from `settings`; `disconnect` is called on close.
 */
export function guardedProducer(
  send: SendJob,
  settings: OrdersSettings,
  metrics: OrdersMetrics,
  log: OrdersLog,
  disconnect: () => Promise<void> = async () => {},
): JobProducer {
  const breaker = new CircuitBreaker<[OrderJob], void>(send, {
    name: 'orders-producer',
    timeout: settings.produceTimeoutMs,
    resetTimeout: settings.breakerResetMs,
    errorThresholdPercentage: settings.breakerErrorPercent,
    volumeThreshold: settings.breakerVolume,
    rollingCountTimeout: 10_000,
    rollingCountBuckets: 10,
  });
  const publish = (): void => {
    metrics.breakerState.set(stateValue[stateOf(breaker)]);
  };
  publish();
  breaker.on('open', () => {
    publish();
    log.warn({ breaker: 'orders-producer' }, 'order producer breaker open: Kafka unavailable, answering 503');
  });
  breaker.on('halfOpen', () => publish());
  breaker.on('close', () => {
    publish();
    log.info({ breaker: 'orders-producer' }, 'order producer breaker closed: Kafka reachable again');
  });
  const retryAfter = Math.max(1, Math.ceil(settings.breakerResetMs / 1000));
  // opossum opens on the failed share of a rolling window, which a long healthy spell dilutes;
  // a run of consecutive failures is the surer sign that the broker is gone.
  let consecutive = 0;
  breaker.on('success', () => {
    consecutive = 0;
  });
  breaker.on('failure', () => {
    consecutive++;
    if (settings.breakerTripAfter > 0 && consecutive >= settings.breakerTripAfter && breaker.closed) breaker.open();
  });

  return {
    async produce(job) {
      try {
        await breaker.fire(job);
        metrics.produced.inc();
      } catch (err) {
        const e = err as Error & { code?: string };
        const reason: ProduceFailureReason =
          e.code === 'EOPENBREAKER' ? 'open' : e.code === 'ETIMEDOUT' ? 'timeout' : 'error';
        metrics.produceFailures.inc({ reason });
        const message =
          reason === 'open'
            ? 'the order queue is unavailable (Kafka unreachable); try again later'
            : reason === 'timeout'
              ? `Kafka did not acknowledge the order within ${settings.produceTimeoutMs} ms`
              : `Kafka refused the order: ${e.message}`;
        throw new ProduceError(reason, retryAfter, message);
      }
    },
    state: () => stateOf(breaker),
    async close() {
      breaker.shutdown();
      await disconnect().catch((err: unknown) => log.warn({ err: String(err) }, 'order producer disconnect failed'));
    },
  };
}
