/**
 * The Kafka side of a run, one per process: one producer shared by every VU, and one consumer per
 * consumed topic whose messages a {@link TopicChannel} fans out to the waiting `consume` steps.
 * Never a consumer, nor a group join, per VU.
 *
 * Each consumer belongs to a group of its own (unique per process and run, never committing).
 * {@link KafkaHub.prepare} reads the end offsets of the topic as of the run's start and the
 * consumer starts there once it joined: it reads every message produced since, so a step can
 * match a message that arrived before the step began. The group is deleted when the run closes.
 *
 * Nothing here throws past a step: a broker that cannot be reached, a topic that does not exist,
 * fail the steps concerned with a class (src/kafka/errors.ts), each within its own timeout.
 */
import type { Admin, Consumer, IHeaders, Kafka, Producer } from 'kafkajs';
import type { KafkaPlan } from '../scenario/plan.js';
import { bounded, classifyProtocolError, ProtocolError } from './errors.js';
import { TopicChannel, type ChannelMessage, type WaiterIndex } from './topic-channel.js';

type KafkaJs = typeof import('kafkajs');
let kafkajs: Promise<KafkaJs> | undefined;
const loadKafkaJs = (): Promise<KafkaJs> => (kafkajs ??= import('kafkajs'));

/** A consumed message as steps see it. */
export interface ConsumedMessage extends ChannelMessage {
  readonly value: Buffer;
  readonly headers: Record<string, string>;
  readonly partition: number;
  readonly offset: string;
}

/** What one topic's consumer is doing. */
interface TopicState {
  readonly channel: TopicChannel<ConsumedMessage>;
  /** Settles when the consumer reads (or failed to start: `error`). */
  ready: Promise<void>;
  error: ProtocolError | undefined;
  /** When the last start failed (performance.now()): a later step tries again, at most once a second. */
  failedAt: number;
  /** The topic did not exist at the run's start: once it does, read it from its beginning. */
  missingAtStart: boolean;
  consumer: Consumer | undefined;
  groupId: string;
}

export interface KafkaHubOptions {
  /** kafkajs warnings and errors, as lines (throttled by the caller). */
  readonly log?: (line: string) => void;
  /** Called for each unmatched message dropped from a topic's full buffer. */
  readonly onDropped?: (topic: string) => void;
}

