/**
 * The order worker: a Kafka consumer group that processes jobs and records their status in Redis.
 * It runs inside the HTTP service by default and on its own through `worker-main.ts`.
 *
 * Delivery is at least once: offsets are committed after a chunk of jobs is recorded in Redis, so
 * a crash or rebalance may deliver a job again; {@link processJob} makes that harmless (a finished
 * job is skipped, a job held by another worker is waited for). A job is never done twice.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { decodeJob, MalformedJobError } from './job.js';
import { LazyAdmin, ensureTopicEventually } from './kafka-admin.js';
import { createKafka, silentLog, withTimeout } from './kafka-client.js';
import type { OrdersLog } from './kafka-client.js';
import { ordersMetrics } from './metrics.js';
import { processJob } from './process-job.js';
import type { ProcessOutcome } from './process-job.js';
import { resolveOrdersSettings } from './settings.js';
import type { OrdersSettings } from './settings.js';
import { StatusStore } from './status-store.js';

/** Options of {@link startOrdersWorker}. */
export interface OrdersWorkerOptions {
  /** The Redis holding job status (not closed by the worker). */
  readonly redis: Redis;
  /** `host:port[,host:port]` or a list. */
  readonly kafkaBrokers: string | readonly string[];
  /** Overrides of the defaults ({@link resolveOrdersSettings}). */
  readonly settings?: Partial<OrdersSettings>;
  /** Registry for the worker's metrics. Default a fresh one. */
  readonly registry?: Registry;
  /** Default silent. */
  readonly log?: OrdersLog;
  /** Names this worker in job records and Kafka client ids. Default `worker-<random>`. */
  readonly workerId?: string;
  /** 0 ≤ x < 1, decides failures. Default Math.random. */
  readonly random?: () => number;
  /** Called after each delivery is handled (for observers and tests). */
  readonly onProcessed?: (jobId: string, outcome: ProcessOutcome) => void;
}

/** A running worker. */
export interface OrdersWorker {
  readonly workerId: string;
  readonly settings: OrdersSettings;
  /** True when started with `break: ['consumer']`: it consumes nothing. */
  readonly broken: boolean;
  /** Resolves the first time the consumer has joined its group and holds partitions. */
  readonly joined: Promise<void>;
  /** Stops consuming, leaves the group and disconnects (bounded by `timeoutMs`, default 10 000). */
  stop(timeoutMs?: number): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Starts a worker. It returns at once: connecting, creating the topic and joining the group go on
 * in the background and are retried while Kafka is away (`joined` tells when it consumes).
 */
export async function startOrdersWorker(opts: OrdersWorkerOptions): Promise<OrdersWorker> {
  const settings = resolveOrdersSettings(opts.settings);
  const log = opts.log ?? silentLog;
  const workerId = opts.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
  let markJoined: () => void = () => {};
  const joined = new Promise<void>((r) => (markJoined = r));

  if (settings.break.includes('consumer')) {
    log.warn({ workerId }, 'order consumer deliberately broken (break: consumer): jobs stay queued');
    return { workerId, settings, broken: true, joined, stop: async () => {} };
  }

  const metrics = ordersMetrics(opts.registry ?? new Registry());
  const store = new StatusStore(opts.redis, settings.keyPrefix, settings.jobTtlSeconds);
  const kafka = createKafka(opts.kafkaBrokers, settings, log, workerId);
  const admin = new LazyAdmin(kafka);
  let stopping = false;
  let consumer: Consumer | undefined;
  let restartTimer: ReturnType<typeof setTimeout> | undefined;

  const handle = async (message: KafkaMessage, isRunning: () => boolean): Promise<void> => {
    metrics.consumed.inc();
    let job;
    try {
      job = decodeJob(message.value);
    } catch (err) {
      if (!(err instanceof MalformedJobError)) throw err;
      metrics.malformed.inc();
      log.warn({ offset: message.offset, err: err.message }, 'skipped a message that is not an order job');
      return;
    }
    const outcome = await processJob(job, {
      store,
      metrics,
      workerId,
      workMs: settings.workMs,
      failureRate: settings.failureRate,
      leaseMs: settings.leaseMs,
      isRunning: () => isRunning() && !stopping,
      ...(opts.random !== undefined ? { random: opts.random } : {}),
    });
    opts.onProcessed?.(job.jobId, outcome);
  };

  const eachBatch = async (p: EachBatchPayload): Promise<void> => {
    const msgs = p.batch.messages;
    for (let i = 0; i < msgs.length; i += settings.concurrency) {
      if (!p.isRunning() || p.isStale() || stopping) return;
      const chunk = msgs.slice(i, i + settings.concurrency);
      await Promise.all(chunk.map((m) => handle(m, p.isRunning)));
      const last = chunk[chunk.length - 1];
      if (last !== undefined) p.resolveOffset(last.offset);
      await p.heartbeat();
      // Commit per chunk, not per batch: a stop or an outage then redelivers at most one chunk.
      await p.commitOffsetsIfNecessary(p.uncommittedOffsets());
    }
  };

  const startConsumer = async (): Promise<void> => {
    const c = kafka.consumer({
      groupId: settings.groupId,
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: true,
      retry: { initialRetryTime: 300, maxRetryTime: 3_000, retries: 8 },
    });
    consumer = c;
    c.on(c.events.GROUP_JOIN, (e) => {
      log.info({ workerId, assignment: e.payload.memberAssignment }, 'order worker joined its group');
      markJoined();
    });
    c.on(c.events.CRASH, (e) => {
      if (e.payload.restart || stopping) return;
      // kafkajs gives up on errors it deems fatal; the worker keeps trying, with a fresh consumer.
      log.warn({ workerId, err: e.payload.error.message }, 'order consumer crashed; restarting it');
      scheduleRestart(c);
    });
    await c.connect();
    await c.subscribe({ topics: [settings.topic], fromBeginning: true });
    await c.run({ eachBatch, eachBatchAutoResolve: false, partitionsConsumedConcurrently: settings.partitions });
  };

  const scheduleRestart = (old: Consumer): void => {
    if (stopping || restartTimer !== undefined) return;
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      void old.disconnect().catch(() => {}).then(supervise);
    }, 1_000);
  };

  const supervise = async (): Promise<void> => {
    await ensureTopicEventually(admin, settings, log, () => stopping);
    let warned = false;
    while (!stopping) {
      try {
        await startConsumer();
        return;
      } catch (err) {
        if (!warned) log.warn({ workerId, err: (err as Error).message }, 'order consumer cannot start: Kafka unreachable, retrying');
        warned = true;
        await consumer?.disconnect().catch(() => {});
        await sleep(1_000);
      }
    }
  };

  const running = supervise();

  return {
    workerId,
    settings,
    broken: false,
    joined,
    async stop(timeoutMs = 10_000) {
      stopping = true;
      if (restartTimer !== undefined) clearTimeout(restartTimer);
      const work = (async () => {
        await running.catch(() => {});
        await consumer?.disconnect();
        await admin.close();
      })();
      await withTimeout(work, timeoutMs, 'order worker did not stop in time').catch((err: unknown) =>
        log.warn({ workerId, err: (err as Error).message }, 'order worker stop was not clean'),
      );
    },
  };
}
