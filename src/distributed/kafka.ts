/**
 * The Kafka path of a distributed run: shards publish their events (`--output kafka://…`), the
 * collector (`rampart collect`) consumes them. Messages are keyed `<runId>/<shard>` so one shard's
 * events stay in order on one partition; the value is the event's JSON (src/distributed/protocol).
 * The collector reads the topic from the beginning with a group of its own, so it may start before,
 * during or after the shards, and reading a run twice gives the same result.
 */
import type { Consumer, Kafka, LogEntry, Producer } from 'kafkajs';
import { UsageError } from '../errors.js';
import { BadEventError, decodeEvent, encodeEvent, shardName, type ShardEvent } from './protocol.js';

/** Where events go: brokers (`host:port`) and a topic. */
export interface KafkaTarget {
  readonly brokers: readonly string[];
  readonly topic: string;
}

/** Default topic when a kafka URL names none. */
export const DEFAULT_TOPIC = 'rampart-runs';

/**
 * Parses `kafka://host:9092[,host2:9092]/topic` (topic optional: {@link DEFAULT_TOPIC}).
 * @throws UsageError for anything else.
 */
export function parseKafkaUrl(url: string): KafkaTarget {
  const m = /^kafka:\/\/([^/]+)(?:\/([^/?#]*))?$/.exec(url.trim());
  if (!m) throw new UsageError(`--output expects kafka://host:port[,host:port]/topic, got "${url}"`);
  const brokers = parseBrokers(m[1] ?? '', '--output');
  const topic = m[2] !== undefined && m[2] !== '' ? decodeURIComponent(m[2]) : DEFAULT_TOPIC;
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) throw new UsageError(`--output: "${topic}" is not a Kafka topic name (letters, digits, . _ -)`);
  return { brokers, topic };
}

/** Parses a comma-separated `host:port` list. @throws UsageError when empty or malformed. */
export function parseBrokers(list: string, flag = '--brokers'): string[] {
  const brokers = list.split(',').map((b) => b.trim()).filter((b) => b !== '');
  if (brokers.length === 0) throw new UsageError(`${flag}: no broker given (host:port[,host:port])`);
  for (const b of brokers) {
    if (!/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(b)) throw new UsageError(`${flag}: "${b}" is not host:port`);
  }
  return brokers;
}

export interface KafkaClientOptions {
  readonly clientId: string;
  /** kafkajs warnings and errors, as lines. */
  readonly log?: (line: string) => void;
  /** Connection and request timeout (ms). Default 5000. */
  readonly timeoutMs?: number;
}

/** kafkajs, loaded on first use: a run that sends nothing to Kafka does not pay for loading it. */
type KafkaJs = typeof import('kafkajs');
let kafkajs: Promise<KafkaJs> | undefined;
const loadKafkaJs = (): Promise<KafkaJs> => (kafkajs ??= import('kafkajs'));

async function client(target: KafkaTarget, o: KafkaClientOptions): Promise<{ kafka: Kafka; lib: KafkaJs }> {
  const lib = await loadKafkaJs();
  const { Kafka, logLevel } = lib;
  const timeout = o.timeoutMs ?? 5000;
  const kafka = new Kafka({
    clientId: o.clientId,
    brokers: [...target.brokers],
    connectionTimeout: timeout,
    requestTimeout: timeout,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry): void => {
        if (level <= logLevel.WARN) o.log?.(`kafka: ${log.message}`);
      },
  });
  return { kafka, lib };
}

/** Creates the topic when it does not exist (3 partitions; the broker's replication default). */
async function ensureTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** A connected producer of shard events. */
export interface KafkaEventSink {
  emit(event: ShardEvent): Promise<void>;
  close(): Promise<void>;
}

/** Connects a producer (creating the topic if needed). Rejects when the brokers cannot be reached. */
export async function connectKafkaSink(target: KafkaTarget, o: KafkaClientOptions): Promise<KafkaEventSink> {
  const { kafka, lib } = await client(target, o);
  await ensureTopic(kafka, target.topic);
  // The default (murmur2, Java-compatible) partitioner, named so kafkajs does not warn about it.
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: lib.Partitioners.DefaultPartitioner });
  await producer.connect();
  return {
    async emit(event: ShardEvent): Promise<void> {
      await producer.send({ topic: target.topic, messages: [{ key: `${event.runId}/${shardName(event.shard)}`, value: encodeEvent(event) }] });
    },
    async close(): Promise<void> {
      await producer.disconnect().catch(() => undefined);
    },
  };
}

/** A running consumer of one run's events. */
export interface KafkaEventSource {
  /** Messages that were not rampart events (skipped). */
  readonly skipped: number;
  close(): Promise<void>;
}

/**
 * Consumes the topic from the beginning and hands every event of `runId` to `onEvent` (events of
 * other runs are skipped silently, malformed messages are counted). Resolves once consuming started.
 */
export async function consumeRunEvents(
  target: KafkaTarget,
  runId: string,
  onEvent: (event: ShardEvent) => void,
  o: KafkaClientOptions,
): Promise<KafkaEventSource> {
  const { kafka } = await client(target, o);
  await ensureTopic(kafka, target.topic);
  // A group of its own: every collector reads the whole topic, none commits for another. Fetches
  // wait at most 500 ms (kafkajs: 5 s): leaving the group waits for the fetch in flight.
  const consumer: Consumer = kafka.consumer({ groupId: `rampart-collect-${runId}-${process.pid}-${Date.now()}`, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 500 });
  let skipped = 0;
  await consumer.connect();
  await consumer.subscribe({ topic: target.topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => {
      const text = message.value?.toString('utf8');
      if (text === undefined) return;
      let event: ShardEvent;
      try {
        event = decodeEvent(text);
      } catch (err) {
        if (err instanceof BadEventError) skipped++;
        return;
      }
      if (event.runId === runId) onEvent(event);
    },
  });
  return {
    get skipped(): number {
      return skipped;
    },
    async close(): Promise<void> {
      await consumer.disconnect().catch(() => undefined);
    },
  };
}
