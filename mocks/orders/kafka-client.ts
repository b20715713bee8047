/**
 * The kafkajs client as the orders service uses it: loopback brokers, short timeouts so an outage
 * fails fast, kafkajs logs forwarded to the service log, and the topic created at start.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { Admin, LogEntry, logCreator } from 'kafkajs';
import type { OrdersSettings } from './settings.js';

/** The part of a pino-style logger the orders code writes to. */
export interface OrdersLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A logger that drops everything (the default of the worker API). */
export const silentLog: OrdersLog = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Splits a broker list (`host:port,host:port`) into addresses. Throws when it is empty.
 */
export function parseBrokers(brokers: string | readonly string[]): string[] {
  const list = (typeof brokers === 'string' ? brokers.split(',') : [...brokers]).map((b) => b.trim()).filter((b) => b.length > 0);
  if (list.length === 0) throw new Error('orders: no Kafka brokers given (expected host:port[,host:port])');
  return list;
}

function bridgeLogs(log: OrdersLog): logCreator {
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const { message, ...rest } = entry;
      const obj = { kafka: namespace, ...rest };
      // kafkajs logs an ERROR for every failed attempt it then retries; the service answers those
      // with 503 or a retry of its own, so they are warnings here.
      if (level === logLevel.ERROR || level === logLevel.WARN) log.warn(obj, message);
      else if (level === logLevel.INFO) log.debug(obj, message);
    };
}

/** A kafkajs client for `brokers` with the timeouts of `settings`. */
export function createKafka(brokers: string | readonly string[], settings: OrdersSettings, log: OrdersLog, clientSuffix: string): Kafka {
  return new Kafka({
    clientId: `${settings.clientId}-${clientSuffix}`,
    brokers: parseBrokers(brokers),
    connectionTimeout: settings.connectionTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 3 },
    logLevel: logLevel.WARN,
    logCreator: bridgeLogs(log),
  });
}

/**
 * Creates the orders topic if it is missing and waits for its partition leaders. Returns true when
 * it created the topic, false when it was there.
 */
export async function ensureTopic(admin: Admin, settings: OrdersSettings): Promise<boolean> {
  const existing = await admin.listTopics();
  if (existing.includes(settings.topic)) return false;
  return admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: settings.topic, numPartitions: settings.partitions }],
  });
}

/** Rejects after `ms` with `message` unless `p` settles first. */
export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