export class KafkaHub {
  private kafka: Promise<{ kafka: Kafka; lib: KafkaJs }> | undefined;
  private producer: Promise<Producer> | undefined;
  private admin: Promise<Admin> | undefined;
  private readonly topics = new Map<string, TopicState>();
  private closed = false;
  private readonly runTag = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    readonly plan: KafkaPlan,
    private readonly opts: KafkaHubOptions = {},
  ) {}

  private client(): Promise<{ kafka: Kafka; lib: KafkaJs }> {
    this.kafka ??= loadKafkaJs().then((lib) => {
      const p = this.plan;
      const kafka = new lib.Kafka({
        clientId: p.clientId,
        brokers: [...p.brokers],
        connectionTimeout: p.connectTimeoutMs,
        requestTimeout: Math.max(p.connectTimeoutMs, 5000),
        ...(p.ssl ? { ssl: p.tlsVerify ? true : { rejectUnauthorized: false } } : {}),
        ...(p.sasl !== undefined ? { sasl: { mechanism: p.sasl.mechanism, username: p.sasl.username, password: p.sasl.password } as never } : {}),
        retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
        logLevel: lib.logLevel.NOTHING,
      });
      return { kafka, lib };
    });
    return this.kafka;
  }

  private getAdmin(): Promise<Admin> {
    this.admin ??= this.client().then(async ({ kafka }) => {
      const a = kafka.admin();
      await a.connect();
      return a;
    });
    this.admin.catch(() => (this.admin = undefined));
    return this.admin;
  }

  /**
   * Starts the consumer of each topic (offsets as of now) and connects the producer when `produce`
   * is true, waiting at most the connect timeout for each. Failures are kept for the steps.
   */
  async prepare(topics: readonly string[], produce: boolean, signal?: AbortSignal): Promise<void> {
    const waits: Promise<unknown>[] = topics.map((t) => this.topic(t).ready);
    if (produce) waits.push(this.getProducer().catch(() => undefined));
    const limit = this.plan.connectTimeoutMs * 3 + 2000;
    await bounded(Promise.all(waits), limit, 'kafka: preparing consumers', signal).catch((err: unknown) => this.opts.log?.(`kafka: ${(err as Error).message}`));
  }

  private getProducer(): Promise<Producer> {
    this.producer ??= this.client().then(async ({ kafka, lib }) => {
      const p = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: lib.Partitioners.DefaultPartitioner, retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 300 } });
      await bounded(p.connect(), this.plan.connectTimeoutMs + 1000, 'kafka: connecting the producer');
      return p;
    });
    // A failed connection is tried again by the next step (the broker may come back).
    this.producer.catch(() => (this.producer = undefined));
    return this.producer;
  }

  /** Produces one message; resolves when acknowledged. Throws a ProtocolError. */
  async produce(topic: string, key: string | undefined, value: string, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    try {
      const work = this.getProducer().then((p) => p.send({ topic, acks: -1, timeout: timeoutMs, messages: [{ key: key ?? null, value, headers }] }));
      await bounded(work, timeoutMs, `kafka: producing to ${topic}`, signal);
    } catch (err) {
      throw classifyProtocolError(err);
    }
  }

  /**
   * Waits for a message of `topic` matching `match` for at most `timeoutMs` (the consumer's start
   * included). Throws a ProtocolError: `timeout`, or why the consumer could not start.
   */
  async consume(topic: string, match: (m: ConsumedMessage) => boolean, index: WaiterIndex<ConsumedMessage> | undefined, timeoutMs: number, signal?: AbortSignal): Promise<ConsumedMessage> {
    const t = this.topic(topic);
    if (t.error !== undefined && performance.now() - t.failedAt > 1000 && !this.closed) this.start(topic, t);
    const w = t.channel.wait(match, index);
    const onAbort = (): void => w.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => w.cancel(), timeoutMs);
    try {
      const m = await w.message;
      if (m !== undefined) return m;
      if (signal?.aborted === true) throw new ProtocolError('aborted', 'consume aborted');
      if (t.error !== undefined) throw new ProtocolError(t.error.cls, `no message within ${timeoutMs} ms: ${t.error.message}`);
      throw new ProtocolError('timeout', `no matching message on ${topic} within ${timeoutMs} ms`);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Counters of a topic's channel (for the report's warnings and the bench). */
  stats(topic: string): { received: number; dropped: number; buffered: number; waiting: number } | undefined {
    const c = this.topics.get(topic)?.channel;
    return c === undefined ? undefined : { received: c.received, dropped: c.dropped, buffered: c.buffered, waiting: c.waiting };
  }

  private topic(topic: string): TopicState {
    const s = this.topics.get(topic);
    if (s !== undefined) return s;
    const state: TopicState = {
      channel: new TopicChannel<ConsumedMessage>(this.plan.buffer, () => this.opts.onDropped?.(topic)),
      ready: Promise.resolve(),
      error: undefined,
      failedAt: 0,
      missingAtStart: false,
      consumer: undefined,
      groupId: `rampart-consume-${this.runTag}-${topic}`.slice(0, 240),
    };
    this.topics.set(topic, state);
    this.start(topic, state);
    return state;
  }

  private start(topic: string, state: TopicState): void {
    const first = state.failedAt === 0;
    state.error = undefined;
    state.ready = this.startConsumer(topic, state).catch(async (err: unknown) => {
      state.error = classifyProtocolError(err);
      state.failedAt = performance.now();
      if (first && state.error.cls === 'not-found') state.missingAtStart = true;
      const c = state.consumer;
      state.consumer = undefined;
      await c?.disconnect().catch(() => undefined);
      if (first) this.opts.log?.(`kafka: the consumer of ${topic} did not start (${state.error.cls}): ${state.error.message}`);
    });
  }

  private async startConsumer(topic: string, state: TopicState): Promise<void> {
    const { kafka } = await this.client();
    const admin = await bounded(this.getAdmin(), this.plan.connectTimeoutMs + 1000, 'kafka: connecting');
    const ends = await bounded(admin.fetchTopicOffsets(topic), this.plan.connectTimeoutMs + 2000, `kafka: reading the offsets of ${topic}`);
    // Where each partition starts: its end as of the run's start (a topic created after the run
    // started: its beginning, all of it is newer than the run).
    const start = new Map(ends.map((p) => [p.partition, BigInt(state.missingAtStart ? p.low : p.offset)]));
    const next = new Map(start);
    if (this.closed) return;
    const consumer = kafka.consumer({ groupId: state.groupId, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
    state.consumer = consumer;
    const joined = new Promise<void>((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, () => {
        // A new group starts at the beginning; jump to the run's start. Whatever a fetch already
        // brought from before it, or brings twice around the jump, is skipped below.
        for (const [partition, offset] of start) consumer.seek({ topic, partition, offset: offset.toString() });
        resolve();
      }),
    );
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }) => {
        const offset = BigInt(message.offset);
        if (offset < (next.get(partition) ?? 0n)) return;
        next.set(partition, offset + 1n);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries((message.headers ?? {}) as IHeaders)) {
          if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.map(String).join(', ') : String(v);
        }
        state.channel.push({ key: message.key?.toString('utf8'), value: message.value ?? Buffer.alloc(0), headers, partition, offset: message.offset, arrivedMs: performance.now() });
      },
    });
    await bounded(joined, this.plan.connectTimeoutMs + 10_000, `kafka: joining the consumer group of ${topic}`);
  }

  /** Disconnects everything and deletes the consumer groups (best effort, bounded). */
  async close(): Promise<void> {
    this.closed = true;
    const work = (async () => {
      for (const s of this.topics.values()) await s.consumer?.disconnect().catch(() => undefined);
      const groups = [...this.topics.values()].filter((s) => s.consumer !== undefined).map((s) => s.groupId);
      if (this.admin !== undefined) {
        const admin = await this.admin.catch(() => undefined);
        if (admin !== undefined && groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
        await admin?.disconnect().catch(() => undefined);
      }
      if (this.producer !== undefined) await (await this.producer.catch(() => undefined))?.disconnect().catch(() => undefined);
    })();
    await bounded(work, 10_000, 'kafka: closing').catch(() => undefined);
  }
}
