/**
 * A lazily connected kafkajs admin shared by the topic setup, the readiness check and the
 * consumer-lag sampler. A failed call drops the connection so the next call reconnects.
 */
import type { Admin, Kafka } from 'kafkajs';
import { ensureTopic, withTimeout } from './kafka-client.js';
import type { OrdersLog } from './kafka-client.js';
import type { OrdersMetrics } from './metrics.js';
import type { OrdersSettings } from './settings.js';

/** Runs admin calls on one connection made on demand. */
export class LazyAdmin {
  private admin: Admin | undefined;
  private connecting: Promise<Admin> | undefined;

  constructor(private readonly kafka: Kafka) {}

  /** Calls `fn` with a connected admin; on failure the connection is dropped and the error rethrown. */
  async use<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = await this.connect();
    try {
      return await fn(admin);
    } catch (err) {
      this.drop(admin);
      throw err;
    }
  }

  private connect(): Promise<Admin> {
    if (this.admin !== undefined) return Promise.resolve(this.admin);
    this.connecting ??= (async () => {
      const a = this.kafka.admin({ retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 300 } });
      try {
        await a.connect();
        this.admin = a;
        return a;
      } catch (err) {
        await a.disconnect().catch(() => {});
        throw err;
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  private drop(admin: Admin): void {
    if (this.admin === admin) this.admin = undefined;
    admin.disconnect().catch(() => {});
  }

  /** Disconnects (bounded by `timeoutMs`, default 3 000). */
  async close(timeoutMs = 3_000): Promise<void> {
    const a = this.admin ?? (await this.connecting?.catch(() => undefined));
    this.admin = undefined;
    if (a !== undefined) await withTimeout(a.disconnect(), timeoutMs, 'admin disconnect timed out').catch(() => {});
  }
}

/** Committed-offset lag of the worker group, per partition and in total. */
export interface LagSample {
  readonly total: number;
  readonly partitions: ReadonlyArray<{ readonly partition: number; readonly lag: number }>;
}

/**
 * The group's lag on the topic: high watermark minus committed offset per partition (a partition
 * the group never committed counts from its low watermark, as the group starts from the beginning).
 */
export async function sampleLag(admin: LazyAdmin, settings: OrdersSettings): Promise<LagSample> {
  return admin.use(async (a) => {
    const [topicOffsets, groupOffsets] = await Promise.all([
      a.fetchTopicOffsets(settings.topic),
      a.fetchOffsets({ groupId: settings.groupId, topics: [settings.topic] }),
    ]);
    const committed = new Map<number, number>();
    for (const t of groupOffsets) for (const p of t.partitions) committed.set(p.partition, Number(p.offset));
    const partitions = topicOffsets.map((p) => {
      const high = Number(p.high);
      const c = committed.get(p.partition) ?? -1;
      const from = c >= 0 ? c : Number(p.low);
      return { partition: p.partition, lag: Math.max(0, high - from) };
    });
    return { total: partitions.reduce((s, p) => s + p.lag, 0), partitions };
  });
}

/** A periodic lag sampler writing `consumerLag`; `stop()` ends it. */
export interface LagSampler {
  /** Takes one sample now (also what the timer does). Resolves undefined when Kafka did not answer. */
  sampleNow(): Promise<LagSample | undefined>;
  stop(): void;
}

/** Samples the group's lag every `settings.lagIntervalMs` (never overlapping; the timer is unref'd). */
export function startLagSampler(admin: LazyAdmin, settings: OrdersSettings, metrics: OrdersMetrics, log: OrdersLog): LagSampler {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let failing = false;
  const sampleNow = async (): Promise<LagSample | undefined> => {
    try {
      const s = await withTimeout(sampleLag(admin, settings), Math.max(1_000, settings.requestTimeoutMs), 'lag sample timed out');
      for (const p of s.partitions) metrics.consumerLag.set({ partition: String(p.partition) }, p.lag);
      if (failing) log.info({ lag: s.total }, 'order consumer lag sampling resumed');
      failing = false;
      return s;
    } catch (err) {
      if (!failing) log.warn({ err: (err as Error).message }, 'order consumer lag not sampled: Kafka did not answer');
      failing = true;
      return undefined;
    }
  };
  const loop = (): void => {
    if (stopped || settings.lagIntervalMs <= 0) return;
    timer = setTimeout(() => {
      void sampleNow().finally(loop);
    }, settings.lagIntervalMs);
    timer.unref();
  };
  loop();
  return {
    sampleNow,
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

/** Creates the topic, retrying in the background until it exists or `isStopped()`; never rejects. */
export async function ensureTopicEventually(
  admin: LazyAdmin,
  settings: OrdersSettings,
  log: OrdersLog,
  isStopped: () => boolean,
  retryMs = 2_000,
): Promise<boolean> {
  let warned = false;
  while (!isStopped()) {
    try {
      const created = await admin.use((a) => ensureTopic(a, settings));
      if (created) log.info({ topic: settings.topic, partitions: settings.partitions }, 'order topic created');
      return true;
    } catch (err) {
      if (!warned) log.warn({ topic: settings.topic, err: (err as Error).message }, 'order topic not ready: Kafka unreachable, retrying');
      warned = true;
      await new Promise((r) => setTimeout(r, retryMs));
    }
  }
  return false;
}
